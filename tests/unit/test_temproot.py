"""tests/temproot.py: the tests' temporary folders go to a tmpfs only when it is one, has room,
and nobody running the tests chose another place."""

from __future__ import annotations

from pathlib import Path

import pytest
from temproot import ROOM, TMPFS, memory_root, room_at

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
"""
PLENTY = lambda path: 24 << 30  # noqa: E731


def test_a_tmpfs_with_room_holds_them() -> None:
    assert memory_root({}, None, MOUNTS, PLENTY) == TMPFS


@pytest.mark.parametrize(
    ("environ", "basetemp"),
    [({"TMPDIR": "/var/tmp"}, None), ({"PYTEST_DEBUG_TEMPROOT": "/scratch"}, None), ({}, "bt")],
    ids=["TMPDIR", "PYTEST_DEBUG_TEMPROOT", "--basetemp"],
)
def test_a_place_chosen_by_whoever_runs_the_tests_stays(environ, basetemp) -> None:
    assert memory_root(environ, basetemp, MOUNTS, PLENTY) is None


def test_not_a_tmpfs_or_without_room_the_default_stays() -> None:
    on_disk = MOUNTS.replace("tmpfs /dev/shm tmpfs", "/dev/vdb /dev/shm ext4")
    assert memory_root({}, None, on_disk, PLENTY) is None
    noexec = MOUNTS.replace("nosuid,nodev", "nosuid,nodev,noexec")  # Docker's, hardened hosts'
    assert memory_root({}, None, noexec, PLENTY) is None
    assert memory_root({}, None, MOUNTS + "/dev/vdb /dev/shm ext4 rw 0 0\n", PLENTY) is None
    assert memory_root({}, None, on_disk + "shm /dev/shm tmpfs rw 0 0\n", PLENTY) == TMPFS
    assert memory_root({}, None, "", PLENTY) is None  # no /proc/self/mounts
    docker = lambda path: 64 << 20  # noqa: E731 - a container's 64 MB /dev/shm
    assert memory_root({}, None, MOUNTS, docker) is None
    assert memory_root({}, None, MOUNTS, lambda path: ROOM) == TMPFS


def test_room_is_what_this_user_may_write(tmp_path: Path) -> None:
    assert room_at(tmp_path) > 0
    assert room_at(tmp_path / "missing") == 0
