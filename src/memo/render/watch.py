"""What the warm render server (``memo.render.server``) watches to know that what it loaded is
still current: the files rendering reads, and the memo package's own code."""

from __future__ import annotations

import os
from pathlib import Path

from memo.render.client import PACKAGE

# What rendering reads; a change to any file under these makes the server prepare again.
INPUT_DIRS = ("data", "config", "templates", "assets", "build/derived")


def inputs_key(root) -> tuple:
    """Size, time and inode of every file rendering may read, and where."""
    root = Path(root).resolve()
    files = []
    for d in INPUT_DIRS:
        for p in sorted((root / d).rglob("*")):
            try:
                st = p.stat()
            except OSError:
                continue
            if not p.is_dir():
                files.append((str(p), st.st_size, st.st_mtime_ns, st.st_ino))
    return (str(root), tuple(files))


def code_signature() -> tuple:
    """Sizes and times of the memo package's modules: a change means a server's code is stale."""
    out = []
    for folder, _dirs, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                out.append((folder, name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))
