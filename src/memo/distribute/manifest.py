"""Check a published folder against its manifest before anything is sent from it.

``reports/manifest.json`` lists every published file with its SHA-256 (``files``). A folder passes
when every listed file is there, is a plain file (not a link) and has that SHA-256, when every
memo's HTML and PDF are listed, and when the folder holds nothing else. The send workflow runs this
on the artifact of the build run that was reviewed, so what goes out is byte for byte what was
built and looked at; ``memo send`` runs it too, before every send.

The digest of the manifest file itself (:attr:`Verified.sha256`) then names the whole edition in
the delivery ledger: one hash that covers every byte sent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memo.core.problems import DataError, Problem, format_problems

MANIFEST = "manifest.json"
REBUILD = "rebuild and publish (snakemake), or take the artifact of the reviewed build again"


@dataclass(frozen=True)
class Verified:
    """A published folder that matches its manifest."""

    folder: Path
    manifest: dict[str, Any]
    sha256: str  # of manifest.json, byte for byte
    files: int  # how many files were checked


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def verify(folder: Path, display: str = "reports") -> Verified:
    """Check ``folder`` against its ``manifest.json``; raise DataError listing every mismatch."""
    shown = display.rstrip("/") or "."
    where = f"{shown}/{MANIFEST}"
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        hint = "build and publish the memos first: snakemake"
        raise DataError([Problem(where, 1, "", "not found", hint)]) from None
    except OSError as exc:
        raise DataError([Problem(where, 1, "", f"cannot read: {exc.strerror or exc}")]) from None
    try:
        manifest: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", 1)
        raise DataError([Problem(where, line, "", f"not JSON ({exc})", REBUILD)]) from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        raise DataError([Problem(where, 1, "files", "missing or empty", REBUILD)])
    lines = raw.decode("utf-8").splitlines()

    problems: list[Problem] = []
    for name, expected in files.items():
        line = _line_of(lines, name)
        path = folder / name
        if not isinstance(name, str) or Path(name).name != name or name in (".", ".."):
            what = f'"{name}" is not a file name in the folder'
            problems.append(Problem(where, line, f"files.{name}", what))
        elif not isinstance(expected, str) or len(expected) != 64:
            problems.append(Problem(where, line, f"files.{name}", "is not a SHA-256", REBUILD))
        elif path.is_symlink() or (path.exists() and not path.is_file()):
            what = "is not a plain file in the folder"
            problems.append(Problem(where, line, f"files.{name}", what, REBUILD))
        elif not path.exists():
            what = f"{name} is missing from {shown}/"
            problems.append(Problem(where, line, f"files.{name}", what, REBUILD))
        elif (actual := file_sha256(path)) != expected:
            what = f"{name} has sha256 {actual[:12]}…, the manifest says {expected[:12]}…"
            hint = "the file was changed after the build: " + REBUILD
            problems.append(Problem(where, line, f"files.{name}", what, hint))

    for i, memo in enumerate(manifest.get("memos") or []):
        for key in ("html", "pdf"):
            name = memo.get(key) if isinstance(memo, dict) else None
            if isinstance(name, str) and name not in files:
                what = f'"{name}" is not listed in files'
                problems.append(Problem(where, _line_of(lines, name), f"memos[{i}].{key}", what))

    listed = set(files) | {MANIFEST}
    for path in sorted(folder.iterdir()):
        if path.name not in listed:
            what = f"not listed in {MANIFEST}"
            hint = "a file the build did not publish: remove it, or " + REBUILD
            problems.append(Problem(f"{shown}/{path.name}", 1, "", what, hint))
    if problems:
        raise DataError(problems)
    return Verified(folder, manifest, hashlib.sha256(raw).hexdigest(), len(files))


def _line_of(lines: list[str], name: object) -> int:
    """Editor line of ``"name":`` in the manifest text (1 if not found)."""
    key = json.dumps(name, ensure_ascii=False) + ":"
    for number, text in enumerate(lines, start=1):
        if text.lstrip().startswith(key):
            return number
    return 1


def cli_verify_manifest(args: argparse.Namespace) -> int:
    """``memo verify-manifest``: 0 when the folder matches its manifest, 1 with the problems."""
    root = Path(getattr(args, "root", ".") or ".")
    shown = args.reports
    folder = Path(shown) if Path(shown).is_absolute() else root / shown
    try:
        verified = verify(folder, shown)
    except DataError as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        print(f"{shown}/ does not match its manifest: send nothing from it", file=sys.stderr)
        return 1
    print(
        f"{shown.rstrip('/')}/{MANIFEST}: {verified.files} files match "
        f"(manifest sha256 {verified.sha256})"
    )
    return 0
