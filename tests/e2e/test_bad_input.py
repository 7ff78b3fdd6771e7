"""Bad input on the real build: smoke cases, each breaking files of a copy of the session's good
build the way people do (a typo, a comma left unquoted, a misnamed template), then running
``snakemake --cores 2``.

The build must stop in rule derive, before any render, exit non-zero, print every problem at once
as ``path:line: column: problem (hint)`` naming the line that was broken (found here from the file's
text, never from the checker's own parser) with a summary counting them, and leave ``reports/``
and ``build/memos/`` exactly as they were. Every message of the checkers is tested at the unit
level (tests/unit/); here, that the build as a whole behaves.

Valid but unusual files (byte-order mark and CRLF, Korean and quoted text, ids typed full width)
must build, all in one build.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import (
    MEMOS,
    copy_built,
    folder_state,
    html_text,
    pdf_text,
    rendered_memos,
    reports_snapshot,
    run_memo,
    run_snakemake,
    sha256,
)

pytestmark = pytest.mark.e2e

INDICATORS = "data/indicators.csv"
SOURCES = "data/sources.csv"
EVENTS = "data/events.csv"
DICTIONARY = "data/dictionary.yaml"
CONFIG = "config/config.yaml"
MEMOS_YAML = "config/memos.yaml"
RECIPIENTS = "config/recipients.csv"


# ---- editing one file of a project copy --------------------------------------------------------


def read(project: Path, rel: str) -> str:
    return (project / rel).read_bytes().decode("utf-8")


def write(project: Path, rel: str, text: str | bytes) -> None:
    (project / rel).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def find_line(project: Path, rel: str, prefix: str, after: str | None = None) -> int:
    """Editor line (1-based) of the one line starting with ``prefix`` (the first after ``after``)."""
    lines = read(project, rel).splitlines()
    start = lines.index(after) if after is not None else -1
    hits = [i for i, line in enumerate(lines) if i > start and line.startswith(prefix)]
    if after is not None:
        hits = hits[:1]
    assert len(hits) == 1, f"{rel}: {len(hits)} lines start with {prefix!r}"
    return hits[0] + 1


def set_raw(project: Path, rel: str, number: int, text: str) -> None:
    """Replace editor line ``number`` by ``text`` as typed (no CSV quoting)."""
    lines = read(project, rel).splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    write(project, rel, "".join(lines))


def set_cell(project: Path, rel: str, prefix: str, column: str, value: str) -> int:
    """Set one field of the one-line record starting with ``prefix``; return its editor line."""
    lines = read(project, rel).splitlines(keepends=True)
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    number = find_line(project, rel, prefix)
    fields = next(csv.reader([lines[number - 1]]))
    fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    set_raw(project, rel, number, out.getvalue().rstrip("\n"))
    return number


def first_row(project: Path, rel: str, indicator: str | None = None) -> str:
    """The leading columns (a unique prefix) of the first data row, of ``indicator`` if given."""
    for line in read(project, rel).splitlines()[1:]:
        fields = next(csv.reader([line]))
        if indicator is None or fields[0] == indicator:
            return ",".join(fields[:4]) + "," if rel == INDICATORS else fields[0] + ","
    raise AssertionError(f"no row of {indicator} in {rel}")


def memo_entry(project: Path, index: int) -> tuple[str, dict]:
    """The id line (``  - id: ...``) and definition of the memo at ``index`` in memos.yaml."""
    memo = yaml.safe_load(read(project, MEMOS_YAML))["memos"][index]
    return f"  - id: {memo['id']}", memo


# ---- the smoke cases ---------------------------------------------------------------------------

Where = tuple[str, int, str]  # (path, editor line, column) the message must name


def _value_in_words(p: Path) -> Where:
    return INDICATORS, set_cell(p, INDICATORS, first_row(p, INDICATORS), "value", "twenty"), "value"


def _unquoted_comma(p: Path) -> Where:
    """A title with a comma, unquoted, in a row whose last field is filled (empty cells a
    spreadsheet appends at the end of a row are ignored)."""
    rows = list(csv.reader(io.StringIO(read(p, EVENTS))))
    row = next(r for r in rows[1:] if r[-1])
    number = set_cell(p, EVENTS, row[0] + ",", "title", "PLACEHOLDER")
    line = read(p, EVENTS).splitlines()[number - 1]
    set_raw(p, EVENTS, number, line.replace("PLACEHOLDER", "Announced, then doubled"))
    return EVENTS, number, "row"


def _unknown_kind(p: Path) -> Where:
    """A derived indicator's ``derive:`` names a kind the engine does not have."""
    lines = read(p, DICTIONARY).splitlines()
    number = next(i for i, x in enumerate(lines, 1) if re.match(r"\s+derive: \{kind: \w+", x))
    indicator = next(m[1] for x in reversed(lines[:number]) if (m := re.match(r"  (\w+):$", x)))
    set_raw(p, DICTIONARY, number, re.sub(r"kind: \w+", "kind: rnak", lines[number - 1], count=1))
    return DICTIONARY, number, f"indicators.{indicator}.derive.kind"


def _unknown_template(p: Path) -> Where:
    after, memo = memo_entry(p, 0)
    number = find_line(p, MEMOS_YAML, "    template:", after=after)
    wrong = memo["template"].replace(".html.j2", "_v2.html.j2")
    set_raw(p, MEMOS_YAML, number, f"    template: {wrong}")
    return MEMOS_YAML, number, "memos[0].template"


def _recipient_bad_email(p: Path) -> Where:
    number = set_cell(p, RECIPIENTS, first_row(p, RECIPIENTS), "email", "name.example.org")
    return RECIPIENTS, number, "email"


def _key_figure_of_nothing(p: Path) -> Where:
    """A key figure whose period has no row: its line in memos.yaml, found by the derive step."""
    after, _memo = memo_entry(p, 0)
    number = find_line(p, MEMOS_YAML, "      - {indicator:", after=after)
    line = re.sub(r',\s*period: "?[\w-]+"?', "", read(p, MEMOS_YAML).splitlines()[number - 1])
    set_raw(p, MEMOS_YAML, number, re.sub(r"\}\s*$", ', period: "1900"}', line))
    return MEMOS_YAML, number, "memos[0].key_figures[0]"


# Each case breaks one or more files at once (every problem is reported in one run): (how, a
# fragment of the problem text). The folders the summary line must name follow from the paths.
CASES: dict[str, list[tuple[Callable[[Path], Where], str]]] = {
    # Bad data and bad config in one run: each file's problems, all of them, in one report.
    "bad-data-and-config": [
        (_value_in_words, "is not a number"),
        (_unquoted_comma, "row has 6 fields but the header has 5"),
        (_unknown_kind, "unknown derivation kind 'rnak'"),
        (_unknown_template, "does not exist"),
        (_recipient_bad_email, "is not an e-mail address"),
    ],
    # Checked once the figures are derived: a key figure that resolves to no figure.
    "key-figure-with-no-figure": [(_key_figure_of_nothing, "no figure")],
}


def expected_message(where: Where, problem: str) -> re.Pattern[str]:
    """``path:line: column: problem (hint)`` on a line of its own, with a non-empty hint."""
    path, line, column = where
    return re.compile(
        rf"^{re.escape(path)}:{line}: {re.escape(column)}: (?=.*{re.escape(problem)}).*\S \(.+\)$",
        re.M,
    )


@pytest.fixture(scope="session")
def good(built_project, reports) -> dict:
    """What the session's good build published and rendered, to compare every case against."""
    return {
        "reports": reports_snapshot(built_project.root),
        "memos": folder_state(built_project.root / "build/memos"),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_the_build_naming_each_line(case, built_project, good, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    wheres = [(breaks(project), problem) for breaks, problem in CASES[case]]
    messages = [expected_message(where, problem) for where, problem in wheres]

    result = run_snakemake(project, "--cores", "2")

    out = result.stdout
    assert result.returncode != 0, out[-3000:]
    for message in messages:
        assert message.search(out), f"expected {message.pattern!r} in:\n{out[-3000:]}"
    # The summary counts the problems and names the folders of the broken files.
    folders = " and ".join(sorted({where[0].split("/")[0] + "/" for where, _ in wheres}))
    problems = f"{len(wheres)} problem{'' if len(wheres) == 1 else 's'}"
    assert re.search(rf"^{problems} in {folders}; nothing was built$", out, re.M), out[-3000:]
    assert "Traceback" not in out
    # Stopped before any render, and nothing published.
    assert rendered_memos(out) == [], out[-3000:]
    assert not re.search(r"^(local)?rule publish:", out, re.M), out[-3000:]
    assert reports_snapshot(project) == good["reports"]
    assert folder_state(project / "build/memos") == good["memos"]

    # `memo validate` says the same.
    checked = run_memo(project, "validate")
    assert checked.returncode == 1, checked.stderr
    for message in messages:
        assert message.search(checked.stderr), checked.stderr
    assert "Traceback" not in checked.stderr


def test_the_next_run_stops_again_while_the_problem_is_there(built_project, good, tmp_path):
    """A problem no memo shows (a recipient's address) stops the build; run again without fixing
    it, the build stops again with the same message (Snakemake removed the table rule derive
    failed to write; no memo needs rendering, and a run that only looked at the memos would find
    nothing to do and exit 0)."""
    project = copy_built(built_project.root, tmp_path / "project")
    message = expected_message(_recipient_bad_email(project), "is not an e-mail address")
    for run in ("first", "second"):
        result = run_snakemake(project, "--cores", "2")
        assert result.returncode != 0, f"{run} run:\n{result.stdout[-3000:]}"
        assert message.search(result.stdout), f"{run} run:\n{result.stdout[-3000:]}"
        assert "Nothing to be done" not in result.stdout
        assert reports_snapshot(project) == good["reports"]


# ---- valid but unusual input -------------------------------------------------------------------


def _bom_crlf(p: Path) -> None:
    for rel in (INDICATORS, SOURCES, EVENTS, RECIPIENTS):
        text = read(p, rel).replace("\r\n", "\n").replace("\n", "\r\n")
        write(p, rel, b"\xef\xbb\xbf" + text.encode("utf-8"))


def _citing(project: Path) -> dict[str, list[str]]:
    """Source id -> the memos citing it, from the published figure records."""
    citing: dict[str, list[str]] = {}
    for path in sorted((project / "reports").glob("*.figures.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for note in record["notes"]:
            if note["source"]:
                citing.setdefault(note["source"], []).append(record["memo"])
    return citing


TITLE = 'Tariffs, "reciprocal" and otherwise: 미국의 관세 조치와 인도, part 2'


# An entity and a period typed full width, as an East Asian keyboard types them: the same key.
TARIFF_ROW = "us_tariff_rate_pct,IND,,2025-07,"


def test_unusual_but_valid_input_builds_as_written(built_project, good, tmp_path):
    """Valid but unusual files, all at once: a source title with quoted commas and Korean text is
    printed as written in the memos citing it; a row whose entity and period are typed full width
    and a spreadsheet's save of every table (byte-order mark, CRLF) change no other memo, byte
    for byte, one of them rendered again from the saved files."""
    project = copy_built(built_project.root, tmp_path / "project")
    citing = _citing(project)
    source = min(sorted(citing), key=lambda s: len(citing[s]))
    set_cell(project, SOURCES, f"{source},", "title", TITLE)
    assert '"Tariffs, ""reciprocal""' in read(project, SOURCES)
    set_cell(project, INDICATORS, TARIFF_ROW, "entity", "ＩＮＤ")
    set_cell(project, INDICATORS, TARIFF_ROW.replace("IND", "ＩＮＤ"), "period", "２０２５-07")
    _bom_crlf(project)
    again = next(m for m in MEMOS if m not in citing[source])
    for f in (project / "build/memos").glob(f"{again}.*"):
        f.unlink()

    assert run_memo(project, "validate").returncode == 0
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    # (Memos showing the retyped row are rendered again too: their rows' text changed.)
    assert {*citing[source], again} <= set(rendered_memos(result.stdout)), result.stdout[-3000:]
    reports = project / "reports"
    for memo in citing[source]:
        assert TITLE in html_text((reports / f"{memo}.html").read_text(encoding="utf-8")), memo
        assert " ".join(TITLE.split()) in " ".join(pdf_text(reports / f"{memo}.pdf").split())
    # A new edition, whole: every file in the manifest is there with its sha256; the memos not
    # citing the source are the first build's.
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert reports_snapshot(project)["link"] != good["reports"]["link"]
    for name, digest in manifest["files"].items():
        assert sha256(reports / name) == digest, name
    for memo in (m for m in MEMOS if m not in citing[source]):
        for ext in ("html", "pdf"):
            name = f"{memo}.{ext}"
            assert manifest["files"][name] == good["reports"]["files"][name], name
