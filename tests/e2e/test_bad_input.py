"""Bad input on the real build: a few smoke cases per kind of file, each breaking one file of a copy
of the session's good build the way people do, then running ``snakemake --cores 2``.

The build must stop in rule derive, before any render, exit non-zero, print
``path:line: column: problem (hint)`` naming the line that was broken (found here from the file's
text, never from the checker's own parser), and leave ``reports/`` and ``build/memos/`` exactly as
they were. Every message of the checkers is tested at the unit level (tests/unit/); here, that
the build as a whole behaves.

Valid but unusual files (byte-order mark and CRLF, Korean and quoted text) must build.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import (
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


@dataclass(frozen=True)
class Bad:
    id: str
    breaks: Callable[[Path], Where]
    problem: str  # a fragment of the problem text
    validate: bool = False  # also run `memo validate` on this case


def _value_in_words(p: Path) -> Where:
    return INDICATORS, set_cell(p, INDICATORS, first_row(p, INDICATORS), "value", "twenty"), "value"


def _unquoted_comma(p: Path) -> Where:
    number = set_cell(p, INDICATORS, first_row(p, INDICATORS), "note", "PLACEHOLDER")
    line = read(p, INDICATORS).splitlines()[number - 1]
    set_raw(p, INDICATORS, number, line.replace("PLACEHOLDER", "announced, then doubled"))
    return INDICATORS, number, "row"


def _unknown_kind(p: Path) -> Where:
    """A derived indicator's ``derive:`` names a kind the engine does not have."""
    number = next(
        i
        for i, line in enumerate(read(p, DICTIONARY).splitlines(), 1)
        if re.match(r"\s+derive: \{kind: \w+", line)
    )
    lines = read(p, DICTIONARY).splitlines()
    indicator = next(m[1] for x in reversed(lines[:number]) if (m := re.match(r"  (\w+):$", x)))
    set_raw(p, DICTIONARY, number, re.sub(r"kind: \w+", "kind: rnak", lines[number - 1], count=1))
    return DICTIONARY, number, f"indicators.{indicator}.derive.kind"


def _unknown_template(p: Path) -> Where:
    after, memo = memo_entry(p, 0)
    number = find_line(p, MEMOS_YAML, "    template:", after=after)
    wrong = memo["template"].replace(".html.j2", "_v2.html.j2")
    set_raw(p, MEMOS_YAML, number, f"    template: {wrong}")
    return MEMOS_YAML, number, "memos[0].template"


def _key_figure_of_nothing(p: Path) -> Where:
    """A key figure whose period has no row: its line in memos.yaml, found by the derive step."""
    after, memo = memo_entry(p, 0)
    number = find_line(p, MEMOS_YAML, "      - {indicator:", after=after)
    line = read(p, MEMOS_YAML).splitlines()[number - 1]
    line = re.sub(r',\s*period: "?[\w-]+"?', "", line)
    set_raw(p, MEMOS_YAML, number, re.sub(r"\}\s*$", ', period: "1900"}', line))
    return MEMOS_YAML, number, "memos[0].key_figures[0]"


def _impossible_edition_date(p: Path) -> Where:
    number = find_line(p, CONFIG, "  date:")
    set_raw(p, CONFIG, number, '  date: "2025-02-30"')
    return CONFIG, number, "edition.date"


def _recipient_bad_email(p: Path) -> Where:
    number = set_cell(p, RECIPIENTS, first_row(p, RECIPIENTS), "email", "name.example.org")
    return RECIPIENTS, number, "email"


BAD = [
    # data/
    Bad("value-in-words", _value_in_words, "is not a number", validate=True),
    Bad("unquoted-comma", _unquoted_comma, "row has 12 fields but the header has 11"),
    Bad("derivation-of-unknown-kind", _unknown_kind, "rnak"),
    # config/
    Bad("memo-unknown-template", _unknown_template, "does not exist", validate=True),
    Bad("key-figure-with-no-figure", _key_figure_of_nothing, "no figure"),
    Bad("impossible-edition-date", _impossible_edition_date, "is not a real date"),
    Bad("recipient-bad-email", _recipient_bad_email, "is not an e-mail address"),
]


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


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_input_stops_the_build_naming_the_line(case: Bad, built_project, good, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    where = case.breaks(project)
    message = expected_message(where, case.problem)

    result = run_snakemake(project, "--cores", "2")

    out = result.stdout
    assert result.returncode != 0, out[-3000:]
    assert message.search(out), f"expected {message.pattern!r} in:\n{out[-3000:]}"
    # The summary counts the problems and names the folder of the broken file.
    count = re.search(r"^(\d+) (problems?) in ([\w/ ]+); nothing was built$", out, re.M)
    assert count, out[-3000:]
    assert (count[1] == "1") == (count[2] == "problem"), count[0]
    assert where[0].split("/")[0] + "/" in count[3], count[0]
    assert "Traceback" not in out
    # Stopped before any render, and nothing published.
    assert rendered_memos(out) == [], out[-3000:]
    assert not re.search(r"^(local)?rule publish:", out, re.M), out[-3000:]
    assert reports_snapshot(project) == good["reports"]
    assert folder_state(project / "build/memos") == good["memos"]

    if case.validate:
        checked = run_memo(project, "validate")
        assert checked.returncode == 1, checked.stderr
        assert message.search(checked.stderr), checked.stderr
        assert "Traceback" not in checked.stderr


# ---- valid but unusual input -------------------------------------------------------------------


def _bom_crlf(p: Path) -> None:
    for rel in (INDICATORS, SOURCES, EVENTS, RECIPIENTS):
        text = read(p, rel).replace("\r\n", "\n").replace("\n", "\r\n")
        write(p, rel, b"\xef\xbb\xbf" + text.encode("utf-8"))


def test_byte_order_mark_and_crlf_read_the_same(built_project, good, tmp_path):
    """A spreadsheet's save (BOM, CRLF) gives the same memos, byte for byte: one memo rendered
    again from the saved files matches the first build."""
    project = copy_built(built_project.root, tmp_path / "project")
    _bom_crlf(project)
    memo = json.loads((project / "reports/manifest.json").read_text("utf-8"))["memos"][0]["id"]
    for f in (project / "build/memos").glob(f"{memo}.*"):
        f.unlink()
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert rendered_memos(result.stdout) == [memo], result.stdout[-3000:]
    assert reports_snapshot(project) == good["reports"]


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


def test_quoted_commas_and_korean_text_in_a_title_are_printed_as_written(
    built_project, good, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "project")
    citing = _citing(project)
    source = min(sorted(citing), key=lambda s: len(citing[s]))
    set_cell(project, SOURCES, f"{source},", "title", TITLE)
    assert '"Tariffs, ""reciprocal""' in read(project, SOURCES)

    assert run_memo(project, "validate").returncode == 0
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert sorted(rendered_memos(result.stdout)) == sorted(citing[source])
    reports = project / "reports"
    for memo in citing[source]:
        assert TITLE in html_text((reports / f"{memo}.html").read_text(encoding="utf-8")), memo
        assert " ".join(TITLE.split()) in " ".join(pdf_text(reports / f"{memo}.pdf").split())
    # A new edition, whole: every file in the manifest is there with its sha256.
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert reports_snapshot(project)["link"] != good["reports"]["link"]
    for name, digest in manifest["files"].items():
        assert sha256(reports / name) == digest, name
