"""Where the unit tier's temporary folders go: in memory when the machine has a tmpfs with room.

Each unit test copies a small project (about 25 files in 8 folders); on a disk-backed ``/tmp``
(Debian 12's) creating and deleting those files cost the unit tier 11-13 s of system CPU in busy
hours, against 4.4-4.6 s on ``/dev/shm`` (a tmpfs): 18-19 s instead of 23-28 s. The unit tier
holds about 10 MB there at once (pytest deletes a passing test's folder at its teardown), and a
failing run leaves little more. ``tests/conftest.py`` points pytest's temporary root
(``PYTEST_DEBUG_TEMPROOT``) at the tmpfs for a run of the unit tier alone (``-m "not e2e"``, or
paths under tests/unit) unless the person running the tests chose a place (``TMPDIR``, that
variable, ``--basetemp``) or the tmpfs cannot take it. Runs with end-to-end tests keep pytest's
default: their builds peak near 0.4 GB and a failing run keeps its shared builds, which do not
belong in memory until the next reboot. ``pytest_report_header`` says where the folders are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

TMPFS = Path("/dev/shm")
ROOM = 1 << 30  # free space the tmpfs must have: a hundred times the unit tier's peak
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
    # The last mount on the path is the one in effect. Tests run programs they write into their
    # folders (stand-in compilers, a virtual environment's scripts): not on a noexec mount.
    mounted = (line.split() for line in mounts.splitlines())
    here = [fields for fields in mounted if len(fields) > 3 and fields[1] == str(TMPFS)]
    if not here or here[-1][2] != "tmpfs" or "noexec" in here[-1][3].split(","):
        return None
    return TMPFS if room(TMPFS) >= ROOM else None


def mounts() -> str:
    """This process's mount table (``/proc/self/mounts``); empty where there is none (macOS)."""
    try:
        return Path("/proc/self/mounts").read_text()
    except OSError:
        return ""


def room_at(path: Path) -> int:
    """Bytes free at ``path`` for this user: 0 where it cannot write or make folders."""
    try:
        if not os.access(path, os.W_OK | os.X_OK):
            return 0
        stat = os.statvfs(path)
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize
