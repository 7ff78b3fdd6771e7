"""memo.ingest.sheets: a table of data/ may be a spreadsheet instead of its CSV file; it reads as
the same records, its problems name their cells, and both forms at once is an error."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from memo.core.records import INDICATOR_COLUMNS
from memo.ingest.dataset import check_dataset
from memo.ingest.observations import load_indicators
from memo.ingest.sheets import cell_text, column_letter
from memo.ingest.sources import load_sources
from unit.support import INDICATORS, SOURCES

NUMERIC = {"value", "low", "high", "footnote"}


def write_sheet(path, csv_text: str, title: str = "Figures") -> None:
    """A workbook holding the rows of ``csv_text`` as a person types them: numbers as numbers."""
    import openpyxl  # here, not at the top: only the worker running this module pays for it

    rows = list(csv.reader(io.StringIO(csv_text)))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for i, row in enumerate(rows):
        cells = []
        for column, value in zip(rows[0], row, strict=True):
            if i and column in NUMERIC and value:
                number = float(value)
                cells.append(int(number) if number.is_integer() else number)
            else:
                cells.append(value or None)
        sheet.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (25, "25"),
        (25.0, "25"),
        (212.3, "212.3"),
        (0.1 + 0.2, "0.30000000000000004"),
        (dt.datetime(2025, 8, 6), "2025-08-06"),
        (dt.date(2025, 8, 6), "2025-08-06"),
        ("2025-Q2", "2025-Q2"),
        (True, "TRUE"),
    ],
)
def test_a_cell_reads_as_the_text_a_csv_file_holds(value, text):
    assert cell_text(value) == text


def test_column_letters():
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == [
        "A",
        "C",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_a_spreadsheet_gives_the_same_records_as_the_csv_file(make_project, tmp_path):
    csv_root = make_project()
    expected, problems = check_dataset(csv_root)
    assert problems == []
    (csv_root / "data/indicators.csv").unlink()
    (csv_root / "data/sources.csv").unlink()
    write_sheet(csv_root / "data/indicators.xlsx", INDICATORS)
    write_sheet(csv_root / "data/sources.xlsx", SOURCES)
    found, problems = check_dataset(csv_root)
    assert problems == []
    assert found.sources == expected.sources
    fields = [c for c in INDICATOR_COLUMNS] + ["line"]
    assert [[getattr(o, f) for f in fields] for o in found.observations] == [
        [getattr(o, f) for f in fields] for o in expected.observations
    ]
    assert {o.path for o in found.observations} == {"data/indicators.xlsx"}


def test_problems_in_a_spreadsheet_name_the_sheet_and_cell(make_project):
    root = make_project()
    (root / "data/indicators.csv").unlink()
    broken = INDICATORS.replace(
        "us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn01,",
        "us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn99,",
    ).replace("bilateral_trade_usd_bn,USA,IND,2000,20,", "bilateral_trade_usd_bn,USA,IDN,2000,20,")
    write_sheet(root / "data/indicators.xlsx", broken)
    # Rows are found in the text written: header on row 1, then one row per line.
    lines = broken.splitlines()
    pak = next(i for i, line in enumerate(lines, 1) if ",PAK," in line)
    idn = next(i for i, line in enumerate(lines, 1) if ",IDN," in line)
    sources, _ = load_sources(root)
    from memo.ingest.dictionary import load_dictionary

    dictionary, _ = load_dictionary(root)
    _, problems = load_indicators(root, dictionary, sources)
    shown = [str(p) for p in problems]
    assert f"data/indicators.xlsx:Figures!J{pak}: source: unknown source 'fn99'" in "\n".join(
        shown
    ), shown
    assert any(
        p.startswith(f"data/indicators.xlsx:Figures!C{idn}: counterpart: unknown counterpart code")
        for p in shown
    ), shown


def test_a_row_problem_names_the_whole_row(make_project):
    root = make_project()
    (root / "data/indicators.csv").unlink()
    doubled = INDICATORS + INDICATORS.splitlines()[1] + "\n"
    write_sheet(root / "data/indicators.xlsx", doubled)
    last = len(doubled.splitlines())
    _, problems = load_indicators(root, None, None)
    assert [str(p) for p in problems] == [
        f"data/indicators.xlsx:Figures!{last}:{last}: row: duplicate of line 2: same indicator, "
        "entity, counterpart, period (keep one row; put the other source's figure in note)"
    ]


def test_a_csv_file_and_a_spreadsheet_for_one_table_is_an_error_naming_both(make_project):
    root = make_project()
    write_sheet(root / "data/sources.xlsx", SOURCES)
    _, problems = check_dataset(root)
    assert [str(p) for p in problems] == [
        "data/sources.csv:1: file: data/sources.csv and data/sources.xlsx both hold this table "
        "(keep one of them: delete or rename the other)"
    ]


def test_a_file_that_is_not_a_workbook_is_reported_at_the_file(make_project):
    root = make_project()
    (root / "data/sources.csv").unlink()
    (root / "data/sources.xlsx").write_bytes(b"id,footnote\n")
    _, problems = check_dataset(root)
    assert [p.path for p in problems] == ["data/sources.xlsx"]
    assert "cannot read the spreadsheet" in problems[0].problem


def test_a_spreadsheet_linked_from_outside_the_project_is_refused_unread(make_project, tmp_path):
    root = make_project()
    outside = tmp_path / "elsewhere" / "secret.xlsx"
    write_sheet(outside, SOURCES.replace("Choi", "SECRET-AUTHOR"))
    (root / "data/sources.csv").unlink()
    (root / "data/sources.xlsx").symlink_to(outside)
    _, problems = check_dataset(root)
    assert [(p.path, p.line) for p in problems] == [("data/sources.xlsx", 1)]
    assert "outside the project" in problems[0].problem
    assert "SECRET" not in str(problems[0])


def test_planning_reads_a_spreadsheet_as_the_csv_file(make_project):
    from memo.workflow import digest, plan

    root = make_project()
    ids = plan.output_ids(str(root))
    csv_digests = {m: digest.data_digest(str(root), m) for m in ids}
    csv_rows = {m: digest.row_locations(str(root), m) for m in ids}
    assert plan.data_files(str(root))[1:] == [
        "data/indicators.csv",
        "data/sources.csv",
        "data/events.csv",
    ]
    for name, text in (("indicators", INDICATORS), ("sources", SOURCES)):
        (root / f"data/{name}.csv").unlink()
        write_sheet(root / f"data/{name}.xlsx", text)
    assert plan.data_files(str(root))[1:] == [
        "data/indicators.xlsx",
        "data/sources.xlsx",
        "data/events.csv",
    ]
    assert "data/sources.xlsx" in plan.reference_files(str(root))
    # The same rows give the same digests: the memos show the same. Their rows are in another
    # file, which each memo's figure record names (data/indicators.xlsx:12): moving the indicators
    # to a spreadsheet renders every memo again (row_locations), moving the sources none.
    moved = {m: digest.row_locations(str(root), m) for m in ids}
    assert {m: digest.data_digest(str(root), m) for m in ids} == csv_digests
    assert all(moved[m] != csv_rows[m] for m in ids)
    (root / "data/indicators.xlsx").unlink()
    (root / "data/indicators.csv").write_text(INDICATORS, encoding="utf-8")
    assert {m: digest.row_locations(str(root), m) for m in ids} == csv_rows
    (root / "data/indicators.csv").unlink()
    write_sheet(root / "data/indicators.xlsx", INDICATORS)
    assert {m: digest.row_locations(str(root), m) for m in ids} == moved
    # And a changed figure in the spreadsheet changes the digest of the memos showing it.
    write_sheet(
        root / "data/indicators.xlsx",
        INDICATORS.replace(
            "bilateral_trade_usd_bn,USA,IND,2024,212.3", "bilateral_trade_usd_bn,USA,IND,2024,213"
        ),
    )
    after = {m: digest.data_digest(str(root), m) for m in csv_digests}
    assert after["trade-brief-en"] != csv_digests["trade-brief-en"]
    assert after["tariff-brief-en"] == csv_digests["tariff-brief-en"]
