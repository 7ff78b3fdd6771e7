"""What the Snakefile needs to know at planning time: memo ids, each memo's input files, and a digest
of exactly the data each memo shows.

Kept light (no WeasyPrint, no Jinja): Snakemake imports it on every run, even a no-op one.

A memo's rendering job reruns when its *digest* changes (Snakemake's params trigger), not whenever
data/indicators.csv changes: the digest covers the rows of the indicators the memo showed last time
(and the rows its derived figures were computed from), the sources it cited, the events it dated,
the dictionary and its own definition. Editing one figure thus rebuilds only the memos that show it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATES = "templates"
SHARED_TEMPLATE_FILES = ("base.html.j2", "memo.css", "screen.css", "print.css")
FONTS = "assets/fonts"


@lru_cache(maxsize=4)
def _memos(root: str) -> dict:
    return yaml.safe_load(Path(root, "config/memos.yaml").read_text(encoding="utf-8")) or {}


def output_ids(root: str = ".") -> list[str]:
    """Every memo edition the config defines (``korea-brief-en``, ``korea-brief-ko``, …)."""
    try:
        memos = _memos(root).get("memos") or []
        return [f"{m['id']}-{lang}" for m in memos for lang in m.get("languages", ["en"])]
    except (OSError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        # A broken config is reported by the validate rule; plan nothing beyond it.
        return []


def _definition(root: str, output_id: str) -> tuple[dict, str]:
    for m in _memos(root).get("memos") or []:
        for lang in m.get("languages", ["en"]):
            if f"{m['id']}-{lang}" == output_id:
                return m, lang
    raise KeyError(output_id)


def template_inputs(root: str, output_id: str) -> list[str]:
    """Files a memo's rendering reads besides data: its template, the shared ones, fonts, catalogue."""
    m, lang = _definition(root, output_id)
    files = [f"{TEMPLATES}/{m['template']}", *(f"{TEMPLATES}/{f}" for f in SHARED_TEMPLATE_FILES)]
    files += sorted(str(p.relative_to(root)) for p in Path(root, FONTS).glob("*.ttf"))
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    return files


@lru_cache(maxsize=4)
def _rows(root: str, name: str) -> tuple[tuple[str, ...], ...]:
    try:
        text = Path(root, "data", name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(tuple(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text)))


def data_digest(root: str, output_id: str, memos_dir: str = "build/memos") -> str:
    """A digest of the data one memo depends on; a new value makes Snakemake rerun its job."""
    h = hashlib.sha256()
    try:
        m, lang = _definition(root, output_id)
    except KeyError:
        return "unknown"
    h.update(json.dumps([m, lang], sort_keys=True, default=str).encode())
    h.update(Path(root, "config/config.yaml").read_bytes() if Path(root, "config/config.yaml").exists() else b"")
    h.update(Path(root, "data/dictionary.yaml").read_bytes() if Path(root, "data/dictionary.yaml").exists() else b"")
    record = Path(root, memos_dir, f"{output_id}.figures.json")
    try:
        deps = json.loads(record.read_text(encoding="utf-8"))["depends_on"]
    except (OSError, ValueError, KeyError):
        # Never rendered (or an old record): depend on everything.
        for name in ("indicators.csv", "sources.csv", "events.csv"):
            h.update(repr(_rows(root, name)).encode())
        return h.hexdigest()
    wanted = {
        "indicators.csv": (0, set(deps.get("indicators", ()))),
        "sources.csv": (0, set(deps.get("sources", ()))),
        "events.csv": (0, set(deps.get("events", ()))),
    }
    for name, (col, keys) in wanted.items():
        rows = _rows(root, name)
        for row in rows[1:]:
            if row and row[col] in keys:
                h.update(repr(row).encode())
        # A changed header changes how every row reads.
        h.update(repr(rows[:1]).encode())
    return h.hexdigest()
