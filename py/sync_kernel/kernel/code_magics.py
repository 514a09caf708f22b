"""``%time``, ``%timeit`` and ``%%capture`` over code the codemod rewrote: the magics, awaited.

IPython's code magics compile and run their code themselves, synchronously,
so code that must wait (a rewritten ``time.sleep``, a function made ``async``)
cannot run inside them. The cell pipeline rewrites a code magic's code with
the codemod and, when that changed it, calls the magic's awaitable twin here
instead — ``x = %timeit -o f()`` becomes ``x = await __magics__.timeit('-o ',
'await f()')`` — on the same line. Each twin reads the options IPython's magic
reads, runs the code with top-level await in the user's namespace at the
user's line numbers, and reports what IPython's magic reports, in its format:

* ``time``: ``CPU times: …`` / ``Wall time: …`` after the code ran (also when
  it raised), and the value of a last expression; ``--no-raise-error``.
* ``timeit``: ``-n -r -t -c -p -q -o -v`` as IPython's; loops chosen as
  IPython chooses them (at least 0.2 s per run); the awaited waits count.
* ``capture``: ``[output] --no-stdout --no-stderr --no-display``; the cell's
  outputs are captured into IPython's ``CapturedIO`` (``out.show()``).
"""

from __future__ import annotations

import ast
import gc
import itertools
import time
import timeit as timeit_module
from collections.abc import Callable
from typing import Any

from IPython.core import magic_arguments
from IPython.core.displayhook import DisplayHook
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics
from IPython.core.magics.execution import ExecutionMagics, TimeitResult
from IPython.utils.capture import capture_output
from IPython.utils.timing import clock

from .timing import Stopwatch

_TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE: the compiled code awaits

_TIMEIT_TEMPLATE = """\
async def inner(_it, _timer):
    setup
    _t0 = _timer()
    for _i in _it:
        stmt
    _t1 = _timer()
    return _t1 - _t0
"""


class CodeMagics:
    """``__magics__`` in the user namespace: the awaitable twins of IPython's code magics."""

    def __init__(self, shell: InteractiveShell, filename: Callable[[], str]) -> None:
        self.shell = shell
        #: The file name the running cell's code was compiled under (its text is in ``linecache``).
        self.filename = filename

    # -- the magics -------------------------------------------------------------

    async def time(self, options: str, code: str) -> Any:
        """``%time``/``%%time``: run ``code``, then print the times; return its last expression's value."""
        args = magic_arguments.parse_argstring(ExecutionMagics.time, options)
        stopwatch = Stopwatch()
        try:
            value = await self.run(code)
        except Exception:
            print(stopwatch.report(), end="")
            if not args.no_raise_error:
                raise
            self.shell.showtraceback()
            return None
        except BaseException:  # KeyboardInterrupt, SystemExit: times, then on as IPython does
            print(stopwatch.report(), end="")
            raise
        print(stopwatch.report(), end="")
        return value

    async def timeit(self, options: str, code: str, setup: str = "pass") -> TimeitResult | None:
        """``%timeit``/``%%timeit``: time ``code`` (after ``setup``) as IPython's magic does."""
        opts, _ = self._execution_magics().parse_options(
            options, "n:r:tcp:qov:", posix=False, strict=False, preserve_non_opts=True
        )
        number = int(getattr(opts, "n", 0))
        repeat = int(getattr(opts, "r", 7))  # IPython's default: max(timeit.default_repeat, 7)
        precision = int(getattr(opts, "p", 3))
        timer: Callable[[], float] = timeit_module.default_timer
        if hasattr(opts, "t"):
            timer = time.time
        if hasattr(opts, "c"):
            timer = clock

        compile_start = clock()
        inner = self._timeit_function(setup, code)
        compile_time = clock() - compile_start

        async def run(loops: int) -> float:
            gc_was_enabled = gc.isenabled()
            gc.disable()  # as timeit does
            try:
                elapsed: float = await inner(itertools.repeat(None, loops), timer)
                return elapsed
            finally:
                if gc_was_enabled:
                    gc.enable()

        if number == 0:  # as IPython: 1, 10, 100, … loops until a run takes 0.2 s
            for exponent in range(10):
                number = 10**exponent
                if await run(number) >= 0.2:
                    break
        runs = [await run(number) for _ in range(repeat)]
        best, worst = min(runs) / number, max(runs) / number
        result = TimeitResult(number, repeat, best, worst, runs, compile_time, precision)
        if "q" not in opts:
            if worst > 4 * best and best > 0 and worst > 1e-6:
                print(
                    f"The slowest run took {worst / best:0.2f} times longer than the fastest. "
                    "This could mean that an intermediate result is being cached."
                )
            print(result)
            if compile_time > 0.1:
                print(f"Compiler time: {compile_time:.2f} s")
        if hasattr(opts, "v"):
            self.shell.user_ns[opts.v] = result
        return result if "o" in opts else None

    async def capture(self, options: str, code: str) -> None:
        """``%%capture``: run ``code`` as a cell with its outputs captured (into ``output`` if named)."""
        args = magic_arguments.parse_argstring(ExecutionMagics.capture, options)
        with capture_output(not args.no_stdout, not args.no_stderr, not args.no_display) as captured:
            await self.shell.run_cell_async(code, store_history=False, transformed_cell=code)
        if DisplayHook.semicolon_at_end_of_expression(code):
            self.shell.user_ns.pop(args.output, None)
        elif args.output:
            self.shell.user_ns[args.output] = captured

    # -- running code -------------------------------------------------------------

    async def run(self, code: str) -> Any:
        """Run ``code`` in the user namespace with top-level await; the value of its last expression, if any."""
        module = ast.parse(code)
        last = module.body[-1] if module.body else None
        if isinstance(last, ast.Expr):
            module.body.pop()
        namespace = self.shell.user_ns
        await self._evaluate(compile(module, self.filename(), "exec", flags=_TOP_LEVEL_AWAIT), namespace)
        if not isinstance(last, ast.Expr):
            return None
        expression = ast.Expression(last.value)
        return await self._evaluate(compile(expression, self.filename(), "eval", flags=_TOP_LEVEL_AWAIT), namespace)

    @staticmethod
    async def _evaluate(code: Any, namespace: dict[str, Any]) -> Any:
        value = eval(code, namespace)
        return await value if code.co_flags & _CO_COROUTINE else value

    def _timeit_function(self, setup: str, code: str) -> Any:
        """``async def inner(_it, _timer)`` with ``setup`` and ``code`` filled in, at the user's lines."""
        template = ast.parse(_TIMEIT_TEMPLATE)
        function = template.body[0]
        assert isinstance(function, ast.AsyncFunctionDef)
        loop = function.body[2]
        assert isinstance(loop, ast.For)
        function.body[0:1] = ast.parse(setup).body or [ast.Pass()]
        loop.body = ast.parse(code).body or [ast.Pass()]
        ast.fix_missing_locations(template)
        namespace: dict[str, Any] = {}
        exec(compile(template, self.filename(), "exec"), self.shell.user_ns, namespace)
        return namespace["inner"]

    def _execution_magics(self) -> Magics:
        magics = self.shell.magics_manager.registry["ExecutionMagics"]
        assert isinstance(magics, Magics)
        return magics
