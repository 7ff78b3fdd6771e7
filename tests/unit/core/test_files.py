"""memo.core.files: write_atomic (a file appears whole or not at all, and says which file failed)
and writer_alive (whether the process that named a file is still writing it)."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from memo.core import files
from memo.core.files import write_atomic, writer_alive
from unit.support import zombie


def test_writes_text_as_utf8_creating_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "build/derived/figures.csv"
    write_atomic(path, "관세,50%\n")
    assert path.read_bytes() == "관세,50%\n".encode()
    assert sorted(p.name for p in path.parent.iterdir()) == ["figures.csv"]


def test_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "memo.pdf"
    path.write_bytes(b"old")
    write_atomic(path, b"new bytes")
    assert path.read_bytes() == b"new bytes"


def test_a_failed_write_keeps_the_old_file_leaves_no_temporary_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "memo.pdf"
    path.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError) as raised:
        write_atomic(path, b"new")
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == str(path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.pdf"]


def test_temporaries_of_killed_writers_are_removed_and_those_of_live_ones_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "figures.csv"
    dead = tmp_path / ".figures.csv.999999999.tmp"  # no such process
    alive = tmp_path / f".figures.csv.{os.getppid()}.tmp"  # the process that started this test
    other = tmp_path / ".figures.csv.backup.tmp"  # not a writer's temporary
    for p in (dead, alive, other):
        p.write_bytes(b"half")
    write_atomic(path, "x")
    assert not dead.exists()
    assert alive.exists() and other.exists()


def test_a_zombie_or_a_later_process_with_the_writers_number_is_not_the_writer(
    tmp_path: Path,
) -> None:
    made = tmp_path / ".figures.csv.1.tmp"
    made.write_bytes(b"half")
    assert writer_alive(os.getpid(), made)
    assert not writer_alive(999999999, made)  # no such process

    # Killed, its parent not having reaped it yet: a zombie, which signal 0 still reaches.
    with zombie() as pid:
        assert not writer_alive(pid, made)

    # A file last changed before this process started was not written by it: its number is reused.
    old = time.time() - 3600
    os.utime(made, (old, old))
    assert not writer_alive(os.getpid(), made)
