"""Bad input: a catalogue of malformed files, each case a test of the real build.

Every case starts from a copy of one good, fully built project (the session's ``built_project``),
breaks one file the way people do (a typo, a spreadsheet saved wrongly, a copy-paste), runs
``snakemake --cores 2`` and checks that the build

- stops before any job runs (the planning-time check, ``memo.workflow.require_valid``) and exits
  non-zero,
- prints ``path:line: column: problem (hint)`` naming the line that was broken (computed here from
  the file's text, never from the checker's own parser),
- leaves ``reports/`` exactly as it was: the same link, the same files, the same bytes, and leaves
  ``build/memos/`` untouched.

The catalogue also holds valid but unusual files (byte-order mark, CRLF, quoted commas, spaces around
header names, Korean text, very long notes, spreadsheet padding) that must build.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import copy_built, html_text, pdf_text, run_memo, run_snakemake

INDICATORS = "data/indicators.csv"
SOURCES = "data/sources.csv"
EVENTS = "data/events.csv"
DICTIONARY = "data/dictionary.yaml"
CONFIG = "config/config.yaml"
MEMOS_YAML = "config/memos.yaml"
RECIPIENTS = "config/recipients.csv"

# Rows the cases edit, found by their key (the leading columns), never by a fixed line number.
TARIFF = "us_tariff_rate_pct,IND,,2025-07,"
CRUDE_RANGE = "crude_import_share_pct,IND,RUS,2025,"


# ---- what reports/ and build/memos/ hold -------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reports_snapshot(project: Path) -> dict:
    """Where ``reports`` points and the sha256 of every file of the edition it points to."""
    link = project / "reports"
    edition = link.resolve()
    return {
        "link": os.readlink(link),
        "files": {
            p.relative_to(edition).as_posix(): sha256(p)
            for p in sorted(edition.rglob("*"))
            if p.is_file()
        },
    }


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Name -> (size, mtime_ns) of every file in a folder: any rewrite shows."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# ---- editing one file of a project copy --------------------------------------------------------


def read(project: Path, rel: str) -> str:
    return (project / rel).read_bytes().decode("utf-8")


def write(project: Path, rel: str, text: str | bytes) -> None:
    (project / rel).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def find_line(project: Path, rel: str, prefix: str, after: str | None = None) -> int:
    """Editor line (1-based) of the one line starting with ``prefix`` (after the line ``after``)."""
    lines = read(project, rel).splitlines()
    start = lines.index(after) if after is not None else -1
    hits = [i for i, line in enumerate(lines) if i > start and line.startswith(prefix)]
    if after is not None:
        hits = hits[:1]
    assert len(hits) == 1, f"{rel}: {len(hits)} lines start with {prefix!r}"
    return hits[0] + 1


def set_cell(project: Path, rel: str, prefix: str, column: str, value: str) -> int:
    """Set one field of the one-line record starting with ``prefix``; return its editor line."""
    lines = read(project, rel).splitlines(keepends=True)
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    number = find_line(project, rel, prefix)
    fields = next(csv.reader([lines[number - 1]]))
    fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    lines[number - 1] = out.getvalue()
    write(project, rel, "".join(lines))
    return number


def set_raw(project: Path, rel: str, number: int, text: str) -> None:
    """Replace editor line ``number`` by ``text`` as typed (no CSV quoting)."""
    lines = read(project, rel).splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    write(project, rel, "".join(lines))


def replace_line(project: Path, rel: str, prefix: str, new: str, after: str | None = None) -> int:
    """Replace the line starting with ``prefix`` (the first one after ``after``) by ``new``."""
    number = find_line(project, rel, prefix, after)
    indent = ""
    set_raw(project, rel, number, indent + new)
    return number


def insert_after(project: Path, rel: str, line_text: str, new: str) -> int:
    """Insert ``new`` after the line equal to ``line_text``; return the new line's number."""
    lines = read(project, rel).splitlines(keepends=True)
    index = [line.rstrip("\r\n") for line in lines].index(line_text)
    lines.insert(index + 1, new + "\n")
    write(project, rel, "".join(lines))
    return index + 2


def memo_index(project: Path, memo_id: str) -> int:
    memos = yaml.safe_load(read(project, MEMOS_YAML))["memos"]
    return [m["id"] for m in memos].index(memo_id)


# ---- the catalogue: malformed inputs ----------------------------------------------------------

Where = tuple[str, int, str]  # (path, editor line, column) the message must name


@dataclass(frozen=True)
class Bad:
    id: str
    breaks: Callable[[Path], Where]
    problem: str  # a fragment of the problem text
    validate: bool = False  # also run `memo validate` on this case


def _cell(rel: str, prefix: str, column: str, value: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        return rel, set_cell(p, rel, prefix, column, value), column

    return breaks


def _duplicate_row(p: Path) -> Where:
    text = read(p, INDICATORS)
    line = next(x for x in text.splitlines() if x.startswith(TARIFF))
    write(p, INDICATORS, text.rstrip("\n") + "\n" + line + "\n")
    return INDICATORS, len(text.rstrip("\n").splitlines()) + 1, "row"


def _rename_header(rel: str, old: str, new: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        lines = read(p, rel).splitlines(keepends=True)
        names = lines[0].rstrip("\r\n").split(",")
        lines[0] = ",".join(new if n == old else n for n in names) + "\n"
        write(p, rel, "".join(lines))
        return rel, 1, "header"

    return breaks


def _empty(p: Path) -> Where:
    write(p, INDICATORS, "")
    return INDICATORS, 1, "file"


def _header_only(p: Path) -> Where:
    write(p, INDICATORS, read(p, INDICATORS).splitlines(keepends=True)[0])
    return INDICATORS, 1, "file"


def _semicolons(p: Path) -> Where:
    rows = list(csv.reader(io.StringIO(read(p, INDICATORS))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    write(p, INDICATORS, out.getvalue())
    return INDICATORS, 1, "header"


def _bad_byte(rel: str, prefix: str, column: str, byte: bytes) -> Callable[[Path], Where]:
    """Put a byte that is not UTF-8 (a Latin-1 é, a stray 0xFF) into one field of one row."""

    def breaks(p: Path) -> Where:
        number = set_cell(p, rel, prefix, column, "MARKER")
        raw = (p / rel).read_bytes()
        assert raw.count(b"MARKER") == 1
        write(p, rel, raw.replace(b"MARKER", b"Caf" + byte + b" wording"))
        return rel, number, "encoding"

    return breaks


def _cp949(p: Path) -> Where:
    """A Korean note saved by Korean Windows Excel (CP949), in an otherwise UTF-8 file."""
    number = set_cell(p, INDICATORS, TARIFF, "note", "MARKER")
    raw = (p / INDICATORS).read_bytes()
    write(p, INDICATORS, raw.replace(b"MARKER", "관세 인상".encode("cp949")))
    return INDICATORS, number, "encoding"


def _utf16(p: Path) -> Where:
    write(p, INDICATORS, read(p, INDICATORS).encode("utf-16"))
    return INDICATORS, 1, "encoding"


def _unquoted_comma(p: Path) -> Where:
    number = set_cell(p, INDICATORS, TARIFF, "note", "PLACEHOLDER")
    line = read(p, INDICATORS).splitlines()[number - 1]
    set_raw(p, INDICATORS, number, line.replace("PLACEHOLDER", "announced, then doubled"))
    return INDICATORS, number, "row"


def _unclosed_quote(p: Path) -> Where:
    number = set_cell(p, INDICATORS, TARIFF, "note", "PLACEHOLDER")
    line = read(p, INDICATORS).splitlines()[number - 1]
    set_raw(p, INDICATORS, number, line.replace("PLACEHOLDER", '"the quote never closes'))
    return INDICATORS, number, "row"


def _multiline_note_before(p: Path) -> Where:
    """A valid note spanning two lines shifts every later row down one line: the message must
    name the editor line, not the record number."""
    set_cell(p, INDICATORS, "bilateral_trade_usd_bn,USA,IND,2000,", "note", "first line\nsecond")
    return INDICATORS, set_cell(p, INDICATORS, TARIFF, "value", "25 percent"), "value"


def _derived_typed(p: Path) -> Where:
    indicators = yaml.safe_load(read(p, DICTIONARY))["indicators"]
    derived = sorted(
        i for i, d in indicators.items() if d.get("derived") and d["unit"] == "percent"
    )
    return INDICATORS, set_cell(p, INDICATORS, TARIFF, "indicator", derived[0]), "indicator"


def _dictionary_key(key: str, new: str, column_key: str) -> Callable[[Path], Where]:
    """Replace the line starting with ``key`` inside the us_tariff_rate_pct block."""

    def breaks(p: Path) -> Where:
        number = replace_line(p, DICTIONARY, key, new, after="  us_tariff_rate_pct:")
        return DICTIONARY, number, f"indicators.us_tariff_rate_pct.{column_key}"

    return breaks


def _dictionary_tab(p: Path) -> Where:
    number = replace_line(
        p, DICTIONARY, "    unit:", "\tunit: percent", after="  us_tariff_rate_pct:"
    )
    return DICTIONARY, number, "yaml"


def _unit_bounds(p: Path) -> Where:
    number = replace_line(p, DICTIONARY, "    min:", "    min: 200", after="  percent:")
    return DICTIONARY, number, "units.percent.min"


def _memo_key(memo: str, key: str, old: str, new: str, column: str) -> Callable[[Path], Where]:
    """Edit the first line starting with ``key`` inside a memo's entry in memos.yaml."""

    def breaks(p: Path) -> Where:
        number = find_line(p, MEMOS_YAML, key, after=f"  - id: {memo}")
        line = read(p, MEMOS_YAML).splitlines()[number - 1]
        assert old in line
        set_raw(p, MEMOS_YAML, number, line.replace(old, new, 1))
        return MEMOS_YAML, number, f"memos[{memo_index(p, memo)}].{column}"

    return breaks


def _memo_unknown_key(p: Path) -> Where:
    number = insert_after(p, MEMOS_YAML, "  - id: key-figures", "    colour: red")
    return MEMOS_YAML, number, f"memos[{memo_index(p, 'key-figures')}].colour"


def _config_line(prefix: str, new: str, column: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        return CONFIG, replace_line(p, CONFIG, prefix, new), column

    return breaks


def _config_unknown_key(p: Path) -> Where:
    return (
        CONFIG,
        insert_after(p, CONFIG, "  max_age_days: 730", "  warn_only: true"),
        ("freshness.warn_only"),
    )


def _source_duplicate(p: Path) -> Where:
    return SOURCES, set_cell(p, SOURCES, "fn02,", "id", "fn01"), "id"


BAD = [
    # data/indicators.csv: values
    Bad("value-not-a-number", _cell(INDICATORS, TARIFF, "value", "twenty-five"), "is not a number", True),
    Bad("value-with-percent-sign", _cell(INDICATORS, TARIFF, "value", "25%"), "is not a number"),
    Bad("percent-over-100", _cell(INDICATORS, TARIFF, "value", "125"), "is outside 0..100", True),
    Bad("low-above-high", _cell(INDICATORS, CRUDE_RANGE, "low", "41"), "low 41 is above high 40"),
    Bad("value-not-the-midpoint", _cell(INDICATORS, CRUDE_RANGE, "value", "37"), "is not the midpoint"),
    # data/indicators.csv: codes checked against the dictionary and the sources
    Bad("unknown-unit", _cell(INDICATORS, TARIFF, "unit", "percentage"), "unknown unit 'percentage'"),
    Bad("unit-contradicts-dictionary", _cell(INDICATORS, TARIFF, "unit", "usd_bn"), "is not us_tariff_rate_pct's unit 'percent'", True),
    Bad("unknown-source", _cell(INDICATORS, TARIFF, "source", "fn99"), "unknown source 'fn99'"),
    Bad("unknown-indicator", _cell(INDICATORS, TARIFF, "indicator", "us_tarif_rate_pct"), "unknown indicator 'us_tarif_rate_pct'"),
    Bad("derived-indicator-typed-in", _derived_typed, "is a derived indicator"),
    Bad("entity-in-lower-case", _cell(INDICATORS, TARIFF, "entity", "ind"), "unknown entity code 'ind'"),
    Bad("impossible-date", _cell(INDICATORS, TARIFF, "period", "2025-02-30"), "is not a real date"),
    Bad("duplicate-key", _duplicate_row, "duplicate of line"),
    # data/indicators.csv: the file as a whole
    Bad("missing-required-column", _rename_header(INDICATORS, "unit", "units"), "missing column 'unit'", True),
    Bad("empty-file", _empty, "file is empty"),
    Bad("header-only-file", _header_only, "file has a header but no rows"),
    Bad("wrong-delimiter", _semicolons, "looks separated by ';'"),
    Bad("invalid-utf8", _bad_byte(INDICATORS, TARIFF, "note", b"\xff"), "byte 0xFF is not valid UTF-8"),
    Bad("korean-saved-as-cp949", _cp949, "is not valid UTF-8"),
    Bad("saved-as-utf16", _utf16, "file is saved as UTF-16"),
    Bad("unquoted-comma", _unquoted_comma, "row has 12 fields but the header has 11"),
    Bad("unclosed-quote", _unclosed_quote, "a quote opened on this line runs on to line"),
    Bad("line-after-a-multiline-note", _multiline_note_before, "is not a number"),
    # data/sources.csv and data/events.csv
    Bad("duplicate-source-id", _source_duplicate, "duplicate id 'fn01'"),
    Bad("impossible-source-date", _cell(SOURCES, "fn01,", "date", "2025-02-29"), "is not a real date"),
    Bad("source-title-in-latin1", _bad_byte(SOURCES, "fn01,", "title", b"\xe9"), "byte 0xE9 is not valid UTF-8"),
    Bad("impossible-event-date", _cell(EVENTS, "gsomia,", "date", "2002-04-31"), "is not a real date"),
    Bad("event-unknown-source", _cell(EVENTS, "gsomia,", "source", "fn77"), "unknown source 'fn77'"),
    # data/dictionary.yaml
    Bad("dictionary-unit-not-in-units", _dictionary_key("    unit:", "    unit: percents", "unit"), "unit 'percents' is not in units", True),
    Bad("dictionary-range-reversed", _dictionary_key("    range:", "    range: [100, 0]", "range"), "range min 100 is above max 0"),
    Bad("dictionary-misspelt-key", _dictionary_key("    label:", "    lable: US tariff rate", "lable"), "unknown key 'lable'"),
    Bad("dictionary-tab-indent", _dictionary_tab, "YAML syntax error"),
    Bad("unit-min-above-max", _unit_bounds, "min 200 is above max 100"),
    # config/memos.yaml
    Bad("memo-unknown-template", _memo_key("us-brief", "    template:", "us_brief", "us_breif", "template"), 'template "us_breif.html.j2" does not exist', True),
    Bad("memo-unknown-indicator", _memo_key("us-brief", "      - {indicator: defence", "defence_acquisitions_usd_bn", "defense_acquisitions_usd_bn", "key_figures[3].indicator"), 'unknown indicator "defense_acquisitions_usd_bn"'),
    Bad("memo-unknown-chart", _memo_key("korea-brief", "    charts:", "oil_dependence", "oil_dependance", "charts[1]"), "'oil_dependance' is not an allowed value"),
    Bad("memo-unknown-audience", _memo_key("us-brief", "    audience:", "us_policymakers", "us_policy_makers", "audience"), 'unknown audience "us_policy_makers"'),
    Bad("memo-config-key-that-does-not-exist", _memo_unknown_key, "unknown key 'colour'"),
    # config/config.yaml
    Bad("config-key-that-does-not-exist", _config_unknown_key, "unknown key 'warn_only'"),
    Bad("config-impossible-edition-date", _config_line("  date:", '  date: "2025-02-30"', "edition.date"), "is not a real date", True),
    Bad("config-age-limit-in-words", _config_line("  max_age_days:", "  max_age_days: two years", "freshness.max_age_days"), "expected integer, found string"),
    # config/recipients.csv
    Bad("recipient-bad-email", _cell(RECIPIENTS, "Jordan Ellis,", "email", "jordan.ellis.senate.example.org"), "is not an e-mail address"),
    Bad("recipient-unknown-audience", _cell(RECIPIENTS, "Jordan Ellis,", "audiences", "us_policymakers;ministers"), '"ministers" is not a known audience'),
]  # fmt: skip


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


def test_catalogue_is_big_enough():
    files = {c.breaks.__name__ for c in BAD}
    assert len(BAD) >= 25 and len(files) > 5
    assert len({c.id for c in BAD}) == len(BAD)


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_input_stops_the_build_naming_the_line(case: Bad, built_project, good, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    where = case.breaks(project)
    message = expected_message(where, case.problem)

    result = run_snakemake(project, "--cores", "2")

    out = result.stdout
    assert result.returncode != 0, out[-3000:]
    assert message.search(out), f"expected {message.pattern!r} in:\n{out[-3000:]}"
    assert "nothing was built" in out
    # Stopped while planning: no job was scheduled, let alone run.
    assert not re.search(r"^(local)?rule \w+:", out, re.M), out[-3000:]
    assert "Traceback" not in out
    assert reports_snapshot(project) == good["reports"]
    assert folder_state(project / "build/memos") == good["memos"]

    if case.validate:
        checked = run_memo(project, "validate")
        assert checked.returncode == 1, checked.stderr
        assert message.search(checked.stderr), checked.stderr
        assert "Traceback" not in checked.stderr


# ---- the catalogue: valid but unusual inputs --------------------------------------------------


def figure_records(p: Path) -> list[dict]:
    return [
        json.loads(f.read_text(encoding="utf-8"))
        for f in sorted((p / "build/memos").glob("*.json"))
        if f.name.endswith(".figures.json")
    ]


def least_cited_source(p: Path) -> tuple[str, list[str]]:
    """The source cited by the fewest memos, and those memos: changing it re-renders only them."""
    citing: dict[str, list[str]] = {}
    for record in figure_records(p):
        for note in record["notes"]:
            if note["source"]:
                citing.setdefault(note["source"], []).append(record["memo"])
    source = min(sorted(citing), key=lambda s: len(citing[s]))
    return source, sorted(citing[source])


def unshown_row(p: Path) -> str:
    """The key (first four columns) of an indicators.csv row no memo shows."""
    shown = {f["row"] for record in figure_records(p) for f in record["figures"]}
    lines = read(p, INDICATORS).splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if f"{INDICATORS}:{number}" not in shown:
            return ",".join(next(csv.reader([line]))[:4]) + ","
    raise AssertionError("every row is shown")


def unused_event(p: Path) -> str:
    used = {e["id"] for record in figure_records(p) for e in record["events"]}
    ids = [row["id"] for row in csv.DictReader(io.StringIO(read(p, EVENTS)))]
    return next(i for i in ids if i not in used)


@dataclass(frozen=True)
class Unusual:
    id: str
    change: Callable[[Path], list[str]]  # edits the project; returns memos expected to show it
    shows: str = ""  # text those memos must show (HTML and PDF)
    # Memos to render again (their build outputs are removed), to prove the same bytes come out.
    rerender: tuple[str, ...] = ()


def _bom_crlf(p: Path) -> list[str]:
    for rel in (INDICATORS, SOURCES, EVENTS, RECIPIENTS):
        text = read(p, rel).replace("\r\n", "\n").replace("\n", "\r\n")
        write(p, rel, b"\xef\xbb\xbf" + text.encode("utf-8"))
    return []


def _header_spaces(p: Path) -> list[str]:
    for rel in (INDICATORS, SOURCES, EVENTS, RECIPIENTS):
        lines = read(p, rel).splitlines(keepends=True)
        names = lines[0].rstrip("\n").split(",")
        lines[0] = ",".join(f" {n} " if i % 2 else f"{n}  " for i, n in enumerate(names)) + "\n"
        write(p, rel, "".join(lines))
    return []


def _spreadsheet_padding(p: Path) -> list[str]:
    """What spreadsheets leave: empty cells past the last column, rows of bare commas and blank
    lines at the end."""
    for rel in (INDICATORS, EVENTS, SOURCES):
        text = read(p, rel).rstrip("\n")
        width = text.splitlines()[0].count(",")
        write(p, rel, text + "\n" + "," * width + "\n" + "," * (width + 3) + "\n\n\n")
    lines = read(p, RECIPIENTS).splitlines()
    write(p, RECIPIENTS, "\n".join([lines[0], *(line + ",,," for line in lines[1:])]) + "\n")
    return []


LONG_NOTE = "The source's wording, quoted at length, with commas, “curly quotes” and 한국어. " * 500


def _long_notes(p: Path) -> list[str]:
    """Notes of about 40,000 characters on a row and an event no memo shows."""
    set_cell(p, INDICATORS, unshown_row(p), "note", LONG_NOTE)
    set_cell(p, EVENTS, unused_event(p) + ",", "note", LONG_NOTE)
    set_cell(p, SOURCES, least_cited_source(p)[0] + ",", "note", LONG_NOTE)
    return least_cited_source(p)[1]


QUOTED_TITLE = 'Tariffs, "reciprocal" and otherwise: a primer, part 2'
KOREAN_TITLE = "미국의 관세 조치와 인도: 한국에 주는 시사점"
KOREAN_NAME = "김민준"


def _title(value: str) -> Callable[[Path], list[str]]:
    """Put ``value`` in the title of the source cited by the fewest memos (they must show it),
    and in the free-text columns of the other files."""

    def change(p: Path) -> list[str]:
        source, memos = least_cited_source(p)
        set_cell(p, SOURCES, f"{source},", "title", value)
        set_cell(p, INDICATORS, unshown_row(p), "note", f"{value} — “quoted”, 관세")
        set_cell(p, EVENTS, unused_event(p) + ",", "note", value)
        set_cell(p, RECIPIENTS, "Kim Min-jun,", "name", f"{KOREAN_NAME} (Kim Min-jun)")
        return memos

    return change


UNUSUAL = [
    Unusual("bom-and-crlf", _bom_crlf, rerender=("key-figures-en",)),
    Unusual("spaces-around-header-names", _header_spaces, rerender=("key-figures-en",)),
    Unusual("spreadsheet-padding", _spreadsheet_padding),
    Unusual("very-long-notes", _long_notes),
    Unusual("quoted-commas-and-quotes", _title(QUOTED_TITLE), shows=QUOTED_TITLE),
    Unusual("korean-text", _title(KOREAN_TITLE), shows=KOREAN_TITLE),
]


@pytest.mark.parametrize("case", UNUSUAL, ids=[c.id for c in UNUSUAL])
def test_unusual_but_valid_input_builds(case: Unusual, built_project, good, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    memos = case.change(project)
    for memo in case.rerender:
        for f in (project / "build/memos").glob(f"{memo}.*"):
            f.unlink()

    checked = run_memo(project, "validate")
    assert checked.returncode == 0, checked.stderr
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Traceback" not in result.stdout

    if not case.shows:
        # Read the same as the original: the same memos, byte for byte, hence the same edition.
        assert reports_snapshot(project) == good["reports"]
        for memo in case.rerender:
            assert re.search(rf"wildcards: memo={memo}\b", result.stdout), "not rendered again"
        return
    assert memos, "no memo cites the changed source"
    reports = project / "reports"
    for memo in memos:
        page = html_text((reports / f"{memo}.html").read_text(encoding="utf-8"))
        assert case.shows in page, memo
        assert " ".join(case.shows.split()) in " ".join(pdf_text(reports / f"{memo}.pdf").split())
    # A new edition, whole: every file in the manifest is there with its sha256.
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert reports_snapshot(project)["link"] != good["reports"]["link"]
    for name, digest in manifest["files"].items():
        assert sha256(reports / name) == digest, name
