"""Every original line keeps its number and untouched code keeps its text."""

import sync_kernel
from harness import assert_same_behaviour, cells_of, rewrite


def test_untouched_lines_keep_comments_and_formatting():
    source = cells_of(
        """
        import time   # the clock
        def work( n ):   # odd spacing stays
            '''Docstring.'''
            time.sleep( n )  # nap
            return   n

        # a comment line
        work( 0 )
        """
    )[0]
    (result,) = rewrite(source)
    before, after = source.splitlines(), result.code.splitlines()
    assert len(before) == len(after)
    changed = {i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    assert changed == {1, 3, 7}
    assert after[3] == "    await __sync__.sleep( n )  # nap"
    assert after[7] == "await work( 0 )"


def test_columns_count_characters_not_bytes():
    (result,) = rewrite('import time\nprint("héllo wörld ✓"); time.sleep(0); print("∂")\n')
    assert result.code.splitlines()[1] == 'print("héllo wörld ✓"); await __sync__.sleep(0); print("∂")'
    assert result.notes[0].col == len('print("héllo wörld ✓"); ')


def test_windows_line_endings_are_kept():
    result = sync_kernel.transform("import time\r\ntime.sleep(0)\r\nprint(1)\r\n")
    assert result.code == "import time\r\nawait __sync__.sleep(0)\r\nprint(1)\r\n"


def test_tracebacks_point_at_the_users_lines():
    outcome = assert_same_behaviour(
        """
        import time

        def risky(n):
            time.sleep(0.001)
            if n > 1:
                raise ValueError(f"too big: {n}")
            return n

        for i in range(3):
            print(risky(i))
        """
    )
    assert outcome.cells[0].error == ("ValueError", "too big: 2", 6)


def test_line_count_is_kept_for_multiline_calls():
    (result,) = rewrite(
        """
        import asyncio, time
        def work(
            a,
            b,
        ):
            time.sleep(
                a
            )
        work(
            1,
            2,
        )
        asyncio.run(
            main(
                1,
            ),  # trailing comment
            debug=False,
        )
        """
    )
    assert result.code.count("\n") == result.source.count("\n")
    compile(result.code, "<cell>", "exec", flags=0x2000)
