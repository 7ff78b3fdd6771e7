"""Write files whole or not at all, so a killed or failing run never leaves half a file; read an
input file only when it is a regular file inside the project."""

from __future__ import annotations

import glob
import os
import stat
from pathlib import Path


class UnsafeInput(OSError):
    """An input file memo refuses to read: a link leading outside the project, or not a regular
    file (a FIFO or a device would block or never end). ``reason`` says which, in a few words."""

    def __init__(self, path: Path | str, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.filename = str(path)
        self.reason, self.hint = reason, hint

    def __str__(self) -> str:
        return self.reason


# The hint of a problem for an input file that exists but cannot be read (OSError from read_input).
UNREADABLE_HINT = "check that it is a file you can read"


def read_input(path: Path | str, display_path: str) -> bytes:
    """Read an input file of the project whole, refusing one memo must not read.

    ``display_path`` is the file's path within the project (``data/indicators.csv``); the project is
    the folder ``path`` is in once those parts are taken off its end (the file's own folder when
    they do not match). A file that is, or sits in a folder that is, a symbolic link resolving
    outside the project raises :class:`UnsafeInput` before a byte is read, so no message can quote
    the target's content; so does anything but a regular file. Links within the project are
    followed. Other errors are the usual OSError (FileNotFoundError for a missing file).
    """
    path = Path(path)
    parts = Path(display_path).parts
    depth = len(parts) if path.parts[-len(parts) :] == parts else 1
    root = path.parents[depth - 1].resolve()
    target = path.resolve()
    if os.path.lexists(path) and not target.is_relative_to(root):
        raise UnsafeInput(
            path,
            "is a link to a file outside the project; memo does not read it",
            "copy the file into the project instead of linking to it",
        )
    # Non-blocking, so that opening a FIFO does not wait for a writer; no effect on a regular file.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeInput(
                path, "is not a regular file", "replace it with the file itself (UTF-8 text)"
            )
        return f.read()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, fsync, then a rename.

    Text is written as UTF-8. A reader (or a killed build) sees the old file or the new one, never a
    part of one.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        # A full disk or an interrupt: leave no partial temporary file behind.
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.filename is None:
            e.filename = str(path)  # a failed write does not say which file it was
        raise
    _remove_orphans(path)


def _remove_orphans(path: Path) -> None:
    """Remove temporary copies of ``path`` left by processes killed while writing it (SIGKILL)."""
    for old in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            pid = int(old.name[len(path.name) + 2 : -len(".tmp")])
        except ValueError:
            continue  # not one of ours
        if not writer_alive(pid, old):
            old.unlink(missing_ok=True)


def writer_alive(pid: int, made: Path) -> bool:
    """Whether process ``pid``, named in the file or folder ``made`` as its writer, still runs.

    Not when no such process exists; nor when it is a zombie (killed, and not yet reaped: after a
    SIGKILL to a whole run this may last seconds); nor when it started after ``made`` was last
    changed (a later process given the same, reused, number). Another user's live process runs.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        changed = made.stat().st_mtime
    except OSError:
        return True  # no /proc here (or the file just went): the signal's answer stands
    # After the command name, in parentheses: state, then (22nd field) the start time in clock
    # ticks since boot.
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return False
    started = _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return started <= changed + 1.0  # the boot time is in whole seconds


def _boot_time() -> float:
    with open("/proc/stat", encoding="ascii") as f:
        for line in f:
            if line.startswith("btime "):
                return float(line.split()[1])
    return 0.0
