"""Where the tests' temporary folders go: in memory when the machine has a tmpfs with room.

Each unit test copies a small project (about 25 files in 8 folders), and the end-to-end tests
copy whole builds; on a disk-backed ``/tmp`` (Debian 12's) creating and deleting those files cost
the unit tier 11-13 s of system CPU in busy hours, against 4.4-4.6 s on ``/dev/shm`` (a tmpfs):
18-19 s instead of 23-28 s. A whole run of the suite holds at most about 0.4 GB there at once.
``tests/conftest.py`` points pytest's temporary root (``PYTEST_DEBUG_TEMPROOT``) at the tmpfs
unless the person running the tests chose a place (``TMPDIR``, that variable, ``--basetemp``)
or the tmpfs lacks room; ``pytest_report_header`` says which.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

TMPFS = Path("/dev/shm")
# The free space the tmpfs must have: five times a whole run's peak, so that the three runs pytest
# keeps after failures (it keeps the folders of failing tests) still leave room.
ROOM = 2 << 30
CHOSEN = ("TMPDIR", "PYTEST_DEBUG_TEMPROOT")


def memory_root(
    environ: Mapping[str, str],
    basetemp: str | None,
    mounts: str,
    room: Callable[[Path], int],
) -> Path | None:
    """The tmpfs to hold the temporary folders, or None to leave pytest's default (``/tmp``).

    ``mounts`` is the text of ``/proc/self/mounts``; ``room(path)`` the bytes this user may write
    there (:func:`room_at`)."""
    if basetemp or any(environ.get(name) for name in CHOSEN):
        return None  # the person running the tests chose
    if not any(line.split()[1:3] == [str(TMPFS), "tmpfs"] for line in mounts.splitlines()):
        return None
    return TMPFS if room(TMPFS) >= ROOM else None


def room_at(path: Path) -> int:
    """Bytes free at ``path`` for this user: 0 where it cannot write or make folders."""
    try:
        if not os.access(path, os.W_OK | os.X_OK):
            return 0
        stat = os.statvfs(path)
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize
