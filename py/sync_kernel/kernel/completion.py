"""Tab completion as desktop Jupyter has it: IPython's completer, with jedi once it is loaded.

IPython completes attributes (evaluating what is safe to evaluate), dict keys,
paths, keyword arguments, magics and imports with its own matchers; jedi adds
what needs inference (``f().up`` when ``f`` returns a string). jedi is not
installed at start (unpacking and importing it costs more than the rest of the
start), so IPython decided at import that it is absent: the runtime loads the
package while the kernel is idle and calls :func:`use_jedi`. The reply carries
``_jupyter_types_experimental`` as ipykernel's does, so JupyterLab shows each
completion's type.
"""

from __future__ import annotations

from typing import Any

from IPython.core import completer
from IPython.core.interactiveshell import InteractiveShell

#: A completion that makes jedi read the builtins' stubs, done once when it is switched on.
_WARM_UP = ("text = 'a'\ntext.up", len("text = 'a'\ntext.up"))


def complete_reply(shell: InteractiveShell, code: str, cursor: int) -> dict[str, Any]:
    """The content of a ``complete_reply`` for ``code`` with the cursor at ``cursor``."""
    with completer.provisionalcompleter():
        found = list(completer.rectify_completions(code, shell.Completer.completions(code, cursor)))
    start, end = (found[0].start, found[0].end) if found else (cursor, cursor)
    types = [{"start": c.start, "end": c.end, "text": c.text, "type": c.type, "signature": c.signature} for c in found]
    return {
        "status": "ok",
        "matches": [c.text for c in found],
        "cursor_start": start,
        "cursor_end": end,
        "metadata": {"_jupyter_types_experimental": types},
    }


def use_jedi(shell: InteractiveShell) -> None:
    """Complete with jedi too, now that it is installed (it was not when IPython was imported)."""
    import jedi
    import jedi.api.classes
    import jedi.api.helpers

    jedi.settings.case_insensitive_completion = False  # as IPython sets it when it finds jedi
    completer.jedi = jedi  # type: ignore[attr-defined]
    completer.JEDI_INSTALLED = True
    shell.Completer.use_jedi = True
    complete_reply(shell, *_WARM_UP)
