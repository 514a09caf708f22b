"""The constants shared with the TypeScript side come from ``src/contract.json``, and the types agree with it."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import jupyterlite_sync_kernel
from sync_kernel.codemod import notes

CONTRACT_FILE = Path(notes.__file__).with_name("contract.json")


def test_note_kinds_are_the_contracts() -> None:
    contract = json.loads(CONTRACT_FILE.read_text())
    assert list(typing.get_args(notes.NoteKind)) == contract["noteKinds"]
    assert notes.WARNING_KINDS == set(contract["warningNoteKinds"]) and notes.WARNING_KINDS <= set(
        contract["noteKinds"]
    )
    assert notes.NOTES_MIME_TYPE == contract["notesMimeType"]


def test_the_site_addon_names_the_kernel_the_extension_registers() -> None:
    contract = json.loads(CONTRACT_FILE.read_text())
    assert (jupyterlite_sync_kernel.KERNEL_NAME, jupyterlite_sync_kernel.PLUGIN_ID) == (
        contract["kernelName"],
        contract["pluginId"],
    )
