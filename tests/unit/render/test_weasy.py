"""memo.render.weasy: WeasyPrint imported without a compiler run, its libraries loaded all the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# In a new process, with a gcc and an ld on PATH that only note they ran: import WeasyPrint
# through memo (or as WeasyPrint does it), then name the libraries loaded and find_library.
PROBE = """
import ctypes.util, json, sys
if sys.argv[1] == "memo":
    import memo.render.pdf
else:
    import weasyprint
from weasyprint.text import ffi
assert None not in (ffi.gobject, ffi.pango, ffi.harfbuzz, ffi.fontconfig, ffi.pangoft2)
maps = open("/proc/self/maps").read().split()
names = ("libgobject-2", "libpango-1", "libpangoft2-1", "libharfbuzz", "libfontconfig")
print(json.dumps(sorted({w for w in maps if w.startswith("/") and any(n in w for n in names)})))
print(ctypes.util.find_library.__name__)
"""


def _import(how: str, tmp_path: Path) -> tuple[list[str], str, str]:
    bin_dir, ran = tmp_path / "bin", tmp_path / "ran.log"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("gcc", "cc", "ld"):
        (bin_dir / tool).write_text(f'#!/bin/sh\necho {tool} >> "{ran}"\nexit 1\n')
        (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, how], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    libraries, find_library = done.stdout.splitlines()
    runs = ran.read_text() if ran.exists() else ""
    ran.unlink(missing_ok=True)
    return json.loads(libraries), find_library, runs


def test_weasyprint_loads_the_libraries_it_loads_alone_without_running_the_compiler(
    tmp_path: Path,
) -> None:
    libraries, find_library, runs = _import("memo", tmp_path)
    assert runs == ""
    assert find_library == "find_library"  # ctypes' own again once WeasyPrint is in
    for name in ("libgobject-2", "libpango-1", "libpangoft2-1", "libharfbuzz", "libfontconfig"):
        assert any(f"/{name}" in path for path in libraries), (name, libraries)
    alone, _, runs_alone = _import("weasyprint", tmp_path)
    assert alone == libraries
    assert "gcc" in runs_alone  # what memo's import spares: the compiler run for every odd name
