"""memo.ingest.validate: ``memo validate`` runs every check of every stage and names each problem
at its line; the bad-input catalogue of the end-to-end tier, checked here on the small project.

Each case of the catalogue breaks one file the way people do (a typo, a spreadsheet saved wrongly, a
copy-paste) and expects, among the problems, one line ``path:line: column: … problem … (hint)``
naming the line it broke. The line is found in the text the case wrote, never asked of the checker.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from memo.core.problems import format_problems
from memo.ingest.validate import STAGE_CHECKS, cli_validate, validate, validate_project

INDICATORS = "data/indicators.csv"
SOURCES = "data/sources.csv"
EVENTS = "data/events.csv"
DICTIONARY = "data/dictionary.yaml"
CONFIG = "config/config.yaml"
MEMOS = "config/memos.yaml"
RECIPIENTS = "config/recipients.csv"

TARIFF = "us_tariff_rate_pct,IND,,2025-07,"  # rows edited below, found by their key
CRUDE_RANGE = "crude_import_share_pct,IND,RUS,2025,"
RECIPIENT_ROWS = """\
name,email,organisation,audiences,language
Kim Min-jun,minjun.kim@mofa.example.kr,Ministry of Foreign Affairs,officials,ko
Jordan Ellis,jordan.ellis@senate.example.org,Senate Finance Committee,officials,en
"""


# ---- editing one file of a project ------------------------------------------------------------


def read(root: Path, rel: str) -> str:
    return (root / rel).read_bytes().decode("utf-8")


def write(root: Path, rel: str, text: str | bytes) -> None:
    (root / rel).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def find_line(root: Path, rel: str, prefix: str, after: str | None = None) -> int:
    lines = read(root, rel).splitlines()
    start = lines.index(after) if after is not None else -1
    hits = [i for i, line in enumerate(lines) if i > start and line.startswith(prefix)]
    if after is not None:
        hits = hits[:1]
    assert len(hits) == 1, f"{rel}: {len(hits)} lines start with {prefix!r}"
    return hits[0] + 1


def set_cell(root: Path, rel: str, prefix: str, column: str, value: str) -> int:
    """Set one field of the one-line record starting with ``prefix``; return its editor line."""
    lines = read(root, rel).splitlines(keepends=True)
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    number = find_line(root, rel, prefix)
    fields = next(csv.reader([lines[number - 1]]))
    fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    lines[number - 1] = out.getvalue()
    write(root, rel, "".join(lines))
    return number


def set_raw(root: Path, rel: str, number: int, text: str) -> None:
    lines = read(root, rel).splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    write(root, rel, "".join(lines))


def replace_line(root: Path, rel: str, prefix: str, new: str, after: str | None = None) -> int:
    number = find_line(root, rel, prefix, after)
    set_raw(root, rel, number, new)
    return number


def insert_after(root: Path, rel: str, line_text: str, new: str) -> int:
    lines = read(root, rel).splitlines(keepends=True)
    index = [line.rstrip("\r\n") for line in lines].index(line_text)
    lines.insert(index + 1, new + "\n")
    write(root, rel, "".join(lines))
    return index + 2


# ---- the catalogue -------------------------------------------------------------------------------

Where = tuple[str, int, str]  # (path, editor line, column) the message must name


@dataclass(frozen=True)
class Bad:
    id: str
    breaks: Callable[[Path], Where]
    problem: str  # a fragment of the problem text


def cell(rel: str, prefix: str, column: str, value: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        return rel, set_cell(p, rel, prefix, column, value), column

    return breaks


def duplicate_row(p: Path) -> Where:
    text = read(p, INDICATORS)
    line = next(x for x in text.splitlines() if x.startswith(TARIFF))
    write(p, INDICATORS, text + line + "\n")
    return INDICATORS, len(text.splitlines()) + 1, "row"


def rename_header(rel: str, old: str, new: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        lines = read(p, rel).splitlines(keepends=True)
        names = lines[0].rstrip("\r\n").split(",")
        lines[0] = ",".join(new if n == old else n for n in names) + "\n"
        write(p, rel, "".join(lines))
        return rel, 1, "header"

    return breaks


def empty(p: Path) -> Where:
    write(p, INDICATORS, "")
    return INDICATORS, 1, "file"


def header_only(p: Path) -> Where:
    write(p, INDICATORS, read(p, INDICATORS).splitlines(keepends=True)[0])
    return INDICATORS, 1, "file"


def semicolons(p: Path) -> Where:
    rows = list(csv.reader(io.StringIO(read(p, INDICATORS))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    write(p, INDICATORS, out.getvalue())
    return INDICATORS, 1, "header"


def bad_byte(rel: str, prefix: str, column: str, byte: bytes) -> Callable[[Path], Where]:
    """A byte that is not UTF-8 (a Latin-1 é, a stray 0xFF) in one field of one row."""

    def breaks(p: Path) -> Where:
        number = set_cell(p, rel, prefix, column, "MARKER")
        write(p, rel, (p / rel).read_bytes().replace(b"MARKER", b"Caf" + byte + b" wording"))
        return rel, number, "encoding"

    return breaks


def cp949(p: Path) -> Where:
    """A Korean note saved by Korean Windows Excel (CP949), in an otherwise UTF-8 file."""
    number = set_cell(p, INDICATORS, TARIFF, "note", "MARKER")
    raw = (p / INDICATORS).read_bytes()
    write(p, INDICATORS, raw.replace(b"MARKER", "관세 인상".encode("cp949")))
    return INDICATORS, number, "encoding"


def utf16(p: Path) -> Where:
    write(p, INDICATORS, read(p, INDICATORS).encode("utf-16"))
    return INDICATORS, 1, "encoding"


def in_note(text: str) -> Callable[[Path], Where]:
    """Type ``text`` into the note of the tariff row as is, without CSV quoting."""

    def breaks(p: Path) -> Where:
        number = set_cell(p, INDICATORS, TARIFF, "note", "PLACEHOLDER")
        line = read(p, INDICATORS).splitlines()[number - 1]
        set_raw(p, INDICATORS, number, line.replace("PLACEHOLDER", text))
        return INDICATORS, number, "row"

    return breaks


def multiline_note_before(p: Path) -> Where:
    """A valid note over two lines shifts the later rows: the message names the editor line."""
    set_cell(p, INDICATORS, "us_tariff_rate_pct,IND,,2025-08-06,", "note", "first\nsecond")
    return (
        INDICATORS,
        set_cell(p, INDICATORS, "us_tariff_rate_pct,PAK,", "value", "19 percent"),
        "value",
    )


def dictionary_key(key: str, new: str, column: str) -> Callable[[Path], Where]:
    """Replace the line starting with ``key`` in the us_tariff_rate_pct block."""

    def breaks(p: Path) -> Where:
        number = replace_line(p, DICTIONARY, key, new, after="  us_tariff_rate_pct:")
        return DICTIONARY, number, f"indicators.us_tariff_rate_pct.{column}"

    return breaks


def dictionary_tab(p: Path) -> Where:
    number = replace_line(
        p, DICTIONARY, "    unit:", "\tunit: percent", after="  us_tariff_rate_pct:"
    )
    return DICTIONARY, number, "yaml"


def unit_bounds(p: Path) -> Where:
    return (
        DICTIONARY,
        replace_line(p, DICTIONARY, "    min:", "    min: 200", after="  percent:"),
        "units.percent.min",
    )


def derive_key(old: str, new: str, column: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        number = find_line(p, DICTIONARY, "    derive: {kind: rank, of: us_tariff_rate_pct}")
        line = read(p, DICTIONARY).splitlines()[number - 1]
        set_raw(p, DICTIONARY, number, line.replace(old, new))
        return DICTIONARY, number, f"indicators.us_tariff_rank.derive.{column}"

    return breaks


def memo_key(memo: str, key: str, old: str, new: str, column: str) -> Callable[[Path], Where]:
    """Edit the first line starting with ``key`` inside a memo's entry of memos.yaml."""

    def breaks(p: Path) -> Where:
        number = find_line(p, MEMOS, key, after=f"  - id: {memo}")
        line = read(p, MEMOS).splitlines()[number - 1]
        assert old in line
        set_raw(p, MEMOS, number, line.replace(old, new, 1))
        index = ["tariff-brief", "trade-brief"].index(memo)
        return MEMOS, number, f"memos[{index}].{column}"

    return breaks


def memo_unknown_key(p: Path) -> Where:
    return (
        MEMOS,
        insert_after(p, MEMOS, "  - id: trade-brief", "    colour: red"),
        "memos[1].colour",
    )


def key_figure_without_row(p: Path) -> Where:
    number = replace_line(
        p, MEMOS, "      - {indicator: bilateral_trade_usd_bn",
        '      - {indicator: bilateral_trade_usd_bn, entity: USA, counterpart: IND, period: "2023"}',
    )  # fmt: skip
    return MEMOS, number, "memos[1].key_figures[0]"


def chart_kind(p: Path) -> Where:
    number = replace_line(p, MEMOS, "    kind: ranked_bars", "    kind: ranked_bar")
    return MEMOS, number, "charts.tariffs.kind"


def config_line(prefix: str, new: str, column: str) -> Callable[[Path], Where]:
    def breaks(p: Path) -> Where:
        return CONFIG, replace_line(p, CONFIG, prefix, new), column

    return breaks


def config_unknown_key(p: Path) -> Where:
    return (
        CONFIG,
        insert_after(p, CONFIG, "  max_age_days: 730", "  warn_only: true"),
        "freshness.warn_only",
    )


def source_duplicate(p: Path) -> Where:
    return SOURCES, set_cell(p, SOURCES, "fn09,", "id", "fn01"), "id"


BAD = [
    # data/indicators.csv: values
    Bad("value-not-a-number", cell(INDICATORS, TARIFF, "value", "twenty-five"), "is not a number"),
    Bad("value-with-percent-sign", cell(INDICATORS, TARIFF, "value", "25%"), "is not a number"),
    Bad("percent-over-100", cell(INDICATORS, CRUDE_RANGE, "high", "140"), "is outside 0..100"),
    Bad("low-above-high", cell(INDICATORS, CRUDE_RANGE, "low", "41"), "low 41 is above high 40"),
    Bad("value-not-the-midpoint", cell(INDICATORS, CRUDE_RANGE, "value", "37"), "is not the midpoint"),
    # data/indicators.csv: codes checked against the dictionary and the sources
    Bad("unknown-unit", cell(INDICATORS, TARIFF, "unit", "percentage"), "unknown unit 'percentage'"),
    Bad("unit-contradicts-dictionary", cell(INDICATORS, TARIFF, "unit", "usd_bn"), "is not us_tariff_rate_pct's unit 'percent'"),
    Bad("unknown-source", cell(INDICATORS, TARIFF, "source", "fn99"), "unknown source 'fn99'"),
    Bad("unknown-indicator", cell(INDICATORS, TARIFF, "indicator", "us_tarif_rate_pct"), "unknown indicator 'us_tarif_rate_pct'"),
    Bad("derived-indicator-typed-in", cell(INDICATORS, TARIFF, "indicator", "us_tariff_rank"), "is a derived indicator"),
    Bad("entity-in-lower-case", cell(INDICATORS, TARIFF, "entity", "ind"), "unknown entity code 'ind'"),
    Bad("impossible-date", cell(INDICATORS, TARIFF, "period", "2025-02-30"), "is not a real date"),
    Bad("duplicate-key", duplicate_row, "duplicate of line 2"),
    # data/indicators.csv: the file as a whole
    Bad("missing-required-column", rename_header(INDICATORS, "unit", "units"), "missing column 'unit'"),
    Bad("empty-file", empty, "file is empty"),
    Bad("header-only-file", header_only, "file has a header but no rows"),
    Bad("wrong-delimiter", semicolons, "looks separated by ';'"),
    Bad("invalid-utf8", bad_byte(INDICATORS, TARIFF, "note", b"\xff"), "byte 0xFF is not valid UTF-8"),
    Bad("korean-saved-as-cp949", cp949, "is not valid UTF-8"),
    Bad("saved-as-utf16", utf16, "file is saved as UTF-16"),
    Bad("unquoted-comma", in_note("announced, then doubled"), "row has 12 fields but the header has 11"),
    Bad("unclosed-quote", in_note('"the quote never closes'), "a quote opened on this line runs on to line"),
    Bad("line-after-a-multiline-note", multiline_note_before, "is not a number"),
    # data/sources.csv and data/events.csv
    Bad("duplicate-source-id", source_duplicate, "duplicate id 'fn01'"),
    Bad("impossible-source-date", cell(SOURCES, "fn01,", "date", "2025-02-29"), "is not a real date"),
    Bad("source-title-in-latin1", bad_byte(SOURCES, "fn01,", "title", b"\xe9"), "byte 0xE9 is not valid UTF-8"),
    Bad("impossible-event-date", cell(EVENTS, "tariff_order,", "date", "2025-04-31"), "is not a real date"),
    Bad("event-unknown-source", cell(EVENTS, "tariff_order,", "source", "fn77"), "unknown source 'fn77'"),
    # data/dictionary.yaml
    Bad("dictionary-unit-not-in-units", dictionary_key("    unit:", "    unit: percents", "unit"), "unit 'percents' is not in units"),
    Bad("dictionary-range-reversed", dictionary_key("    range:", "    range: [60, 0]", "range"), "range min 60 is above max 0"),
    Bad("dictionary-misspelt-key", dictionary_key("    label:", "    lable: US tariff rate", "lable"), "unknown key 'lable'"),
    Bad("dictionary-tab-indent", dictionary_tab, "YAML syntax error"),
    Bad("unit-min-above-max", unit_bounds, "min 200 is above max 100"),
    Bad("derive-unknown-kind", derive_key("kind: rank", "kind: rnak", "kind"), "unknown derivation kind 'rnak'"),
    Bad("derive-unknown-indicator", derive_key("of: us_tariff_rate_pct", "of: us_tariff_rate", "of"), "'us_tariff_rate' is not an indicator"),
    # config/memos.yaml
    Bad("memo-unknown-template", memo_key("trade-brief", "    template:", "trade_brief", "trade_breif", "template"), 'template "trade_breif.html.j2" does not exist'),
    Bad("memo-unknown-indicator", memo_key("tariff-brief", "      - {indicator: us_tariff_rank", "us_tariff_rank", "us_tarif_rank", "key_figures[1].indicator"), 'unknown indicator "us_tarif_rank"'),
    Bad("memo-unknown-chart", memo_key("trade-brief", "    charts:", "oil", "oyl", "charts[0]"), 'unknown chart "oyl"'),
    Bad("memo-unknown-audience", memo_key("trade-brief", "    audience:", "officials", "oficials", "audience"), 'unknown audience "oficials"'),
    Bad("memo-config-key-that-does-not-exist", memo_unknown_key, "unknown key 'colour'"),
    Bad("key-figure-without-a-row", key_figure_without_row, 'no figure "bilateral_trade_usd_bn"'),
    Bad("chart-unknown-kind", chart_kind, "unknown chart kind 'ranked_bar'"),
    # config/config.yaml
    Bad("config-key-that-does-not-exist", config_unknown_key, "unknown key 'warn_only'"),
    Bad("config-impossible-edition-date", config_line("  date:", '  date: "2025-02-30"', "edition.date"), "is not a real date"),
    Bad("config-age-limit-in-words", config_line("  max_age_days:", "  max_age_days: two years", "freshness.max_age_days"), "expected integer, found string"),
    # config/recipients.csv
    Bad("recipient-bad-email", cell(RECIPIENTS, "Jordan Ellis,", "email", "jordan.ellis.senate.example.org"), "is not an e-mail address"),
    Bad("recipient-unknown-audience", cell(RECIPIENTS, "Jordan Ellis,", "audiences", "officials;ministers"), '"ministers" is not a known audience'),
]  # fmt: skip


def expected_message(where: Where, problem: str) -> re.Pattern[str]:
    """``path:line: column: problem (hint)`` on a line of its own, with a non-empty hint."""
    path, line, column = where
    return re.compile(
        rf"^{re.escape(path)}:{line}: {re.escape(column)}: (?=.*{re.escape(problem)}).*\S \(.+\)$",
        re.M,
    )


def test_the_catalogue_covers_every_file() -> None:
    assert len({c.id for c in BAD}) == len(BAD) >= 40


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_input_is_reported_at_its_line(make_project, case: Bad) -> None:
    root = make_project(recipients=RECIPIENT_ROWS)
    where = case.breaks(root)
    printed = format_problems(validate_project(root))
    assert expected_message(where, case.problem).search(printed), printed


# ---- the whole check ---------------------------------------------------------------------------


def test_a_good_project_has_no_problem(make_project) -> None:
    assert validate_project(make_project(recipients=RECIPIENT_ROWS)) == []


def test_every_stage_checks_its_part(make_project) -> None:
    assert STAGE_CHECKS == (
        "memo.derive.run:check",
        "memo.render.charts:check",
        "memo.render.templates:check",
        "memo.render.catalogue:check",
        "memo.distribute.recipients:check_project",
    )


def test_later_stages_check_what_they_can_when_the_data_did_not_load(make_project) -> None:
    root = make_project(recipients=RECIPIENT_ROWS)
    set_cell(root, INDICATORS, TARIFF, "value", "lots")
    derive_key("kind: rank", "kind: rnak", "kind")(root)
    set_cell(root, RECIPIENTS, "Jordan Ellis,", "email", "nobody")
    project, found = validate(root)
    assert project is None
    assert [(p.path, p.column) for p in found] == [
        (INDICATORS, "value"),
        (DICTIONARY, "indicators.us_tariff_rank.derive.kind"),
        (RECIPIENTS, "email"),
    ]


# ---- the command ------------------------------------------------------------------------------


def test_cli_prints_every_problem_and_a_summary_and_stamps_nothing(make_project, capsys) -> None:
    root = make_project()
    set_cell(root, INDICATORS, TARIFF, "value", "about 50")
    set_cell(root, INDICATORS, TARIFF, "source", "fn1")
    code = cli_validate(argparse.Namespace(root=str(root), stamp="build/validated.json"))
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        'data/indicators.csv:2: value: "about 50" is not a number (write 50 and put "about" in note)',
        "data/indicators.csv:2: source: unknown source 'fn1' (did you mean fn01 or fn09?)",
        "2 problems in data/; nothing was built",
    ]
    assert not (root / "build").exists()


def test_cli_names_both_folders_when_both_have_problems(make_project, capsys) -> None:
    root = make_project()
    set_cell(root, INDICATORS, TARIFF, "value", "lots")
    memo_key("trade-brief", "    audience:", "officials", "oficials", "audience")(root)
    assert cli_validate(argparse.Namespace(root=str(root), stamp=None)) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "2 problems in config/ and data/; nothing was built"
    )


def test_cli_summarises_and_stamps_a_good_project(make_project, capsys) -> None:
    root = make_project()
    args = argparse.Namespace(root=str(root), stamp="build/validated.json")
    assert cli_validate(args) == 0
    assert capsys.readouterr().err == (
        "data/ OK: 3 indicators, 8 rows, 3 sources, 1 event; config/ OK: 3 memo editions\n"
    )
    stamp = root / "build/validated.json"
    written = json.loads(stamp.read_text(encoding="utf-8"))
    assert written["valid"] is True
    assert written["counts"] == {"indicators": 3, "rows": 8, "sources": 3, "events": 1}
    files = [DICTIONARY, SOURCES, EVENTS, INDICATORS, CONFIG, MEMOS]
    assert written["inputs"] == {
        name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in files
    }
    first = stamp.read_bytes()
    assert cli_validate(args) == 0
    assert stamp.read_bytes() == first, "the same inputs give the same stamp"
    assert [p.name for p in (root / "build").iterdir()] == ["validated.json"]
