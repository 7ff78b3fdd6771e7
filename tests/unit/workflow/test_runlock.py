"""memo.workflow.runlock: a run killed half-way leaves a Snakemake lock; the next run removes it
when no other run is alive in the folder, and a dry run never removes anything."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from memo.workflow import runlock


@pytest.mark.parametrize(
    ("argv", "dry"),
    [
        (["-n"], True),
        (["--dry-run"], True),
        (["--dryrun"], True),
        (["-np"], True),
        (["-pn"], True),
        (["--cores", "2", "-n"], True),
        (["--cores", "2"], False),
        (["-c2"], False),
        (["-j", "2"], False),
        (["--notemp"], False),
        (["-nj2"], False),  # not a bundle of flags
        (["--configfile", "-n.yaml"], False),
        ([], False),
    ],
)
def test_is_dry_run(argv: list[str], dry: bool) -> None:
    assert runlock.is_dry_run(argv) is dry


def stale_locks(root: Path) -> Path:
    locks = root / runlock.SNAKEMAKE_LOCKS
    locks.mkdir(parents=True)
    for name in ("0.input.lock", "0.output.lock", "notes.txt"):
        (locks / name).write_text("x", encoding="utf-8")
    return locks


def test_the_locks_of_a_dead_run_are_removed(tmp_path: Path, capsys) -> None:
    locks = stale_locks(tmp_path)
    assert runlock.claim(tmp_path) == ["0.input.lock", "0.output.lock"]
    assert sorted(p.name for p in locks.iterdir()) == ["notes.txt"]  # only Snakemake's own
    assert "removed the Snakemake lock of a run that was killed" in capsys.readouterr().err
    # Parsed again in the same process: nothing more to do.
    assert runlock.claim(tmp_path) == []


def test_the_locks_of_a_live_run_are_left_alone(tmp_path: Path) -> None:
    locks = stale_locks(tmp_path)
    path = tmp_path / runlock.RUN_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # another run of this workflow, alive
        assert runlock.claim(tmp_path) == []
        assert sorted(p.name for p in locks.iterdir()) == [
            "0.input.lock",
            "0.output.lock",
            "notes.txt",
        ]
    finally:
        os.close(fd)
