"""A fast sample of the standard-library sweep (``npm run sweep`` runs all of it)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import sweep  # noqa: E402

#: Files known to contain blocking calls, so the sample always exercises rewriting.
WITH_BLOCKING_CALLS = ("turtledemo/penrose.py", "imaplib.py", "asyncio/__main__.py", "test/test_asyncio/test_runners.py")


def test_sample_of_the_standard_library():
    files = sweep.stdlib_files()
    known = [path for path in files if any(str(path).endswith(name) for name in WITH_BLOCKING_CALLS)]
    chosen = sweep.sample(files, 120) + known
    report = sweep.sweep(chosen)
    assert report.failures == []
    assert report.files >= 100
    assert report.changed >= 1 and report.edits >= 5
