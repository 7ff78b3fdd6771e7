"""The published editions kept under ``.reports/``: their order, their records, how long they stay.

::

    .reports/
      <date>-<digest>/     one edition: memos, figure records, index, changes page, manifest.json
      .history/
        editions.jsonl     one line per published edition, oldest first

An edition folder is written once and never changed (``memo.publish.site``), except by pruning:
the newest ``editions.keep`` editions stay whole, older ones down to ``editions.keep_records`` keep
only their figure records and manifest (what ``memo diff``, the "What's new" box and ``memo send``
compare with), and older ones go. The history says in which order editions were published, and so
which one came before which; an edition published again (the data went back to an earlier state)
is a new line.

Kept light (json, hashlib, pathlib): planning reads it on every Snakemake run, to give each render
the record of its memo that the reader last saw.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

from memo.core.files import writer_alive

STORE = ".reports"
# In a folder of its own: everything directly under .reports/ is a folder (an edition, a staging
# copy, a folder moved aside), which tools and tests that copy the store rely on.
HISTORY = Path(".history") / "editions.jsonl"
MANIFEST = "manifest.json"
RECORD = ".figures.json"
# What stays of an edition older than the newest ``keep`` (editions.keep_records).
RECORD_FILES = (MANIFEST, f"*{RECORD}")

# What an edition is built from besides the code: the manifest's ``input_digest`` is the SHA-256
# of their SHA-256s (computed as the ops branch's publish does, so the two agree).
EDITION_INPUTS = ("data", "config/config.yaml", "config/memos.yaml", "templates", "assets")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def edition_inputs(root: Path) -> dict[str, str]:
    """The SHA-256 of every file in :data:`EDITION_INPUTS`, by project-relative path."""
    found: dict[str, str] = {}
    for part in EDITION_INPUTS:
        top = root / part
        files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for f in files:
            rel = f.relative_to(root)
            if f.is_file() and not any(s.startswith(".") or s == "__pycache__" for s in rel.parts):
                found[rel.as_posix()] = _sha256(f)
    return dict(sorted(found.items()))


def input_digest(root: Path) -> str:
    """The SHA-256 of the edition's inputs as the build read them (``input_digest``)."""
    return digest_of(edition_inputs(root))


def digest_of(inputs: dict[str, str]) -> str:
    """The ``input_digest`` of a listing of :func:`edition_inputs`."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


# ---- the history -------------------------------------------------------------------------------


def read_history(store: Path) -> list[dict[str, Any]]:
    """The history's lines, oldest first (a last line cut short by a crash is ignored)."""
    try:
        text = (store / HISTORY).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = []
    for line in text.split("\n")[:-1]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("edition"), str):
            lines.append(entry)
    return lines


def append_history(store: Path, entry: dict[str, Any]) -> None:
    """Add a line to the history and flush it to disk."""
    (store / HISTORY).parent.mkdir(parents=True, exist_ok=True)
    with (store / HISTORY).open("ab") as f:
        f.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def editions(store: Path) -> list[str]:
    """Every edition kept (its manifest at least), oldest first: in the history's order, after
    those published before there was a history (by folder time)."""
    if not store.is_dir():
        return []
    kept = {
        p.name
        for p in store.iterdir()
        if p.is_dir() and not p.name.startswith((".", "previous-")) and (p / MANIFEST).is_file()
    }
    order: list[str] = []
    for entry in read_history(store):
        name = entry["edition"]
        if name in kept:
            if name in order:
                order.remove(name)  # published again: it counts where it was last published
            order.append(name)
    older = sorted(kept - set(order), key=lambda n: (store / n).stat().st_mtime)
    return older + order


def current(reports: Path) -> str | None:
    """The edition ``reports`` links to (its folder name), or None before the first publish."""
    if not reports.is_symlink():
        return None
    return Path(os.readlink(reports)).name


def manifest(store: Path, edition: str) -> dict[str, Any] | None:
    """An edition's manifest, or None when it is gone or unreadable."""
    try:
        data = json.loads((store / edition / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def before(store: Path, edition: str) -> str | None:
    """The edition published before ``edition`` and still kept, or None."""
    order = editions(store)
    if edition not in order:
        return None
    i = order.index(edition)
    return order[i - 1] if i else None


def record(store: Path, edition: str, output_id: str) -> dict[str, Any] | None:
    """A memo's figure record in an edition, or None when it has none (or it was pruned)."""
    try:
        data = json.loads((store / edition / f"{output_id}{RECORD}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def memo_digests(manifest_data: dict[str, Any]) -> dict[str, str]:
    """Each memo's input key in a manifest (``memos[].digest``; "" when not recorded)."""
    out = {}
    for m in manifest_data.get("memos") or ():
        if isinstance(m, dict) and isinstance(m.get("id"), str):
            out[m["id"]] = str(m.get("digest") or "")
    return out


# ---- what a render compares with ---------------------------------------------------------------


def _stamp(store: Path) -> tuple:
    try:
        st = (store / HISTORY).stat()
        history = (st.st_size, st.st_mtime_ns)
    except OSError:
        history = ()
    try:
        names = tuple(sorted(p.name for p in store.iterdir()))
    except OSError:
        names = ()
    return history, names


@lru_cache(maxsize=4)
def _index(store: str, _stamp: tuple) -> tuple[tuple[str, dict[str, str], frozenset[str]], ...]:
    """(edition, memo digests, memos with a record) of every kept edition, newest first."""
    out = []
    for name in reversed(editions(Path(store))):
        data = manifest(Path(store), name) or {}
        records = frozenset(p.name[: -len(RECORD)] for p in (Path(store) / name).glob(f"*{RECORD}"))
        out.append((name, memo_digests(data), records))
    return tuple(out)


def previous_record(root: str | Path, output_id: str, key: str) -> str | None:
    """The record a memo's render compares with, for its "What's new" box: the memo's record in
    the newest kept edition whose memo was built from other inputs than ``key`` (its inputs now,
    memo.workflow.digest.memo_key). None for a memo never published (a first edition).

    Editions the memo did not change in are skipped, so the answer does not move when another
    memo's edition is published: an unchanged memo keeps its box, and is not rendered again.
    Returned relative to ``root`` (a Snakemake input).
    """
    store = Path(root) / STORE
    for name, digests, records in _index(str(store), _stamp(store)):
        if output_id not in records:
            continue
        if digests.get(output_id) != key or not key:
            return f"{STORE}/{name}/{output_id}{RECORD}"
    return None


def received(store: Path, output_id: str, pdf_sha256: str) -> str | None:
    """The newest kept edition whose PDF of the memo has this SHA-256 (what a reader received,
    as the delivery ledger records it) and whose record of it is kept; None when none is."""
    for name in reversed(editions(store)):
        data = manifest(store, name) or {}
        files = data.get("files") if isinstance(data.get("files"), dict) else {}
        if (
            files.get(f"{output_id}.pdf") == pdf_sha256
            and (store / name / f"{output_id}{RECORD}").is_file()
        ):
            return name
    return None


# ---- retention ---------------------------------------------------------------------------------


def prune(store: Path, keep_files: int, keep_records: int, keep: set[str]) -> list[str]:
    """Keep the newest ``keep_files`` editions whole and the records and manifests of the newest
    ``keep_records``; remove the rest, and the leftovers of killed runs. Editions in ``keep`` (the
    one just published) are never touched. Returns what was removed or thinned."""
    touched = []
    order = list(reversed(editions(store)))  # newest first
    for i, name in enumerate(order):
        if name in keep or i < keep_files:
            continue
        folder = store / name
        if i < max(keep_records, keep_files):
            extra = [
                p for p in folder.iterdir() if not any(p.match(pattern) for pattern in RECORD_FILES)
            ]
            for p in extra:
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    try:
                        p.unlink(missing_ok=True)
                    except OSError:  # kept whole until a later publish can thin it
                        pass
            if extra:
                touched.append(name)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            touched.append(name)
    # Folders without a manifest (a killed run's half-published folder from an older layout) and
    # editions of the older layout are handled by editions() and above; staging leftovers here.
    for leftover in store.glob(".staging-*"):
        try:
            pid = int(leftover.name.rsplit("-", 1)[1])
        except ValueError:
            pid = None
        if pid is None or not writer_alive(pid, leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    return touched
