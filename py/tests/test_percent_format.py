"""The percent-format reader agrees with the headless runner's on the shared cases in ``test/fixtures/percent``.

``test/unit/percent.spec.ts`` checks the TypeScript reader against the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync_kernel.codemod.cli import split_cells

FIXTURES = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "percent"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.py")), ids=lambda path: path.stem)
def test_cells_and_their_types_are_the_fixtures(path: Path) -> None:
    expected = json.loads(path.with_suffix(".cells.json").read_text())
    cells = split_cells(path.read_text())
    assert [cell.cell_type for cell in cells] == [cell["type"] for cell in expected]
    for cell, wanted in zip(cells, expected, strict=True):
        if wanted["type"] == "code":
            assert cell.source.strip("\n") == wanted["source"]


def test_the_fixtures_exist() -> None:
    assert len(list(FIXTURES.glob("*.py"))) >= 2
