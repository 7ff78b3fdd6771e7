"""End to end: the data kept in spreadsheets (.xlsx) instead of CSV files build the same memos,
byte for byte, as the CSV files with the same rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from helpers import (
    MEMOS,
    assert_rows_resolve,
    copy_built,
    copy_project,
    rendered_memos,
    run_snakemake,
)

pytestmark = pytest.mark.e2e

TABLES = ("indicators", "sources", "events")
# Columns a person types as numbers; everything else (ids, periods, dates, notes) as text.
NUMERIC = {"value", "low", "high", "footnote"}


def to_spreadsheet(csv_path: Path) -> Path:
    """Write the rows of a CSV file to a workbook beside it and delete the CSV file."""
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = csv_path.stem.capitalize()
    for i, row in enumerate(rows):
        cells = []
        for column, value in zip(rows[0], row, strict=True):
            if i and column in NUMERIC and value:
                number = float(value)
                cells.append(int(number) if number.is_integer() else number)
            else:
                cells.append(value or None)
        sheet.append(cells)
    xlsx = csv_path.with_suffix(".xlsx")
    book.save(xlsx)
    csv_path.unlink()
    return xlsx


def test_spreadsheets_build_the_same_memos_as_csv_files(built_project, reports, tmp_path):
    """The tables of a built project moved to spreadsheets: every memo is rendered again (its
    figure record now names the spreadsheet's rows), into the same files byte for byte."""
    project = copy_built(built_project.root, tmp_path / "project")
    for table in TABLES:
        to_spreadsheet(project / f"data/{table}.csv")
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert sorted(rendered_memos(result.stdout)) == sorted(MEMOS), result.stdout[-3000:]
    for memo in MEMOS:  # each figure's record names its row of the spreadsheet
        assert_rows_resolve(project, memo)

    expected = sorted((built_project.root / "build/memos").iterdir())
    assert expected and [p.name for p in expected] == sorted(
        p.name for p in (project / "build/memos").iterdir()
    )
    for path in expected:
        mine = project / "build/memos" / path.name
        if path.name.endswith(".figures.json"):
            # The record names the row each figure came from: now a row of the spreadsheet, at
            # the same row number as the CSV file's line.
            record = json.loads(mine.read_text(encoding="utf-8"))
            rows = json.dumps(record, ensure_ascii=False).replace(
                "data/indicators.xlsx:", "data/indicators.csv:"
            )
            assert "indicators.xlsx" in json.dumps(record)
            assert json.loads(rows) == json.loads(path.read_text(encoding="utf-8")), path.name
        else:  # the memos, and their meta records: the same input key (the same figures shown)
            assert mine.read_bytes() == path.read_bytes(), path.name


def test_a_spreadsheet_beside_its_csv_file_stops_the_build_naming_both(tmp_path):
    project = copy_project(tmp_path)
    events = project / "data/events.csv"
    kept = events.read_bytes()
    to_spreadsheet(events)
    events.write_bytes(kept)
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode != 0
    assert (
        "data/events.csv:1: file: data/events.csv and data/events.xlsx both hold this table"
        in result.stdout
    ), result.stdout[-3000:]
    assert not (project / "build/memos").exists()
