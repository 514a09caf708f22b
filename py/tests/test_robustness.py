"""The codemod never raises, never breaks a cell it cannot handle, and a second pass changes nothing."""

import sys

import sync_kernel
from harness import rewrite
from sync_kernel.codemod import plan as plan_module


def test_syntax_error_comes_back_unchanged_without_notes():
    for source in ["def broken(:\n    time.sleep(1)\n", "import time\ntime.sleep(1\n", "\x00", ""]:
        result = sync_kernel.transform(source)
        assert result.code == source and result.notes == [] and not result.changed


def compile_error(source):
    try:
        compile(source, "<cell>", "exec", flags=0x2000)
    except SyntaxError as error:
        return (error.msg, error.lineno)
    return None


def test_code_the_compiler_rejects_still_reports_the_same_error():
    for source in ["import time\ntime.sleep(1)\nreturn 5\n", "import time\nclass C:\n    await time.sleep(1)\n"]:
        result = sync_kernel.transform(source)
        assert compile_error(source) is not None
        assert compile_error(result.code) == compile_error(source)


def test_internal_error_returns_the_cell_with_an_internal_note(monkeypatch):
    def explode(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(plan_module.Planner, "plan", explode)
    source = "import time\ntime.sleep(1)\n"
    result = sync_kernel.transform(source)
    assert result.code == source
    assert [(n.kind, n.message) for n in result.notes] == [
        ("internal", "the codemod failed (RuntimeError: boom); the cell runs as written")
    ]


def test_a_second_pass_changes_nothing():
    source = """
import asyncio, time
class Robot:
    def move(self):
        time.sleep(0)
        return self.helper()
    def helper(self):
        return asyncio.run(asyncio.sleep(0))
def main():
    robot = Robot()
    print(robot.move(), [robot.move() for _ in range(2)])
loop = asyncio.new_event_loop()
loop.run_until_complete(asyncio.sleep(0))
loop.close()
main()
name = input("name? ")
"""
    once = sync_kernel.Session(input_hook="__input__").transform(source).code
    twice = sync_kernel.Session(input_hook="__input__").transform(once).code
    assert once != source
    assert twice == once


def test_cells_without_blocking_calls_come_back_identical():
    source = "import math\n\ndef area(r):\n    return math.pi * r ** 2  # comment\n\nprint(area(2))\n"
    result = sync_kernel.transform(source)
    assert result.code == source and result.notes == []


def test_newer_syntax_is_handled_where_the_interpreter_has_it():
    source = (
        "import time\n"
        "type Pair[T] = tuple[T, T]\n"
        "def first[T](pair: Pair[T]) -> T:\n"
        "    time.sleep(0)\n"
        "    return pair[0]\n"
        "print(first((1, 2)))\n"
    )
    result = sync_kernel.transform(source)
    if sys.version_info >= (3, 12):
        assert "async def first[T](pair: Pair[T]) -> T:" in result.code
        assert result.code.splitlines()[-1] == "print(await first((1, 2)))"
    else:  # the parser rejects it: the kernel reports the syntax error itself
        assert result.code == source


def test_template_strings_are_handled_where_the_interpreter_has_them():
    source = "import time\ndef slow():\n    time.sleep(0)\n    return 1\nmessage = t'value {slow()}'\n"
    result = sync_kernel.transform(source)
    if sys.version_info >= (3, 14):
        assert result.code.splitlines()[-1] == "message = t'value {await slow()}'"
    else:
        assert result.code == source


def test_cells_with_top_level_await_and_async_constructs_are_fine():
    (result,) = rewrite(
        """
        import asyncio, time
        async def gen():
            yield 1
        async for value in gen():
            time.sleep(0)
        async with asyncio.timeout(1):
            await asyncio.sleep(0)
        """
    )
    assert result.code.splitlines()[4] == "    await __sync__.sleep(0)"
