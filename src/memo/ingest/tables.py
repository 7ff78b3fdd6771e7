"""Read the CSV files spreadsheets write, reporting problems with the line an editor shows.

Excel, LibreOffice and Google Sheets write UTF-8 with or without a byte-order mark, CRLF line ends,
quoted fields holding commas and newlines, and stray spaces around header names. All of that is
accepted. What is not (wrong encoding, wrong separator, a row with a field too many, a control
character in a field, a link to a file outside the project) becomes a ``Problem``; nothing here
raises on bad input.

Header names and every field but the free-text columns (ids, codes, periods, numbers, units) are
read in their normal form (:func:`memo.core.text.normal`: NFKC, stripped), so that two spellings of
one key compare equal; free text is only stripped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from memo.core.files import UNREADABLE_HINT, UnsafeInput, read_input
from memo.core.problems import Problem
from memo.core.text import article, control_character, normal

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
QUOTE_HINT = 'quote the whole field and double the quotes inside it: "he said ""no"""'
LONG_FIELD = "a field runs on for more than"
LONG_FIELD_HINT = "close the quote it opens, or shorten the field"
# Invisible characters that make text read differently from how it is stored ("Trojan Source"):
# bidirectional embeddings, overrides and isolates. Never wanted in data; right-to-left text needs
# none of them. Zero-width characters are kept in free text (some scripts need ZWJ/ZWNJ) but not in
# ids, codes, dates, numbers and addresses, where they make two values look alike.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\u2061-\u2064\ufeff]")


def invisible_character(text: str, *, zero_width: bool = True) -> str:
    """Describe the first invisible control character in ``text`` ("right-to-left override
    (U+202E)"), or return "" if there is none; zero-width characters count unless told not to."""
    found = BIDI_CONTROLS.search(text) or (ZERO_WIDTH.search(text) if zero_width else None)
    if not found:
        return ""
    ch = found.group()
    return f"{unicodedata.name(ch, 'control character').lower()} (U+{ord(ch):04X})"


@dataclass(frozen=True)
class Row:
    """One record of a table: its values by column name and the editor line where it starts."""

    line: int
    values: dict[str, str]
    # Fields as typed (stripped) where the normal form differs: a number is checked as typed.
    typed: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str = "") -> str:
        """Return the value of ``column``, or ``default`` when the file has no such column."""
        return self.values.get(column, default)


def decode(raw: bytes, display_path: str) -> tuple[str, list[Problem]]:
    """Decode a file's bytes as UTF-8 (BOM optional); report the line of the first bad byte."""
    if raw.startswith(UTF16_BOMS):
        # Excel's "Unicode text" export: readable, but every other tool expects UTF-8.
        problem = Problem(
            display_path, 1, "encoding", "file is saved as UTF-16", "save the file as UTF-8"
        )
        return raw.decode("utf-16"), [problem]
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        what = f"byte 0x{raw[err.start]:02X} is not valid UTF-8"
        if _looks_korean_legacy(raw):
            what += "; the file looks saved as CP949/EUC-KR"
        problem = Problem(display_path, line, "encoding", what, "save the file as UTF-8")
        # Keep going with replacement characters so that the other problems show in the same run.
        return raw.decode("utf-8", errors="replace"), [problem]


def _looks_korean_legacy(raw: bytes) -> bool:
    """Tell whether bytes decode as CP949, the encoding Korean Windows Excel saves in."""
    try:
        raw.decode("cp949")
    except UnicodeDecodeError:
        return False
    return True


def iter_records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(start_line, fields, error)`` for each CSV record; ``fields`` is None on error."""
    # newline="" keeps CRLF and newlines inside quoted fields intact for the csv module.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    limit = csv.field_size_limit()
    while True:
        # line_num counts physical lines read so far, so a record spanning lines starts just after
        # the previous record's last line.
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if "unexpected end of data" in str(err):
                yield start, None, "a double quote opened in this record is never closed"
                return
            if "field larger than field limit" in str(err):
                # The reader cannot go on past such a field: report it and stop.
                yield (
                    start,
                    None,
                    f"{LONG_FIELD} {limit:,} characters: a quote left open, or text pasted by "
                    "mistake",
                )
                return
            # Report the line the record starts on: a stray quote there makes the reader run on
            # through later lines, and the error only shows where it stops.
            runs_on = (
                f"; a quote opened on this line runs on to line {reader.line_num}"
                if reader.line_num > start
                else ""
            )
            yield start, None, f"badly quoted field: {err}{runs_on}"
            continue
        yield start, fields, ""


def read_table(
    path: Path | str,
    display_path: str,
    required_columns: Sequence[str],
    optional_columns: Sequence[str] = (),
    text_columns: Sequence[str] | None = None,
) -> tuple[list[Row], list[Problem]]:
    """Read a CSV file into rows keyed by column name, with every problem found on the way.

    Bidirectional control characters are reported in every cell; zero-width characters in every
    cell outside ``text_columns`` (free text), when those are given.
    """
    try:
        raw = read_input(path, display_path)
    except UnsafeInput as err:
        return [], [Problem(display_path, 1, "file", err.reason, err.hint)]
    except FileNotFoundError:
        header = ",".join(required_columns)
        return [], [
            Problem(display_path, 1, "file", "file not found", f"create it with header {header}")
        ]
    except OSError as err:
        what = f"cannot read file: {err.strerror}"
        return [], [Problem(display_path, 1, "file", what, UNREADABLE_HINT)]
    text, problems = decode(raw, display_path)
    allowed = tuple(required_columns) + tuple(
        c for c in optional_columns if c not in required_columns
    )
    if not text.strip():
        hint = "the first line must be the header: " + ",".join(allowed)
        return [], [*problems, Problem(display_path, 1, "file", "file is empty", hint)]

    return read_records(
        iter_records(text), display_path, required_columns, allowed, text_columns, problems
    )[:2]


def read_records(
    records: Iterator[tuple[int, list[str] | None, str]],
    display_path: str,
    required_columns: Sequence[str],
    allowed: Sequence[str],
    text_columns: Sequence[str] | None,
    problems: list[Problem],
) -> tuple[list[Row], list[Problem], list[str]]:
    """Rows from ``(line, fields, error)`` records (a CSV file's or a spreadsheet's), the problems
    (``problems`` and more) and the header as found ([] when none could be read)."""
    header_line, header = _read_header(records, display_path, problems)
    if header is None or not _check_header(
        header, header_line, display_path, required_columns, allowed, problems
    ):
        return [], problems, header or []

    rows: list[Row] = []
    row_problems_before = len(problems)
    text_of = set(allowed if text_columns is None else text_columns)
    for line, fields, error in records:
        if fields is None:
            hint = LONG_FIELD_HINT if error.startswith(LONG_FIELD) else QUOTE_HINT
            problems.append(Problem(display_path, line, "row", error, hint))
            continue
        _check_characters(line, fields, header, text_of, display_path, problems)
        row = _make_row(line, fields, header, allowed, text_of, display_path, problems)
        if row is not None:
            rows.append(row)
    if not rows and len(problems) == row_problems_before:
        hint = "add one row per record under the header"
        problems.append(
            Problem(display_path, header_line, "file", "file has a header but no rows", hint)
        )
    return rows, problems, header


@dataclass(frozen=True)
class TableFile:
    """The file a table of ``data/`` was read from: its CSV file, or a spreadsheet's first sheet
    (``sheet``, with the letter of each column by name)."""

    path: str
    csv_path: str
    sheet: str = ""
    letters: tuple[tuple[str, str], ...] = ()

    def locate(self, problems: Sequence[Problem]) -> list[Problem]:
        """Problems made at the CSV path, moved to the spreadsheet's cells (``Sheet1!C12``)."""
        if not self.sheet:
            return list(problems)
        letters = dict(self.letters)
        out = []
        for p in problems:
            if p.path != self.csv_path:
                out.append(p)
                continue
            letter = letters.get(p.column)
            cell = f"{self.sheet}!{letter}{p.line}" if letter else f"{self.sheet}!{p.line}:{p.line}"
            out.append(Problem(self.path, p.line, p.column, p.problem, p.hint, cell))
        return out


def read_data_table(
    root: Path,
    csv_path: str,
    required_columns: Sequence[str],
    optional_columns: Sequence[str] = (),
    text_columns: Sequence[str] | None = None,
) -> tuple[list[Row], list[Problem], TableFile]:
    """Read a table of ``data/`` from its CSV file or, instead, from a spreadsheet of the same name
    (``data/indicators.xlsx``, its first sheet; ``memo.ingest.sheets``). Returns the rows, the
    problems and the file read. Problems are made at ``csv_path``, here and by the callers' checks;
    ``TableFile.locate`` then names a spreadsheet's cell.
    """
    from memo.ingest import sheets

    xlsx_path = sheets.sheet_path(csv_path)
    has_csv, has_xlsx = (root / csv_path).is_file(), (root / xlsx_path).is_file()
    if has_csv and has_xlsx:
        what = f"{csv_path} and {xlsx_path} both hold this table"
        hint = "keep one of them: delete or rename the other"
        return [], [Problem(csv_path, 1, "file", what, hint)], TableFile(csv_path, csv_path)
    if has_xlsx:
        return sheets.read_sheet(
            root / xlsx_path, csv_path, required_columns, optional_columns, text_columns
        )
    rows, problems = read_table(
        root / csv_path, csv_path, required_columns, optional_columns, text_columns
    )
    return rows, problems, TableFile(csv_path, csv_path)


def _check_characters(
    line: int,
    fields: list[str],
    header: list[str],
    text_columns: set[str],
    display_path: str,
    problems: list[Problem],
) -> None:
    """Report control characters (any field; tabs and line breaks are allowed in free text) and
    invisible ones (``BIDI_CONTROLS``; zero-width characters outside free text), as typed, before
    a field is stripped."""
    for index, value in enumerate(fields):
        column = header[index] if index < len(header) and header[index] else f"field {index + 1}"
        free = column in text_columns
        what = control_character(value, free_text=free)
        hint = "delete it; a control character has no place in data"
        if not what:
            what = invisible_character(value, zero_width=not free)
            hint = "delete it; it is invisible but changes how the text reads or compares"
        if what:
            problems.append(
                Problem(display_path, line, column, f"contains {article(what)} {what}", hint)
            )


def _read_header(
    records: Iterator[tuple[int, list[str] | None, str]], display_path: str, problems: list[Problem]
) -> tuple[int, list[str] | None]:
    """Take the first non-blank record as the header; strip spaces around the names."""
    for line, fields, error in records:
        if fields is None:
            problems.append(Problem(display_path, line, "header", error, QUOTE_HINT))
            return line, None
        if any(f.strip() for f in fields):
            return line, [normal(f) for f in fields]
    return 1, None


def _check_header(
    header: list[str],
    line: int,
    display_path: str,
    required: Sequence[str],
    allowed: Sequence[str],
    problems: list[Problem],
) -> bool:
    """Report separator, duplicate, missing and unknown columns; False if rows can't be read."""
    if len(header) == 1:
        for sep, name in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                what = f"looks separated by {name}, not commas"
                problems.append(
                    Problem(display_path, line, "header", what, "save as comma-separated CSV")
                )
                return False
    found = ", ".join(h for h in header if h)
    seen: set[str] = set()
    usable = True
    for name in header:
        if not name:
            continue  # a blank header cell; _make_row reports it only if its column holds values
        if name in seen:
            hint = f"keep one column named '{name}'"
            problems.append(
                Problem(display_path, line, "header", f"duplicate column '{name}'", hint)
            )
            usable = False
        seen.add(name)
        if name not in allowed:
            hint = "allowed columns: " + ", ".join(allowed)
            problems.append(Problem(display_path, line, "header", f"unknown column '{name}'", hint))
    for name in required:
        if name not in seen:
            what = f"missing column '{name}'"
            problems.append(Problem(display_path, line, "header", what, f"header found: {found}"))
            # Without a required column every row would fail; one message on the header is enough.
            usable = False
    return usable


def _make_row(
    line: int,
    fields: list[str],
    header: list[str],
    allowed: Sequence[str],
    text_columns: set[str],
    display_path: str,
    problems: list[Problem],
) -> Row | None:
    """Turn a record into a Row, or report why its fields don't line up with the header."""
    if not any(f.strip() for f in fields):
        return None  # blank lines and rows of bare commas, which spreadsheets leave at the end
    # Spreadsheets pad rows with empty cells past the last column; those are harmless.
    while len(fields) > len(header) and not fields[-1].strip():
        fields = fields[:-1]
    if len(fields) != len(header):
        if len(fields) > len(header):
            hint = "put double quotes around a field that contains a comma"
        else:
            hint = "leave a blank value as nothing between two commas"
        count = f"{len(fields)} field{'' if len(fields) == 1 else 's'}"
        what = f"row has {count} but the header has {len(header)}"
        problems.append(Problem(display_path, line, "row", what, hint))
        return None
    values = dict.fromkeys(allowed, "")
    typed: dict[str, str] = {}
    for index, (name, value) in enumerate(zip(header, fields, strict=True), start=1):
        if name in values:
            values[name] = value.strip() if name in text_columns else normal(value)
            if values[name] != value.strip():
                typed[name] = value.strip()
        elif not name and value.strip():
            what = f"field {index} has a value but its column has no header"
            problems.append(Problem(display_path, line, "row", what, "name the column or clear it"))
    return Row(line, values, typed)
