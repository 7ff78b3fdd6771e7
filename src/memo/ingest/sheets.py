"""Read a table of ``data/`` from a spreadsheet (``.xlsx``) instead of its CSV file.

An analyst may keep ``data/indicators.xlsx`` (or ``sources.xlsx``, ``events.xlsx``) where the CSV
file would be, never both. The first sheet is the table: the header in its first non-blank row, one
record per row, exactly as in the CSV file, and it is read with pandas (openpyxl) and then checked
by the very code that checks a CSV file, so the two forms give the same records. Problems name the
cell: ``data/indicators.xlsx:Sheet1!C12``.

A cell's value becomes the text a CSV file would hold: a number as its shortest exact text (``25``,
``212.3``), a date as ISO 8601 (``2025-08-06``). A month or quarter (``2025-07``, ``2025-Q2``) must
be typed as text: a spreadsheet that turned it into a date has lost which it was.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from memo.core.files import UnsafeInput, read_input
from memo.core.problems import Problem
from memo.ingest.tables import Row, TableFile, read_records

SUFFIX = ".xlsx"


def sheet_path(csv_path: str) -> str:
    """The spreadsheet that may stand for a CSV file: ``data/x.csv`` -> ``data/x.xlsx``."""
    return str(Path(csv_path).with_suffix(SUFFIX).as_posix())


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV file would hold for it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def records(cells: Sequence[Sequence[Any]]) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(row number, fields, "")`` for each row of a sheet's cells (row 1 first)."""
    for index, row in enumerate(cells):
        yield index + 1, [cell_text(v) for v in row], ""


def read_cells(path: Path, display_path: str = "") -> tuple[str, list[list[Any]]]:
    """The name and cell values of a workbook's first sheet, read with pandas (openpyxl); rows and
    columns keep their places, blank ones included. The bytes come through
    :func:`memo.core.files.read_input`, which refuses a link out of the project or a FIFO."""
    import io

    import pandas as pd

    raw = read_input(path, display_path or str(path))
    with pd.ExcelFile(io.BytesIO(raw), engine="openpyxl") as book:
        name = book.sheet_names[0]
        frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object, na_filter=False)
    return str(name), frame.values.tolist()


def read_sheet(
    path: Path,
    csv_path: str,
    required_columns: Sequence[str],
    optional_columns: Sequence[str] = (),
    text_columns: Sequence[str] | None = None,
) -> tuple[list[Row], list[Problem], TableFile]:
    """Read the first sheet of a spreadsheet standing for ``csv_path`` (its rows, its problems
    at their cells, and where it was read from)."""
    display = sheet_path(csv_path)
    try:
        sheet, cells = read_cells(path, display)
    except UnsafeInput as err:
        return [], [Problem(display, 1, "file", err.reason, err.hint)], TableFile(display, csv_path)
    except Exception as err:  # not a workbook, damaged, locked: say so, at the file
        what = f"cannot read the spreadsheet: {type(err).__name__}: {err}"
        hint = "save it again as an Excel workbook (.xlsx)"
        return [], [Problem(display, 1, "file", what, hint)], TableFile(display, csv_path)
    allowed = tuple(required_columns) + tuple(
        c for c in optional_columns if c not in required_columns
    )
    if not cells:
        hint = "the first row must be the header: " + ", ".join(allowed)
        return (
            [],
            [Problem(display, 1, "file", "the first sheet is empty", hint)],
            TableFile(display, csv_path),
        )
    rows, problems, header = read_records(
        records(cells), csv_path, required_columns, allowed, text_columns, []
    )
    letters = tuple((name, column_letter(i)) for i, name in enumerate(header) if name)
    table = TableFile(display, csv_path, sheet, letters)
    return rows, table.locate(problems), table
