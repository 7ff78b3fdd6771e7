"""The second catalogue of bad input (issue 16): what a careless editor, a spreadsheet or a hostile
file does to data/ and config/, each stopped by ``memo validate`` with a ``path:line: column:``
problem naming the line it broke, and no traceback.

Each case changes one file of the small project (``unit.support``) and finds the line it broke in
the text it wrote, never by asking the code under test. Classes: input that used to fail only at
render time (periods out of the calendar, charts that cannot be drawn); two spellings of one key;
hostile YAML; control characters; links out of the project; and what spreadsheets and hurried
hands do. Valid but unusual inputs that must keep building are at the end.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from memo.core.problems import format_problems
from memo.ingest.validate import validate
from unit.support import DICTIONARY, MEMOS

IND, DIC, MEM, CFG = (
    "data/indicators.csv",
    "data/dictionary.yaml",
    "config/memos.yaml",
    "config/config.yaml",
)
SRC, EVT = "data/sources.csv", "data/events.csv"
ROW = "us_tariff_rate_pct,PAK,,2025-08-06,19,,,,percent,fn01,"
SECRET = "TOPSECRET-CONTENT"
# Any control character but the line breaks between problems.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def change(root: Path, rel: str, old: str, new: str, mark: str | None = None) -> int:
    """Replace ``old`` by ``new`` once in a file; return the line (1-based) where ``mark`` (default:
    the first line of ``new``) now stands."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {rel}"
    text = text.replace(old, new)
    path.write_bytes(text.encode("utf-8"))
    return line_in(text, mark if mark is not None else new.split("\n")[0])


def append(root: Path, rel: str, row: str) -> int:
    """Add a line at the end of a file; return its line."""
    path = root / rel
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n"
    path.write_bytes(text.encode("utf-8"))
    return text.count("\n")


def line_in(text: str, mark: str) -> int:
    index = text.index(mark)
    return text.count("\n", 0, index) + 1


def link_out(root: Path, rel: str) -> int:
    """Replace a file by a link to a file outside the project holding a secret."""
    secret = root.parent / "secret.txt"
    secret.write_text(f"{SECRET},do,not,print\nmore: {SECRET}\n", encoding="utf-8")
    (root / rel).unlink()
    (root / rel).symlink_to(secret)
    return 1


@dataclass(frozen=True)
class Bad:
    id: str
    path: str
    breaks: Callable[[Path], int]  # changes the project, returns the line it broke
    column: str
    problem: str  # a fragment of the problem (and hint) that must be printed


def value(root: Path, old: str, new: str) -> int:
    return change(root, IND, old, new)


def derive_of(extra: str) -> Callable[[Path], int]:
    old = "derive: {kind: rank, of: us_tariff_rate_pct}"
    return lambda r: change(r, DIC, old, old[:-1] + extra + "}")


BOMB = textwrap.dedent(
    """\
    lol1: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    lol4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    lol5: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    """
)
SELF = "loop: &loop [*loop]\n"
DEEP = "deep: " + "[" * 100_000 + "]" * 100_000 + "\n"
BLOCK_DEEP = "deep:\n" + "".join("  " * (i + 1) + "- \n" for i in range(2_000))


def hostile(rel: str, text: str) -> Callable[[Path], int]:
    return lambda r: append(r, rel, text.rstrip("\n")) - text.rstrip("\n").count("\n")


CASES = [
    # ---- found late before: periods out of the calendar, references a render trips on ----------
    Bad(
        "period-9999",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,9999-08-06"),
        "period",
        '"9999-08-06" is outside the years 1900 to 2100 a period may lie in (check the year, or widen periods: in data/dictionary.yaml)',
    ),
    Bad(
        "period-0000",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,0000"),
        "period",
        '"0000" is not a real year',
    ),
    Bad(
        "period-1066",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,1066"),
        "period",
        '"1066" is outside the years 1900 to 2100',
    ),
    Bad(
        "event-date-9999",
        EVT,
        lambda r: change(r, EVT, "2025-08-06", "9999-12-31", "tariff_order"),
        "date",
        '"9999-12-31" is outside the years 1900 to 2100 a date may lie in',
    ),
    Bad(
        "source-date-0001",
        SRC,
        lambda r: change(r, SRC, "2025-08-07", "0001", "fn01"),
        "date",
        '"0001" is outside the years',
    ),
    Bad(
        "edition-date-9999",
        CFG,
        lambda r: change(r, CFG, '"2025-09-15"', '"9999-12-31"', "  date"),
        "edition.date",
        '"9999-12-31" is outside the years 1900 to 2100',
    ),
    Bad(
        "memo-edition-date-0001",
        MEM,
        lambda r: change(
            r,
            MEM,
            "    pages: [1, 2]\n  - id: trade",
            '    pages: [1, 2]\n    edition_date: "0001-01-01"\n  - id: trade',
            "    edition_date",
        ),
        "memos[0].edition_date",
        '"0001-01-01" is outside the years',
    ),
    Bad(
        "topic-period-9999",
        MEM,
        lambda r: change(
            r,
            MEM,
            "    entities: [USA, IND, BRA, PAK, RUS, WLD]",
            '    entities: [USA, IND, BRA, PAK, RUS, WLD]\n    periods: {to: "9999"}',
            "    periods",
        ),
        "topics.us-india.periods.to",
        '"9999" is outside the years',
    ),
    Bad(
        "key-figure-period-0000",
        MEM,
        lambda r: change(
            r,
            MEM,
            'period: "2025-08-06"}',
            'period: "0000"}',
            "      - {indicator: us_tariff_rate_pct",
        ),
        "memos[0].key_figures[0].period",
        '"0000" is not a real year',
    ),
    Bad(
        "derive-as-of-impossible",
        DIC,
        derive_of(', as_of: "2025-02-30"'),
        "indicators.us_tariff_rank.derive.as_of",
        '"2025-02-30" is not a real date',
    ),
    Bad(
        "derive-as-of-0000",
        DIC,
        derive_of(', as_of: "0000"'),
        "indicators.us_tariff_rank.derive.as_of",
        '"0000" is not a real year',
    ),
    Bad(
        "chart-period-9999",
        MEM,
        lambda r: change(
            r,
            MEM,
            "    highlight: IND\n",
            '    highlight: IND\n    period: "9999"\n',
            "    period:",
        ),
        "charts.tariffs.period",
        '"9999" is outside the years',
    ),
    Bad(
        "span-narrowed",
        IND,
        lambda r: (
            change(r, DIC, "qualifiers:", "periods: {from: 2010, to: 2030}\nqualifiers:")
            and line_in((r / IND).read_text(), "bilateral_trade_usd_bn,USA,IND,2000")
        ),
        "period",
        '"2000" is outside the years 2010 to 2030',
    ),
    Bad(
        "span-reversed",
        DIC,
        lambda r: change(
            r, DIC, "qualifiers:", "periods: {from: 2100, to: 1900}\nqualifiers:", "periods"
        ),
        "periods.from",
        "from 2100 is after to 1900 (swap them)",
    ),
    Bad(
        "chart-highlight-unknown",
        MEM,
        lambda r: change(r, MEM, "highlight: IND", "highlight: INDIA"),
        "charts.tariffs.highlight",
        "unknown entity code 'INDIA' (did you mean IND?)",
    ),
    Bad(
        "topic-entity-unknown",
        MEM,
        lambda r: change(r, MEM, "entities: [USA, IND,", "entities: [USA, INDIA, IND,"),
        "topics.us-india.entities[1]",
        "unknown entity code 'INDIA'",
    ),
    Bad(
        "chart-periods-missing",
        MEM,
        lambda r: change(
            r,
            MEM,
            "    counterpart: RUS\n    title: Russia",
            '    counterpart: RUS\n    periods: ["2019", "2025"]\n    title: Russia',
            "  oil:",
        ),
        "charts.oil",
        "cannot be drawn for memo trade-brief in topic us-india: chart oil: needs two periods",
    ),
    Bad(
        "chart-log-over-zero",
        MEM,
        lambda r: (
            change(r, IND, "RUS,2021,2,,,less_than", "RUS,2021,0,,,")
            and change(
                r,
                MEM,
                "    counterpart: RUS\n    title: Russia",
                "    counterpart: RUS\n    scale: log\n    title: Russia",
                "  oil:",
            )
        ),
        "charts.oil",
        "a log scale cannot show a figure of 0 or below",
    ),
    Bad(
        "derive-entity-unknown",
        DIC,
        lambda r: append(
            r,
            DIC,
            "  us_tariff_total_pct:\n    label: Sum of tariffs\n    unit: percent\n    description: A sum.\n    derived: true\n    derivation: Summed.\n    derive: {kind: sum, of: us_tariff_rate_pct, over: entity, as: WORLD}",
        ),
        "indicators.us_tariff_total_pct.derive.as",
        "unknown entity code 'WORLD' (did you mean WLD?)",
    ),
    # ---- two spellings of one key -----------------------------------------------------------------
    Bad(
        "full-width-period-duplicate",
        IND,
        lambda r: append(r, IND, "us_tariff_rate_pct,BRA,,２０２５-08-06,50,,,,percent,fn01,"),
        "row",
        "duplicate of line 4: same indicator, entity, counterpart, period",
    ),
    Bad(
        "lower-case-quarter-duplicate",
        IND,
        lambda r: (
            append(r, IND, "us_tariff_rate_pct,CHN,,2025-Q2,30,,,,percent,fn01,")
            and append(r, IND, "us_tariff_rate_pct,CHN,,2025-q2,30,,,,percent,fn01,")
        ),
        "row",
        "duplicate of line 10",
    ),
    Bad(
        "full-width-entity-duplicate",
        IND,
        lambda r: append(r, IND, "us_tariff_rate_pct,ＢＲＡ,,2025-08-06,50,,,,percent,fn01,"),
        "row",
        "duplicate of line 4",
    ),
    Bad(
        "nbsp-entity-duplicate",
        IND,
        lambda r: append(r, IND, "us_tariff_rate_pct,BRA\u00a0,,2025-08-06,50,,,,percent,fn01,"),
        "row",
        "duplicate of line 4",
    ),
    Bad(
        "yaml-key-full-width-duplicate",
        DIC,
        lambda r: change(
            r,
            DIC,
            "  CHN: {name: China",
            "  ＩＮＤ: {name: India, alpha2: IN}\n  CHN: {name: China",
        ),
        "yaml",
        "duplicate key 'ＩＮＤ', first on line",
    ),
    Bad(
        "full-width-digits-in-value",
        IND,
        lambda r: value(r, "PAK,,2025-07,19,", "PAK,,2025-07,１９,"),
        "value",
        '"１９" is not a number (write 19 with the digits 0-9)',
    ),
    Bad(
        "arabic-indic-digits-in-value",
        IND,
        lambda r: value(r, "PAK,,2025-07,19,", "PAK,,2025-07,١٩,"),
        "value",
        "(write 19 with the digits 0-9)",
    ),
    Bad(
        "nbsp-thousands-in-value",
        IND,
        lambda r: value(r, "USA,IND,2024,212.3", "USA,IND,2024,2\u00a0123"),
        "value",
        '"2\\xa0123" is not a number (write 2123 without spaces between the thousands)',
    ),
    Bad(
        "value-1e999",
        IND,
        lambda r: value(r, "USA,IND,2024,212.3", "USA,IND,2024,1e999"),
        "value",
        "1e999 is larger than any figure memo can print",
    ),
    Bad(
        "value-1e300",
        IND,
        lambda r: value(r, "USA,IND,2024,212.3", "USA,IND,2024,1e300"),
        "value",
        "1e300 is larger than any figure memo can print",
    ),
    # ---- hostile YAML -----------------------------------------------------------------------------
    Bad(
        "alias-bomb-memos",
        MEM,
        hostile(MEM, BOMB),
        "yaml",
        "anchor '&a' lets other parts of the file repeat this one",
    ),
    Bad("alias-bomb-dictionary", DIC, hostile(DIC, BOMB), "yaml", "anchor '&a'"),
    Bad("self-alias-memos", MEM, hostile(MEM, SELF), "yaml", "anchor '&loop'"),
    Bad("self-alias-dictionary", DIC, hostile(DIC, SELF), "yaml", "anchor '&loop'"),
    Bad("deep-list-memos", MEM, hostile(MEM, DEEP), "yaml", "nested more than 32 levels deep"),
    Bad("deep-list-dictionary", DIC, hostile(DIC, DEEP), "yaml", "nested more than 32 levels deep"),
    Bad(
        "deep-block-list-config",
        CFG,
        lambda r: hostile(CFG, BLOCK_DEEP)(r) + 32,
        "yaml",
        "nested more than 32 levels deep",
    ),
    Bad(
        "too-many-values",
        DIC,
        lambda r: append(r, DIC, "many: [" + ", ".join(["x"] * 120_000) + "]"),
        "yaml",
        "holds more than 100,000 values",
    ),
    # ---- control characters -------------------------------------------------------------------------
    Bad(
        "nul-in-note",
        IND,
        lambda r: value(r, '"36 to 40 percent, 관세율"', '"36 to 40\x00 percent"'),
        "note",
        "contains a null character (U+0000) (delete it; a control character has no place in data)",
    ),
    Bad(
        "esc-in-source-title",
        SRC,
        lambda r: change(r, SRC, "Exports under threat", "Exports \x1b[31mred\x1b[0m"),
        "title",
        "contains an escape character (U+001B)",
    ),
    Bad(
        "csi-in-event-title",
        EVT,
        lambda r: change(r, EVT, "Executive order", "Executive\x9b2J order"),
        "title",
        "contains a control character (U+009B)",
    ),
    Bad(
        "word-line-break-in-note",
        IND,
        lambda r: value(r, '"36 to 40 percent, 관세율"', '"36 to 40\x0bpercent"'),
        "note",
        "vertical tab (a line break pasted from Word)",
    ),
    Bad(
        "esc-in-indicator-id",
        IND,
        lambda r: append(r, IND, "us_tariff\x1b[2J_rate_pct,PAK,,2025-08-06,19,,,,percent,fn01,"),
        "indicator",
        "unknown indicator 'us_tariff\\x1b[2J_rate_pct'",
    ),
    Bad(
        "line-break-in-quoted-id",
        IND,
        lambda r: append(r, IND, '"us_tariff_rate_pct\nX",PAK,,2025-08-06,19,,,,percent,fn01,') - 1,
        "indicator",
        "contains a line break (U+000A)",
    ),
    Bad(
        "esc-escape-in-yaml-label",
        DIC,
        lambda r: change(
            r, DIC, "label: US tariff rate\n", 'label: "US \\e[31mtariff\\e[0m rate"\n'
        ),
        "indicators.us_tariff_rate_pct.label",
        "contains an escape character (U+001B)",
    ),
    Bad(
        "nul-escape-in-memo-title",
        MEM,
        lambda r: change(r, MEM, 'title: "Tariffs on India"', 'title: "Tariffs\\0 on India"'),
        "memos[0].title",
        "contains a null character (U+0000)",
    ),
    Bad(
        "del-escape-in-key-figure-label",
        MEM,
        lambda r: change(
            r,
            MEM,
            'period: "2024"}',
            'period: "2024", label: "Trade\\x7f"}',
            "      - {indicator: bilateral",
        ),
        "memos[1].key_figures[0].label",
        "contains a delete character (U+007F)",
    ),
    Bad(
        "raw-esc-in-yaml",
        DIC,
        lambda r: change(r, DIC, "label: US tariff rate\n", "label: US \x1b[31mtariff rate\n"),
        "yaml",
        "contains an escape character (U+001B) (delete it; YAML does not allow it)",
    ),
    # ---- links out of the project ---------------------------------------------------------------
    Bad(
        "indicators-linked-out",
        IND,
        lambda r: link_out(r, IND),
        "file",
        "is a link to a file outside the project; memo does not read it",
    ),
    Bad(
        "sources-linked-out",
        SRC,
        lambda r: link_out(r, SRC),
        "file",
        "is a link to a file outside the project",
    ),
    Bad(
        "dictionary-linked-out",
        DIC,
        lambda r: link_out(r, DIC),
        "file",
        "is a link to a file outside the project",
    ),
    Bad(
        "memos-linked-out",
        MEM,
        lambda r: link_out(r, MEM),
        "file",
        "is a link to a file outside the project",
    ),
    Bad(
        "config-linked-out",
        CFG,
        lambda r: link_out(r, CFG),
        "file",
        "is a link to a file outside the project",
    ),
    Bad(
        "events-dangling-link-out",
        EVT,
        lambda r: ((r / EVT).unlink(), (r / EVT).symlink_to("/nonexistent/events.csv"), 1)[-1],
        "file",
        "is a link to a file outside the project",
    ),
    Bad(
        "events-fifo",
        EVT,
        lambda r: ((r / EVT).unlink(), os.mkfifo(r / EVT), 1)[-1],
        "file",
        "is not a regular file",
    ),
    # ---- what spreadsheets and hurried hands do ----------------------------------------------------
    Bad(
        "excel-day-number",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,45875"),
        "period",
        "a spreadsheet turned a date into its day number (45875 is 2025-08-06): format the column as text and type 2025-08-06",
    ),
    Bad(
        "excel-slashes",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,2025/08/06"),
        "period",
        '"2025/08/06" is not an ISO 8601 period (write 2025-08-06)',
    ),
    Bad(
        "day-month-year",
        EVT,
        lambda r: change(r, EVT, "2025-08-06", "06/08/2025", "tariff_order"),
        "date",
        "(write year-month-day: 2025-08-06 or 2025-06-08, whichever it means)",
    ),
    Bad(
        "quarter-written-backwards",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,Q3 2025"),
        "period",
        "(write 2025-Q3)",
    ),
    Bad(
        "date-with-time",
        IND,
        lambda r: value(r, "BRA,,2025-08-06", "BRA,,2025-08-06T00:00:00"),
        "period",
        "(write 2025-08-06, without the time)",
    ),
    Bad(
        "duplicated-column",
        IND,
        lambda r: change(r, IND, "source,note\n", "source,note,note\n", "indicator,"),
        "header",
        "duplicate column 'note'",
    ),
    Bad(
        "column-capitalised",
        IND,
        lambda r: change(r, IND, ",value,", ",Value,", "indicator,"),
        "header",
        "unknown column 'Value'",
    ),
    Bad(
        "empty-dictionary",
        DIC,
        lambda r: ((r / DIC).write_text(""), 1)[-1],
        "",
        "expected object, found null",
    ),
    Bad(
        "comment-only-memos",
        MEM,
        lambda r: ((r / MEM).write_text("# to do\n"), 1)[-1],
        "",
        "expected object, found null",
    ),
    Bad("empty-events", EVT, lambda r: ((r / EVT).write_text(""), 1)[-1], "file", "file is empty"),
    Bad(
        "huge-note",
        IND,
        lambda r: value(r, '"36 to 40 percent, 관세율"', '"' + "x" * 200_000 + '"'),
        "row",
        "a field runs on for more than 131,072 characters: a quote left open, or text pasted by mistake",
    ),
    Bad(
        "huge-yaml-label",
        DIC,
        lambda r: change(r, DIC, "label: US tariff rate\n", "label: " + "x" * 1_000_000 + "\n"),
        "indicators.us_tariff_rate_pct.label",
        "is 1,000,000 characters long; memo takes at most 20,000",
    ),
    Bad(
        "derive-wrong-kind",
        DIC,
        lambda r: change(
            r,
            DIC,
            "{kind: rank, of: us_tariff_rate_pct}",
            "{kind: ranking, of: us_tariff_rate_pct}",
            "    derive: {kind: ranking",
        ),
        "indicators.us_tariff_rank.derive.kind",
        "unknown derivation kind 'ranking' (did you mean rank?)",
    ),
    Bad(
        "derive-param-off",
        DIC,
        lambda r: change(
            r,
            DIC,
            "{kind: rank, of: us_tariff_rate_pct}",
            "{kind: rank, off: us_tariff_rate_pct}",
            "    derive: {kind: rank, off",
        ),
        "indicators.us_tariff_rank.derive.off",
        "'off' is not a parameter of kind rank",
    ),
    Bad(
        "derive-circular",
        DIC,
        lambda r: (
            change(
                r,
                DIC,
                "derive: {kind: gap, of: us_tariff_rate_pct}",
                "derive: {kind: gap, of: us_tariff_rank}",
            )
            and change(
                r,
                DIC,
                "derive: {kind: rank, of: us_tariff_rate_pct}",
                "derive: {kind: rank, of: us_tariff_gap_pp}",
            )
        ),
        "indicators.us_tariff_rank.derive",
        "us_tariff_rank depends on itself through its inputs",
    ),
    Bad(
        "chart-without-indicator",
        MEM,
        lambda r: change(
            r,
            MEM,
            "    indicator: us_tariff_rate_pct\n    highlight",
            "    highlight",
            "  tariffs:",
        ),
        "charts.tariffs.indicator",
        "chart kind ranked_bars needs 'indicator'",
    ),
    Bad(
        "bom-inside-yaml",
        DIC,
        lambda r: change(r, DIC, "qualifiers:", "\ufeffqualifiers:"),
        "\\ufeffqualifiers",
        "key contains a zero width no-break space (U+FEFF)",
    ),
    Bad(
        "tab-indentation",
        MEM,
        lambda r: change(r, MEM, "  officials:\n    label", "  officials:\n\tlabel", "\tlabel"),
        "yaml",
        "found character '\\t' that cannot start any token",
    ),
    Bad(
        "unquoted-period",
        MEM,
        lambda r: change(
            r, MEM, 'period: "2024"}', "period: 2024}", "      - {indicator: bilateral"
        ),
        "memos[1].key_figures[0].period",
        'expected string, found number 2024 (write "2024" in quotes: unquoted, YAML reads it as a number)',
    ),
    Bad(
        "quoted-number",
        DIC,
        lambda r: change(r, DIC, "range: [0, 60]", 'range: [0, "60"]'),
        "indicators.us_tariff_rate_pct.range[1]",
        "(write 60 without quotes: quoted, it is text)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_named_at_its_line(make_project, case: Bad) -> None:
    root = make_project()
    line = case.breaks(root)
    project, problems = validate(root)
    printed = format_problems(problems)
    assert project is None or problems, f"{case.id} passed validation"
    where = f"{case.path}:{line}: " + (f"{case.column}: " if case.column else "")
    mine = [p for p in printed.splitlines() if p.startswith(where)]
    assert mine, f"nothing printed at {where}\n{printed}"
    assert any(case.problem in p for p in mine), "\n".join(mine)
    assert not RAW_CONTROL.search(printed), printed
    assert SECRET not in printed


VALID = {
    # A byte-order mark at the start of a YAML file, as Windows editors save it.
    "bom-in-yaml": lambda r: (r / DIC).write_bytes(b"\xef\xbb\xbf" + (r / DIC).read_bytes()),
    # Norway's code, which YAML 1.1 reads as false, as a key and in a list.
    "norway": lambda r: (
        change(
            r, DIC, "  CHN: {name: China", '  NO: {name: Norway, alpha2: "NO"}\n  CHN: {name: China'
        ),
        change(r, MEM, "entities: [USA, IND,", "entities: [NO, USA, IND,"),
    ),
    # An edition date typed without quotes (YAML would make it a date object).
    "unquoted-date": lambda r: change(r, CFG, '"2025-09-15"', "2025-09-15"),
    # Ids typed full-width or with a no-break space: the same ids.
    "full-width-ids": lambda r: (
        change(r, MEM, "entity: IND, period", "entity: ＩＮＤ, period"),
        append(r, IND, "us_tariff_rate_pct\u00a0,ＰＡＫ,,2025-08-06,19,,,,percent,fn01,"),
        change(r, IND, "RUS,2025,", "RUS,２０２５,"),
    ),
    # A figure of 1066 once the dictionary widens the span of years.
    "widened-span": lambda r: (
        change(r, DIC, "qualifiers:", "periods: {from: 1000, to: 2100}\nqualifiers:"),
        value(r, "BRA,,2025-08-06", "BRA,,1066"),
    ),
    # A link that stays within the project.
    "link-within-project": lambda r: (
        (r / "data/v2").mkdir(),
        (r / EVT).rename(r / "data/v2/events.csv"),
        (r / EVT).symlink_to("v2/events.csv"),
    ),
    # Tabs and line breaks in a note are free text.
    "tab-in-note": lambda r: value(
        r, '"36 to 40 percent, 관세율"', '"36 to 40\tpercent,\r\n관세율"'
    ),
}


@pytest.mark.parametrize("name", VALID)
def test_unusual_but_valid_input_passes(make_project, name: str) -> None:
    root = make_project()
    VALID[name](root)
    project, problems = validate(root)
    assert problems == [], format_problems(problems)
    assert project is not None


def test_full_width_ids_are_the_ids_they_stand_for(make_project) -> None:
    root = make_project()
    VALID["full-width-ids"](root)
    project, _ = validate(root)
    pak = [
        o for o in project.dataset.observations if o.entity == "PAK" and o.period == "2025-08-06"
    ]
    assert [(o.indicator, o.value) for o in pak] == [("us_tariff_rate_pct", 19.0)]
    oil = {o.period for o in project.dataset.observations if o.counterpart == "RUS"}
    assert oil == {"2021", "2025"}
    assert project.edition.memos[0].key_figures[0].entity == "IND"


def test_norway_is_a_code_not_false(make_project) -> None:
    root = make_project()
    VALID["norway"](root)
    project, _ = validate(root)
    assert project.dataset.dictionary.entities["NO"].name == "Norway"
    assert "NO" in project.edition.topics[0].entities


# ---- hostile YAML in bounded time and memory --------------------------------------------------

# The peak is the kernel's high-water mark of the probe's own memory (VmHWM): ru_maxrss would
# include the RSS of the test process it was started from (Linux keeps it across fork and exec).
# One probe process validates every hostile project in turn, its mark reset before each
# (/proc/self/clear_refs "5"), so each case is measured from what the process holds once the
# validator is imported, as a new `memo validate` holds it, without paying that import six times.
PROBE = """\
import json, re, sys, time
from pathlib import Path
from memo.ingest.validate import validate
for root in sys.argv[1:]:
    Path("/proc/self/clear_refs").write_text("5")
    start = time.process_time()
    project, problems = validate(Path(root))
    status = Path("/proc/self/status").read_text()
    peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
    print(json.dumps([peak_kb, time.process_time() - start, [str(p) for p in problems]]))
"""
HOSTILE_YAML = {
    "bomb-memos": (MEM, BOMB),
    "bomb-dictionary": (DIC, BOMB),
    "self-memos": (MEM, SELF),
    "self-dictionary": (DIC, SELF),
    "deep-memos": (MEM, DEEP),
    "deep-dictionary": (DIC, DEEP),
}


@pytest.fixture(scope="module")
def probed(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[int, float, list[str], int]]:
    """Each hostile YAML case validated in the probe process: (peak kB, CPU s, problems, line)."""
    from unit.support import make_project

    roots, lines = [], []
    for name, (rel, text) in HOSTILE_YAML.items():
        root = make_project(tmp_path_factory.mktemp(name))
        lines.append(hostile(rel, text)(root))
        roots.append(str(root))
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *roots], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    return {
        name: (*result, line)
        for name, result, line in zip(HOSTILE_YAML, results, lines, strict=True)
    }


@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_hostile_yaml_fails_at_its_line_in_bounded_memory(probed, name) -> None:
    """memo validate in a process of its own: the problem at its line, the memory it takes under
    200 MB (measured by the kernel), and no hang (a generous timeout, not a speed test)."""
    peak_kb, _cpu, printed, line = probed[name]
    rel = HOSTILE_YAML[name][0]
    assert peak_kb / 1024 < 200, f"{peak_kb / 1024:.0f} MB"
    assert any(p.startswith(f"{rel}:{line}: yaml: ") for p in printed), printed


def test_more_values_than_any_config_stops_the_read_early(make_project) -> None:
    root = make_project()
    # 2 million values in about 6 MB: built, they would take gigabytes.
    (root / DIC).write_text("many: [" + ",".join(["0"] * 2_000_000) + "]\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problems = validate(root)[1]
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert f"{DIC}:1: yaml: holds more than 100,000 values" in format_problems(problems)
    assert grown_mb < 200


def test_the_small_dictionary_and_memos_are_far_below_the_limits() -> None:
    # The limits leave room: the fixtures (and a 200-memo edition, ten times fewer values than the
    # limit) are read, not refused.
    import yaml

    from memo.ingest.yamlfile import MAX_DEPTH, MAX_VALUES

    for text in (DICTIONARY, MEMOS):
        loader = yaml.SafeLoader(text)
        events = []
        while loader.check_event():
            events.append(loader.get_event())
        assert len(events) < MAX_VALUES / 50
        depth = level = 0
        for e in events:
            level += isinstance(e, yaml.CollectionStartEvent) - isinstance(
                e, yaml.CollectionEndEvent
            )
            depth = max(depth, level)
        assert depth < MAX_DEPTH / 4
