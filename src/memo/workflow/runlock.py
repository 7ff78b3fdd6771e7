"""Let a build that was killed half-way be rerun without manual clean-up.

Snakemake locks the folder while it runs (files in ``.snakemake/locks/``) and removes the lock when
it ends. A run that is killed (SIGKILL, an out-of-memory kill, a power loss) cannot remove it, and
every later run stops with "Directory cannot be locked" until someone runs ``snakemake --unlock``.

So every run of this workflow also holds a *shared* ``flock`` on ``.snakemake/memo-run.lock`` for as
long as its process lives; the kernel drops that lock when the process ends, however it ends. While
planning, a run first asks for the same lock *exclusively*, without waiting. If it gets it, no other
run of this workflow is alive in this folder, so any Snakemake lock left in ``.snakemake/locks/``
belongs to a dead run: it is removed, and the run says so. If another run is alive, nothing is
touched and Snakemake's own lock decides, exactly as before. ``snakemake --unlock`` still works.

Limits: the check sees only runs that loaded this workflow (a Snakemake started on another Snakefile
in the same folder is not seen), and ``flock`` is unreliable on some network file systems.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

RUN_LOCK = ".snakemake/memo-run.lock"
SNAKEMAKE_LOCKS = ".snakemake/locks"
_LOCK_NAME = re.compile(r"\d+\.(input|output)\.lock")

# Open lock files of this process, by project folder: kept open (and locked) until the process ends.
_held: dict[str, int] = {}


def claim(root: str | Path = ".") -> list[str]:
    """Mark this process as a live run of the workflow in ``root`` and remove the Snakemake locks of
    runs that died; return the names of the lock files removed."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): leave locking to Snakemake alone
        return []
    folder = Path(root).resolve()
    if str(folder) in _held:  # the Snakefile was parsed again in this process
        return []
    path = folder / RUN_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_CLOEXEC: jobs started by Snakemake must not inherit the lock and keep it after it dies.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    removed: list[str] = []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another run is alive here: its locks are real
    else:
        removed = _remove_locks(folder / SNAKEMAKE_LOCKS)
    # Shared from now on: other runs may start beside this one, but none will take its lock for stale.
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held[str(folder)] = fd
    if removed:
        print(
            f"memo: removed the Snakemake lock of a run that was killed ({', '.join(removed)} in "
            f"{SNAKEMAKE_LOCKS}/); no other run is active in this folder",
            file=sys.stderr,
        )
    return removed


def _remove_locks(locks: Path) -> list[str]:
    removed = []
    try:
        entries = sorted(locks.iterdir())
    except OSError:
        return []
    for entry in entries:
        if _LOCK_NAME.fullmatch(entry.name) and entry.is_file():
            try:
                entry.unlink()
            except FileNotFoundError:
                continue
            removed.append(entry.name)
    return removed


# Snakemake's single-letter flags that take no value, which may be bundled with -n ("-np").
_FLAGS = set("nprFfqkTUO")


def is_dry_run(argv: list[str] | None = None) -> bool:
    """Whether the Snakemake command line asks for a dry run (``-n``, ``-np``, ``--dry-run``).

    Snakemake decides dry runs only after the Snakefile is parsed, so ``workflow.dryrun`` is still
    False while it is; the command line is what tells. A dry run takes no lock and must change
    nothing, so it must not remove any either.
    """
    for arg in sys.argv[1:] if argv is None else argv:
        if arg in ("--dry-run", "--dryrun", "--dry_run"):
            return True
        if len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and "n" in arg[1:]:
            if set(arg[1:]) <= _FLAGS:
                return True
    return False
