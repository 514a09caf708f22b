"""What a kernel restored from a memory snapshot redoes (``sync_kernel.kernel.snapshot``).

Restoring real snapshots, and a restored kernel matching a freshly booted one,
is tested in ``test/runtime.test.ts``; here the time-zone computation that stands
in for ``time.tzset`` (which Pyodide lacks) is checked against CPython's own
``time.tzset`` on the host (so this file is not in the in-Pyodide run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

import kernel_harness  # noqa: F401  (puts py/ on sys.path)
from sync_kernel.kernel.snapshot import read_time_zone

ZONES = ["UTC", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns"]


@pytest.fixture
def time_zone() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.parametrize("zone", ZONES)
def test_the_time_zone_read_again_is_what_time_tzset_finds(zone: str, time_zone: None) -> None:
    os.environ["TZ"] = zone
    time.tzset()
    expected = (time.timezone, time.altzone, time.daylight, tuple(time.tzname))
    time.timezone, time.altzone, time.daylight, time.tzname = 1, 2, 3, ("x", "y")
    read_time_zone()
    assert (time.timezone, time.altzone, time.daylight, tuple(time.tzname)) == expected
