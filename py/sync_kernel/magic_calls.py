"""Recognise the calls IPython's input transforms write for magics and ``!`` commands.

IPython turns ``%name args`` into ``get_ipython().run_line_magic('name', 'args')``,
a ``%%name`` cell into ``get_ipython().run_cell_magic('name', 'line', 'body')``
and ``!cmd`` into ``get_ipython().system('cmd')``. The shell reads some of
them back (``%%time``, ``%pip``) to run their code its own way.

Example::

    >>> import ast
    >>> call = ast.parse("get_ipython().run_line_magic('pip', 'install six')").body[0].value
    >>> ipython_call(call)
    ('run_line_magic', ['pip', 'install six'])
"""

from __future__ import annotations

import ast


def ipython_call(node: ast.AST) -> tuple[str, list[str]] | None:
    """``(method, arguments)`` if ``node`` is ``get_ipython().<method>(...)`` with string literal arguments."""
    if not (
        isinstance(node, ast.Call)
        and not node.keywords
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    ):
        return None
    args = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if len(args) != len(node.args):
        return None
    return node.func.attr, args
