"""Make ``sync_kernel`` (in ``py/``) and the test harness importable, from any working directory."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE.parent, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
