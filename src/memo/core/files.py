"""Write files whole or not at all, so a killed or failing run never leaves half a file."""

from __future__ import annotations

import glob
import os
from pathlib import Path


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
            os.kill(int(old.name[len(path.name) + 2 : -len(".tmp")]), 0)
        except ValueError:
            continue  # not one of ours
        except ProcessLookupError:
            old.unlink(missing_ok=True)  # its writer is gone
        except PermissionError:
            continue  # another user's live process
