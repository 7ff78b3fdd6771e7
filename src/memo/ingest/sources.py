"""Read ``data/sources.csv`` (the works figures cite) and ``data/events.csv`` (dated events), or
the spreadsheets standing for them (``memo.ingest.sheets``)."""

from __future__ import annotations

from pathlib import Path

from memo.core.periods import DATE_FORMS, DEFAULT_SPAN, normal_period, period_error
from memo.core.problems import Problem
from memo.core.records import EVENT_COLUMNS, SOURCE_COLUMNS, Event, Source
from memo.ingest.hints import choices, period_hint
from memo.ingest.tables import Row, read_data_table

SOURCES = "data/sources.csv"
EVENTS = "data/events.csv"
# Free-text columns, which may hold zero-width characters (other columns are ids, codes, numbers).
TEXT_COLUMNS = ("note", "title", "author", "publisher")


def load_sources(
    root: Path, span: tuple[int, int] = DEFAULT_SPAN
) -> tuple[dict[str, Source] | None, list[Problem]]:
    """Read the sources; None if the file is unusable (then source ids go unchecked elsewhere).
    Dates must lie in the years of ``span`` (the dictionary's ``periods:``)."""
    rows, problems, table = read_data_table(
        root, SOURCES, SOURCE_COLUMNS[:-1], SOURCE_COLUMNS, TEXT_COLUMNS
    )
    if not rows and problems:
        return None, table.locate(problems)
    sources: dict[str, Source] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        # A source with a bad date is still a known id: rows citing it shouldn't fail as well.
        if _check_id(row, SOURCES, first_line, problems):
            sources[row["id"]] = Source(**{c: row[c] for c in SOURCE_COLUMNS}, line=row.line)
        _check_date(row, SOURCES, problems, span, required=False)
        url = row["url"]
        if url and not url.startswith(("http://", "https://")):
            what = f'url "{url}" does not start with http:// or https://'
            problems.append(Problem(SOURCES, row.line, "url", what, "paste the full address"))
    return sources, table.locate(problems)


def load_events(
    root: Path, sources: dict[str, Source] | None, span: tuple[int, int] = DEFAULT_SPAN
) -> tuple[dict[str, Event], list[Problem]]:
    """Read the dated events and check their ids, dates (in the years of ``span``) and sources."""
    rows, problems, table = read_data_table(
        root, EVENTS, EVENT_COLUMNS[:-1], EVENT_COLUMNS, TEXT_COLUMNS
    )
    events: dict[str, Event] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        if _check_id(row, EVENTS, first_line, problems):
            events[row["id"]] = Event(**{c: row[c] for c in EVENT_COLUMNS}, line=row.line)
        _check_date(row, EVENTS, problems, span, required=True)
        if not row["title"]:
            problems.append(Problem(EVENTS, row.line, "title", "title is required", "in English"))
        check_source(row, EVENTS, sources, problems)
    return events, table.locate(problems)


def _check_id(row: Row, path: str, first_line: dict[str, int], problems: list[Problem]) -> bool:
    """Check that a row has an id not used by an earlier row."""
    rid = row["id"]
    if not rid:
        problems.append(Problem(path, row.line, "id", "id is required"))
        return False
    if rid in first_line:
        what = f"duplicate id '{rid}', first used on line {first_line[rid]}"
        problems.append(Problem(path, row.line, "id", what, "give each row its own id"))
        return False
    first_line[rid] = row.line
    return True


def _check_date(
    row: Row, path: str, problems: list[Problem], span: tuple[int, int], *, required: bool
) -> bool:
    """Check an ISO 8601 date of year, month or day precision, within the years of ``span``."""
    # Dates are compared in their normal form, like periods (NFKC, stripped).
    row.values["date"] = text = normal_period(row["date"])
    if not text:
        if required:
            problems.append(
                Problem(path, row.line, "date", "date is required", f"write {DATE_FORMS}")
            )
        return not required
    error = period_error(text, quarters=False, span=span)
    if error:
        problems.append(
            Problem(path, row.line, "date", error, period_hint(text, DATE_FORMS, error))
        )
    return not error


def check_source(
    row: Row, path: str, sources: dict[str, Source] | None, problems: list[Problem]
) -> bool:
    """Check that the row's source id is in data/sources.csv."""
    sid = row["source"]
    if not sid:
        hint = "an id from data/sources.csv"
        problems.append(Problem(path, row.line, "source", "source is required", hint))
        return False
    if sources is not None and sid not in sources:
        hint = choices(sid, sources, what="ids", fallback="add it to data/sources.csv")
        problems.append(Problem(path, row.line, "source", f"unknown source '{sid}'", hint))
        return False
    return True
