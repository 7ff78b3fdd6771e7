"""Shared helpers for the end-to-end tests: copy the project, run snakemake and memo, read outputs.

Every end-to-end test works on a copy of the project in a temporary folder, never on the checkout,
so tests can run in parallel (pytest -n 2) beside engineers building in the checkout.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What a project needs to build; build/, reports/, .reports/ and .snakemake/ are left behind.
PROJECT_PARTS = ("Snakefile", "rules", "profiles", "config", "data", "templates", "assets")

# The memo editions config/memos.yaml defines, and their page targets.
MEMOS = ("korea-brief-en", "korea-brief-ko", "us-brief-en", "key-figures-en")
ENGLISH_MEMOS = ("korea-brief-en", "us-brief-en", "key-figures-en")

EDITION_DATE = "2025-09-15"


@dataclass(frozen=True)
class Build:
    """A project copy after a snakemake run: its folder, what snakemake printed, its exit code."""

    root: Path
    log: str
    returncode: int


def copy_project(tmp_path: Path, name: str = "project") -> Path:
    """Copy the project's sources (not its build outputs) to ``tmp_path/name``; return that folder."""
    dst = tmp_path / name
    dst.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(
                src, dst / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp")
            )
        elif src.is_file():
            shutil.copy2(src, dst / part)
    return dst


def copy_built(src: Path, dst: Path) -> Path:
    """Copy a built project (with build/, .reports/, the reports link and .snakemake/), keeping
    modification times, so that snakemake in the copy sees it as up to date."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def build_once(base: Path) -> Build:
    """Copy the project into ``base/project`` and run ``snakemake --cores 2`` there, once: later
    calls (from other test processes too) wait for the first and return its result."""
    import fcntl
    import json

    base.mkdir(parents=True, exist_ok=True)
    result_file = base / "result.json"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result_file.is_file():
                root = copy_project(base)
                result = run_snakemake(root, "--cores", "2")
                result_file.write_text(
                    json.dumps({"log": result.stdout, "returncode": result.returncode}),
                    encoding="utf-8",
                )
            done = json.loads(result_file.read_text(encoding="utf-8"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Build(root=base / "project", log=done["log"], returncode=done["returncode"])


def run_snakemake(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run snakemake in ``project`` with ``args``; output (stdout and stderr together) as text."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def run_memo(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``memo`` command line in a fresh process, rooted at ``project``."""
    return subprocess.run(
        [sys.executable, "-m", "memo.cli", "--root", str(project), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rendered_memos(snakemake_output: str) -> list[str]:
    """Memo ids of the ``render`` jobs snakemake ran (or planned), in the order it printed them."""
    found = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", snakemake_output):
        if re.match(r"(?:local)?rule render:", block.strip()):
            m = re.search(r"wildcards: memo=([\w-]+)", block)
            if m:
                found.append(m.group(1))
    return found


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, failing if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def set_indicator_value(
    project: Path, indicator: str, entity: str, counterpart: str, period: str, value: str
) -> int:
    """Set one row's value in data/indicators.csv (the row found by its key); return its line."""
    path = project / "data/indicators.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    hits = [
        i
        for i, r in enumerate(rows)
        if i
        and r[col["indicator"]] == indicator
        and r[col["entity"]] == entity
        and r[col["counterpart"]] == counterpart
        and r[col["period"]] == period
    ]
    assert len(hits) == 1, f"{indicator}/{entity}/{counterpart}/{period}: {len(hits)} rows"
    rows[hits[0]][col["value"]] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return hits[0] + 1


def indicator_rows(project: Path) -> dict[int, dict[str, str]]:
    """data/indicators.csv as {editor line: row}, header = line 1."""
    with (project / "data/indicators.csv").open(encoding="utf-8", newline="") as f:
        return {i: row for i, row in enumerate(csv.DictReader(f), start=2)}


def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page of a PDF, as pypdf extracts it."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages_text(path))


def html_text(markup: str) -> str:
    """The visible text of an HTML memo's body, tags removed and entities decoded, spaces squeezed."""
    body = markup.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", "", body)
    return " ".join(html.unescape(text).split())


# ---- templates hold no numerals -----------------------------------------------------------------

_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
# Text translated inside an expression, {{ _("...") }}: the reader sees it too.
_GETTEXT = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""", re.S)


def template_numerals(source: str) -> list[str]:
    """Digits a reader would see in a template's own text (not in expressions, tags or styles).

    Figures, dates and counts must come from the data through ``fact()``/``event()``: a numeral
    typed into a template goes stale the day the data change. The template's text is what is left
    once <style> elements, Jinja comments, expressions and statements, and tags are taken out, plus
    the messages translated inside expressions (``{{ _("...") }}``). Returns each offending line,
    stripped, so that a failure shows where the numeral is.
    """
    text = _COMMENT.sub(" ", _STYLE.sub(" ", source))
    messages = [a or b for expr in _EXPR.findall(text) for a, b in _GETTEXT.findall(expr)]
    text = _TAG.sub(" ", _EXPR.sub(" ", text))
    lines = [*html.unescape(text).splitlines(), *messages]
    return [line.strip() for line in lines if re.search(r"\d", line)]
