"""Notes are data: exact records, one per edit, in source order, with short human messages."""

from harness import rewrite
from sync_kernel import Note

COUNTDOWN = (
    "import time\n"
    "def countdown(n):\n"
    "    for i in range(n, 0, -1):\n"
    "        print(i)\n"
    "        time.sleep(1)\n"
    "countdown(3)\n"
    'greeting = input("Your name? ")\n'
)


def test_a_refusal_and_a_rewrite_give_exact_notes():
    (result,) = rewrite(COUNTDOWN + "squares = list(map(lambda x: countdown(x), [1]))\n")
    assert result.notes == [
        Note(
            5,
            8,
            "kept-blocking",
            "time.sleep stays blocking because `countdown` is called from a lambda on line 8",
            "time.sleep(1)",
            "",
        ),
        Note(
            7,
            11,
            "rewrite",
            "asks for input without blocking",
            'input("Your name? ")',
            'await __input__("Your name? ")',
        ),
    ]


def test_each_edit_has_one_note_in_source_order():
    (result,) = rewrite(COUNTDOWN)
    assert [(n.line, n.col, n.kind) for n in result.notes] == [
        (2, 0, "async-def"),
        (5, 8, "rewrite"),
        (6, 0, "await-call"),
        (7, 11, "rewrite"),
    ]
    assert [(n.before, n.after) for n in result.notes] == [
        ("def countdown", "async def countdown"),
        ("time.sleep(1)", "await __sync__.sleep(1)"),
        ("countdown(3)", "await countdown(3)"),
        ('input("Your name? ")', 'await __input__("Your name? ")'),
    ]
    assert all(0 < len(n.message) <= 100 for n in result.notes)
    assert [n.to_json()["kind"] for n in result.notes] == ["async-def", "rewrite", "await-call", "rewrite"]


def test_long_snippets_are_shortened_to_one_line():
    (result,) = rewrite("import time\ntime.sleep(\n    " + " + ".join(["1"] * 60) + "\n)\n")
    (note,) = result.notes
    assert "\n" not in note.before and len(note.before) <= 80 and note.before.endswith("…")


def test_summary_is_one_line_per_note():
    (result,) = rewrite("import time\ntime.sleep(2)\n")
    assert [n.summary() for n in result.notes] == [
        "line 2: time.sleep(2) → await __sync__.sleep(2) (waits without freezing the page)"
    ]


def test_summary_of_code_kept_as_written_has_no_arrow():
    (result,) = rewrite("import time\nf = lambda: time.sleep(2)\n")
    (note,) = result.notes
    assert note.kind == "kept-blocking" and note.after == ""
    assert note.summary() == f"line 2: time.sleep(2) ({note.message})"
