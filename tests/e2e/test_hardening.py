"""Hardening, round two (issue 16), on the real build: a handful of smoke cases per class.

Each test copies one fully built project, breaks files of data/ and config/ the way a careless
editor or a hostile file does, one case per class and all at once (every problem is reported in
one run), runs ``snakemake --cores 2`` and checks what a user notices: the build exits non-zero,
prints ``path:line:`` for each line it broke (found here in the text written,
never by the code under test), echoes no control character and no content of a file outside the
project, and leaves ``reports/`` (the link and every byte of the edition) and ``build/memos/`` as
they were. Hostile YAML also runs in bounded memory: the peak resident size of every process of
the build, as the kernel counts it, stays under 200 MB (a generous timeout guards against a hang;
no test times speed). The messages themselves are checked case by case in
``tests/unit/ingest/test_hostile_input.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import build_once, copy_built, run_snakemake

pytestmark = pytest.mark.e2e

IND, SRC = "data/indicators.csv", "data/sources.csv"
DIC, MEM = "data/dictionary.yaml", "config/memos.yaml"
SECRET = "TOPSECRET-CONTENT"
# Control characters a message must never carry raw (line breaks between messages aside).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="session")
def good(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The project after one full build, shared by the xdist workers (built once, under a lock)."""
    base = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        base = base.parent
    build = build_once(base / "memo-built")
    assert build.returncode == 0, build.log[-4000:]
    return build.root


# ---- what a build leaves ---------------------------------------------------------------------


def snapshot(project: Path) -> dict:
    """The reports link, the sha256 of every file of the edition it points to, and the size and
    time of every file in build/memos/ (any rewrite shows)."""
    edition = (project / "reports").resolve()
    return {
        "link": os.readlink(project / "reports"),
        "edition": {
            p.relative_to(edition).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(edition.rglob("*"))
            if p.is_file()
        },
        "memos": {
            p.name: (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted((project / "build/memos").iterdir())
        },
    }


MEASURED = """\
import resource, subprocess, sys
run = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
sys.stdout.write(run.stdout)
print(f"\\nexit={run.returncode} peak_kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def build_measured(project: Path) -> tuple[int, str, float]:
    """``snakemake --cores 2`` in a process of its own: exit code, output, and the peak resident
    size in MB of the largest process the build ran (Linux counts every waited-for descendant)."""
    run = subprocess.run(
        [sys.executable, "-c", MEASURED, sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out, _, tail = run.stdout.rpartition("\nexit=")
    code, peak = re.fullmatch(r"(-?\d+) peak_kb=(\d+)\n", tail).groups()
    return int(code), out, int(peak) / 1024


# ---- editing the real data ---------------------------------------------------------------------


def lines(project: Path, rel: str) -> list[str]:
    return (project / rel).read_text(encoding="utf-8").splitlines(keepends=True)


def write_lines(project: Path, rel: str, text: list[str]) -> None:
    (project / rel).write_bytes("".join(text).encode("utf-8"))


def edit_cell(project: Path, rel: str, key: str, column: str, value: Callable[[str], str]) -> int:
    """Change one cell of the row whose first field is ``key`` (or starts with it); its line."""
    text = lines(project, rel)
    header = next(csv.reader([text[0]]))
    for number, line in enumerate(text, start=1):
        if number > 1 and line.startswith(key):
            row = next(csv.reader([line]))
            row[header.index(column)] = value(row[header.index(column)])
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(row)
            text[number - 1] = out.getvalue()
            write_lines(project, rel, text)
            return number
    raise AssertionError(f"no row {key!r} in {rel}")


def append_line(project: Path, rel: str, line: str) -> int:
    text = lines(project, rel)
    if text and not text[-1].endswith("\n"):
        text[-1] += "\n"
    write_lines(project, rel, [*text, line + "\n"])
    return len(text) + 1


def link_out(project: Path, rel: str) -> int:
    secret = project.parent / "secret.txt"
    secret.write_text(f"{SECRET},leaked\n{SECRET}: leaked\n", encoding="utf-8")
    (project / rel).unlink()
    (project / rel).symlink_to(secret)
    return 1


TARIFF = "us_tariff_rate_pct,IND,,2025-07,"
BOMB = 'lol1: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"lol{i}: &{chr(97 + i - 1)} [{', '.join([f'*{chr(97 + i - 2)}'] * 9)}]\n" for i in range(2, 10)
)
DEEP = "deep: " + "[" * 100_000 + "]" * 100_000


@dataclass(frozen=True)
class Bad:
    id: str
    path: str
    breaks: Callable[[Path], int]
    fragment: str  # part of the message printed at that line


def delete(project: Path, rel: str) -> int:
    (project / rel).unlink()
    return 1


CASES = [
    # One per class, broken all at once (every problem is reported in one run), beside the
    # bounded-memory cases below; every case of every class is checked at its line in
    # tests/unit/ingest/test_hostile_input.py.
    # A year out of the calendar (found only at render time before).
    Bad(
        "period-9999",
        IND,
        lambda p: edit_cell(p, IND, TARIFF, "period", lambda _: "9999-07"),
        'period: "9999-07" is outside the years',
    ),
    # A control character.
    Bad(
        "esc-in-source-title",
        SRC,
        lambda p: edit_cell(p, SRC, "fn01,", "title", lambda t: t + "\x1b[2J\x1b[31m"),
        "title: contains an escape character (U+001B)",
    ),
    # A link out of the project, in the file planning reads too.
    Bad(
        "memos-linked-out",
        MEM,
        lambda p: link_out(p, MEM),
        "file: is a link to a file outside the project",
    ),
    # A file deleted after a good build (whose figures are still on disk).
    Bad(
        "events-deleted",
        "data/events.csv",
        lambda p: delete(p, "data/events.csv"),
        "file not found",
    ),
]


def test_bad_input_stops_the_build_at_its_line(good: Path, tmp_path: Path) -> None:
    project = copy_built(good, tmp_path / "p")
    before = snapshot(project)
    lines = {case.id: case.breaks(project) for case in CASES}
    result = run_snakemake(project, "--cores", "2", timeout=600)
    out = result.stdout
    assert result.returncode != 0, out[-3000:]
    for case in CASES:
        cited = [m for m in out.splitlines() if m.startswith(f"{case.path}:{lines[case.id]}: ")]
        assert any(case.fragment in m for m in cited), (case.id, out[-3000:])
    assert not RAW_CONTROL.search(out), "a control character reached the terminal"
    assert SECRET not in out
    assert "Traceback (most recent call last)" not in out, out[-3000:]
    assert snapshot(project) == before


# Two of the six the unit tier measures (each in a process of its own there), in one build: here
# every process of the build counts, planning's reader of config/memos.yaml and
# data/dictionary.yaml included.
HOSTILE = [("alias-bomb", MEM, BOMB), ("deep-list", DIC, DEEP)]


def test_hostile_yaml_fails_in_bounded_memory_at_its_line(good, tmp_path) -> None:
    project = copy_built(good, tmp_path / "p")
    before = snapshot(project)
    # Appended at the end; the first line (the first anchor, the deep list) is the one cited.
    lines = {rel: append_line(project, rel, text.rstrip("\n")) for _, rel, text in HOSTILE}
    code, out, peak_mb = build_measured(project)
    assert code != 0, out[-3000:]
    for rel, line in lines.items():
        assert re.search(rf"^{re.escape(rel)}:{line}: yaml: ", out, re.M), out[-3000:]
    assert peak_mb < 200, f"{peak_mb:.0f} MB"
    assert "RecursionError" not in out and "MemoryError" not in out
    assert "Traceback (most recent call last)" not in out, out[-3000:]
    assert snapshot(project) == before
