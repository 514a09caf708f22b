"""The codemod: rewrite a cell's blocking calls into awaits, following names across cells.

Standard library only — no IPython, no Pyodide — so it runs and is tested on
desktop CPython; ``tests/test_layout.py`` imports it with IPython made
unimportable. A cell goes through it in stages:

``relevance`` (which statements can matter) → ``scopes`` (``symtable``) →
``collect`` (bindings and call sites) → ``evaluate`` (what each name may hold) →
``plan`` (which functions become ``async``, which calls are awaited) →
``rewrite`` (text edits and :class:`~.notes.Note` records), driven by
:class:`~.session.Session`, which alone remembers earlier cells (``memory``).
"""
