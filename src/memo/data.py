"""Load data/ into typed records, checking everything and reporting all problems in one pass.

``load_dataset`` reads ``data/dictionary.yaml``, ``data/sources.csv``, ``data/events.csv`` and
``data/indicators.csv``. Every check runs even after others failed, so an analyst fixes all problems
from one run. A check that depends on another file (does this source id exist?) is skipped when that
file could not be read, rather than repeating one cause on every row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memo.errors import DataError, Problem
from memo.model import (
    EVENT_COLUMNS,
    INDICATOR_COLUMNS,
    QUALIFIERS,
    SOURCE_COLUMNS,
    Dataset,
    Dictionary,
    Entity,
    Event,
    IndicatorDef,
    Observation,
    Source,
    Unit,
)
from memo.schema import YamlDoc, check_yaml, dotted, load_schema
from memo.tables import Row, decode, iter_records, read_table

DICTIONARY = "data/dictionary.yaml"
SOURCES = "data/sources.csv"
EVENTS = "data/events.csv"
INDICATORS = "data/indicators.csv"
INPUT_FILES = (DICTIONARY, SOURCES, EVENTS, INDICATORS)

EXACT = "exact"  # the dictionary's name for the empty qualifier
PERIOD_FORMS = "2024, 2025-Q2, 2025-07 or 2025-08-06"
DATE_FORMS = "2025, 2025-07 or 2025-08-06"
# Free-text columns, which may hold zero-width characters (other columns are ids, codes, numbers).
TEXT_COLUMNS = ("note", "title", "author", "publisher")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
# Words that say what unit a figure is in; typed next to a number they belong in the unit column.
UNIT_WORDS = frozenset("% percent pct $ us$ usd bn billion mn million km km2".split())
# How a row check reports: report(column, problem, hint="").
Report = Callable[..., None]


def load_dataset(root: Path) -> Dataset:
    """Load and check everything under ``root/data``; raise DataError listing all problems."""
    dataset, problems = check_dataset(root)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset


def check_dataset(root: Path) -> tuple[Dataset | None, list[Problem]]:
    """Load and check everything under ``root/data``; the dataset is None if there are problems."""
    root = Path(root)
    dictionary, problems = load_dictionary(root)
    sources, source_problems = load_sources(root)
    events, event_problems = load_events(root, sources)
    observations, indicator_problems = load_indicators(root, dictionary, sources)
    problems += source_problems + event_problems + indicator_problems
    if problems or dictionary is None or sources is None:
        return None, problems
    return Dataset(dictionary, observations, sources, events), []


# --- data/dictionary.yaml -------------------------------------------------------------------------


def load_dictionary(root: Path) -> tuple[Dictionary | None, list[Problem]]:
    """Read the indicator dictionary; None only if the file can't be parsed at all."""
    doc, problems = check_yaml(root / DICTIONARY, DICTIONARY, load_schema("dictionary"))
    if doc is None or not isinstance(doc.data, dict):
        return None, problems
    # Build what can be built: the schema problems are reported already, and a partial dictionary
    # still lets indicators.csv be checked.
    data = doc.data
    dictionary = Dictionary(
        units=_units(_section(data, "units")),
        qualifiers=_qualifiers(data.get("qualifiers")),
        entities=_entities(_section(data, "entities")),
        indicators=_indicators(_section(data, "indicators")),
    )
    return dictionary, problems + _dictionary_problems(dictionary, doc)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """Return a top-level mapping of the dictionary, or {} if it isn't one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _number_or_none(value: Any) -> float | None:
    """Return a YAML number as float; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _units(section: dict[str, Any]) -> dict[str, Unit]:
    return {
        str(uid): Unit(
            id=str(uid),
            label=str(u.get("label", uid)),
            symbol=str(u.get("symbol") or ""),
            min=_number_or_none(u.get("min")),
            max=_number_or_none(u.get("max")),
        )
        for uid, u in section.items()
        if isinstance(u, dict)
    }


def _qualifiers(value: Any) -> dict[str, str]:
    """Read qualifiers given as a list of ids or as a mapping id -> meaning."""
    if isinstance(value, list):
        value = dict.fromkeys(value, "")
    if not isinstance(value, dict):
        return dict.fromkeys(QUALIFIERS, "")
    # The dictionary may name the empty qualifier ("as stated") `exact`, since YAML keys can't
    # comfortably be empty; in indicators.csv it is still written as an empty cell.
    return {("" if k in (None, EXACT) else str(k)): str(v or "") for k, v in value.items()}


def _entities(section: dict[str, Any]) -> dict[str, Entity]:
    return {
        str(code): Entity(
            code=str(code),
            name=str(e.get("name", code)),
            alpha2=str(e.get("alpha2") or ""),
            kind=str(e.get("kind") or "country"),
        )
        for code, e in section.items()
        if isinstance(e, dict)
    }


def _indicators(section: dict[str, Any]) -> dict[str, IndicatorDef]:
    out = {}
    for iid, d in section.items():
        if not isinstance(d, dict):
            continue
        bounds = d.get("range")
        range_ = None
        if isinstance(bounds, list) and len(bounds) == 2:
            lo, hi = (_number_or_none(b) for b in bounds)
            range_ = (lo, hi) if lo is not None and hi is not None else None
        out[str(iid)] = IndicatorDef(
            id=str(iid),
            label=str(d.get("label", iid)),
            unit=str(d.get("unit", "")),
            description=str(d.get("description", "")),
            range=range_,
            derived=d.get("derived") is True,
            derivation=str(d.get("derivation") or ""),
            inputs=tuple(str(i) for i in d.get("inputs") or () if isinstance(i, str)),
        )
    return out


def _dictionary_problems(dictionary: Dictionary, doc: YamlDoc) -> list[Problem]:
    """Check what the schema can't: units exist, ranges are ordered, qualifiers are known."""
    problems = []

    def add(path: list[str | int], problem: str, hint: str = "") -> None:
        problems.append(Problem(DICTIONARY, doc.line_of(path), dotted(path), problem, hint))

    for unit in dictionary.units.values():
        if unit.min is not None and unit.max is not None and unit.min > unit.max:
            add(
                ["units", unit.id, "min"],
                f"min {_fmt(unit.min)} is above max {_fmt(unit.max)}",
                "swap them, or leave min or max empty for no bound",
            )
    for ind in dictionary.indicators.values():
        if dictionary.units and ind.unit and ind.unit not in dictionary.units:
            add(
                ["indicators", ind.id, "unit"],
                f"unit '{ind.unit}' is not in units",
                _choices(ind.unit, dictionary.units),
            )
        for index, name in enumerate(ind.inputs):
            if name not in dictionary.indicators:
                add(
                    ["indicators", ind.id, "inputs", index],
                    f"input '{name}' is not an indicator",
                    _choices(name, dictionary.indicators, fallback="list ids from indicators:"),
                )
        if ind.range and ind.range[0] > ind.range[1]:
            lo, hi = ind.range
            add(
                ["indicators", ind.id, "range"],
                f"range min {_fmt(lo)} is above max {_fmt(hi)}",
                f"write [{_fmt(hi)}, {_fmt(lo)}]",
            )
    for qualifier in dictionary.qualifiers:
        # The renderer phrases each qualifier ("about 50", "약 50"); an unknown one has no wording.
        if qualifier not in QUALIFIERS:
            add(
                ["qualifiers", qualifier],
                f"qualifier '{qualifier}' is not one memo knows how to word",
                "known: " + ", ".join(q or '""' for q in QUALIFIERS),
            )
    return problems


# --- data/sources.csv and data/events.csv --------------------------------------------------------


def load_sources(root: Path) -> tuple[dict[str, Source] | None, list[Problem]]:
    """Read the sources; None if the file is unusable (then source ids go unchecked elsewhere)."""
    rows, problems = read_table(
        root / SOURCES, SOURCES, SOURCE_COLUMNS[:-1], SOURCE_COLUMNS, TEXT_COLUMNS
    )
    if not rows and problems:
        return None, problems
    sources: dict[str, Source] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        # A source with a bad date is still a known id: rows citing it shouldn't fail as well.
        if _check_id(row, SOURCES, first_line, problems):
            sources[row["id"]] = Source(**{c: row[c] for c in SOURCE_COLUMNS}, line=row.line)
        _check_date(row, SOURCES, problems, required=False)
        url = row["url"]
        if url and not url.startswith(("http://", "https://")):
            what = f'url "{url}" does not start with http:// or https://'
            problems.append(Problem(SOURCES, row.line, "url", what, "paste the full address"))
    return sources, problems


def load_events(
    root: Path, sources: dict[str, Source] | None
) -> tuple[dict[str, Event], list[Problem]]:
    """Read the dated events and check their ids, dates and sources."""
    rows, problems = read_table(
        root / EVENTS, EVENTS, EVENT_COLUMNS[:-1], EVENT_COLUMNS, TEXT_COLUMNS
    )
    events: dict[str, Event] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        if _check_id(row, EVENTS, first_line, problems):
            events[row["id"]] = Event(**{c: row[c] for c in EVENT_COLUMNS}, line=row.line)
        _check_date(row, EVENTS, problems, required=True)
        if not row["title"]:
            problems.append(Problem(EVENTS, row.line, "title", "title is required", "in English"))
        _check_source(row, EVENTS, sources, problems)
    return events, problems


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


def _check_date(row: Row, path: str, problems: list[Problem], *, required: bool) -> bool:
    """Check an ISO 8601 date of year, month or day precision."""
    text = row["date"]
    if not text:
        if required:
            problems.append(
                Problem(path, row.line, "date", "date is required", f"write {DATE_FORMS}")
            )
        return not required
    error = period_error(text, quarters=False)
    if error:
        problems.append(Problem(path, row.line, "date", error, f"write {DATE_FORMS}"))
    return not error


def _check_source(
    row: Row, path: str, sources: dict[str, Source] | None, problems: list[Problem]
) -> bool:
    """Check that the row's source id is in data/sources.csv."""
    sid = row["source"]
    if not sid:
        hint = "an id from data/sources.csv"
        problems.append(Problem(path, row.line, "source", "source is required", hint))
        return False
    if sources is not None and sid not in sources:
        hint = _choices(sid, sources, what="ids", fallback="add it to data/sources.csv")
        problems.append(Problem(path, row.line, "source", f"unknown source '{sid}'", hint))
        return False
    return True


# --- data/indicators.csv --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What rows of indicators.csv are checked against; None where the file couldn't be read."""

    dictionary: Dictionary | None
    sources: dict[str, Source] | None


def load_indicators(
    root: Path, dictionary: Dictionary | None, sources: dict[str, Source] | None
) -> tuple[tuple[Observation, ...], list[Problem]]:
    """Read the observations and run every row check plus the duplicate check."""
    rows, problems = read_table(
        root / INDICATORS, INDICATORS, INDICATOR_COLUMNS[:-1], INDICATOR_COLUMNS, TEXT_COLUMNS
    )
    context = _Context(dictionary, sources)
    observations = []
    first_line: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        row_problems = _check_indicator_row(row, context)
        key = (row["indicator"], row["entity"], row["counterpart"], row["period"])
        if key in first_line:
            what = (
                f"duplicate of line {first_line[key]}: same indicator, entity, counterpart, period"
            )
            hint = "keep one row; put the other source's figure in note"
            row_problems.append(Problem(INDICATORS, row.line, "row", what, hint))
        else:
            first_line[key] = row.line
        problems += row_problems
        if not row_problems:
            observations.append(_observation(row))
    return tuple(observations), problems


def _observation(row: Row) -> Observation:
    """Build the record of a row that passed every check."""
    low, high = row["low"], row["high"]
    return Observation(
        indicator=row["indicator"],
        entity=row["entity"],
        counterpart=row["counterpart"],
        period=row["period"],
        value=float(row["value"]),
        low=float(low) if low else None,
        high=float(high) if high else None,
        qualifier=row["qualifier"],
        unit=row["unit"],
        source=row["source"],
        note=row["note"],
        path=INDICATORS,
        line=row.line,
    )


def _check_indicator_row(row: Row, context: _Context) -> list[Problem]:
    """Run every check of one row of indicators.csv; return its problems."""
    problems: list[Problem] = []

    def add(column: str, problem: str, hint: str = "") -> None:
        problems.append(Problem(INDICATORS, row.line, column, problem, hint))

    definition = _check_indicator(row["indicator"], context.dictionary, add)
    for column in ("entity", "counterpart"):
        _check_entity(column, row[column], context.dictionary, add)
    period_err = (
        period_error(row["period"], quarters=True) if row["period"] else "period is required"
    )
    if period_err:
        add("period", period_err, f"write {PERIOD_FORMS}")
    unit = _check_unit(row["unit"], definition, context.dictionary, add)
    numbers = _check_numbers(row, add)
    if numbers is not None:
        _check_plausible(numbers, unit, definition, context.dictionary, add)
    _check_qualifier(row["qualifier"], context.dictionary, add)
    _check_source(row, INDICATORS, context.sources, problems)
    return problems


def _check_indicator(
    indicator: str, dictionary: Dictionary | None, add: Report
) -> IndicatorDef | None:
    """Check the indicator id is in the dictionary and typed, not derived; return its definition."""
    if not indicator:
        add("indicator", "indicator is required", f"an id from {DICTIONARY} indicators:")
        return None
    if dictionary is None or not dictionary.indicators:
        return None
    definition = dictionary.indicators.get(indicator)
    if definition is None:
        hint = _choices(indicator, dictionary.indicators, fallback=f"add it to {DICTIONARY}")
        add("indicator", f"unknown indicator '{indicator}'", hint)
    elif definition.derived:
        what = f"'{indicator}' is a derived indicator: memo derive computes it"
        add("indicator", what, "delete this row; type the figures it is derived from instead")
    return definition


def _check_entity(column: str, code: str, dictionary: Dictionary | None, add: Report) -> None:
    """Check an entity or counterpart code is listed in the dictionary's entities."""
    if not code:
        if column == "entity":
            add(column, "entity is required", "an ISO 3166-1 alpha-3 code such as KOR")
        return
    if dictionary is None or not dictionary.entities or code in dictionary.entities:
        return
    if code.upper() in dictionary.entities:
        hint = f"write {code.upper()} in capital letters"
    else:
        hint = _choices(code, dictionary.entities, fallback=f"add it to {DICTIONARY} entities:")
    add(column, f"unknown {column} code '{code}'", hint)


def _check_unit(
    unit: str, definition: IndicatorDef | None, dictionary: Dictionary | None, add: Report
) -> Unit | None:
    """Check the unit is in the closed list and is the indicator's unit; return it if known."""
    expected = definition.unit if definition else ""
    if not unit:
        add("unit", "unit is required", f"write {expected}" if expected else "")
        return None
    if dictionary is None or not dictionary.units:
        return None
    if unit not in dictionary.units:
        add("unit", f"unknown unit '{unit}'", _choices(unit, dictionary.units, what="units"))
        return None
    if expected and unit != expected:
        what = f"unit '{unit}' is not {definition.id}'s unit '{expected}'"
        add("unit", what, f"write {expected}, converting the figure if needed")
    return dictionary.units[unit]


def _check_numbers(row: Row, add: Report) -> dict[str, float] | None:
    """Parse value, low and high and check the range rule; None if any failed to parse."""
    numbers: dict[str, float] = {}
    ok = True
    for column in ("value", "low", "high"):
        text = row[column]
        if not text:
            continue
        if NUMBER.fullmatch(text):
            numbers[column] = float(text)
        else:
            add(column, f'"{text}" is not a number', number_hint(text, row["unit"]))
            ok = False
    if not row["value"]:
        add("value", "value is required", "for a range, the midpoint (low + high) / 2")
        ok = False
    if not ok:
        return None
    low, high, value = numbers.get("low"), numbers.get("high"), numbers["value"]
    if (low is None) != (high is None):
        given, missing = ("low", "high") if high is None else ("high", "low")
        add(
            missing,
            f"{given} is set but {missing} is empty",
            "give both ends of a range, or neither",
        )
    elif low is not None and high is not None:
        if low > high:
            add("low", f"low {_fmt(low)} is above high {_fmt(high)}", "swap them")
        elif not low <= value <= high:
            what = f"value {_fmt(value)} is outside low {_fmt(low)} .. high {_fmt(high)}"
            add("value", what, f"write the midpoint {_fmt((low + high) / 2)}")
        elif not math.isclose(value, (low + high) / 2, rel_tol=1e-9, abs_tol=1e-12):
            mid = (low + high) / 2
            what = (
                f"value {_fmt(value)} is not the midpoint of low {_fmt(low)} and high {_fmt(high)}"
            )
            add("value", what, f"write {_fmt(mid)}: a range's value is (low + high) / 2")
    return numbers


def _check_plausible(
    numbers: dict[str, float],
    unit: Unit | None,
    definition: IndicatorDef | None,
    dictionary: Dictionary | None,
    add: Report,
) -> None:
    """Check figures lie within their unit's bounds and the indicator's plausible range."""
    if unit is None and definition is not None and dictionary is not None:
        unit = dictionary.units.get(definition.unit)
    for column, number in numbers.items():
        if unit is not None and not _within(number, unit.min, unit.max):
            what = f"{_fmt(number)} is outside {_bounds(unit.min, unit.max)}, possible in {unit.id}"
            add(column, what, "check the figure and the unit")
        elif definition is not None and definition.range and not _within(number, *definition.range):
            what = (
                f"{_fmt(number)} is outside {_bounds(*definition.range)}, "
                f"the plausible range of {definition.id}"
            )
            add(column, what, f"check the figure, or widen range in {DICTIONARY}")


def _check_qualifier(qualifier: str, dictionary: Dictionary | None, add: Report) -> None:
    """Check the qualifier is empty or in the closed list."""
    allowed = (
        list(dictionary.qualifiers) if dictionary and dictionary.qualifiers else list(QUALIFIERS)
    )
    if not qualifier or qualifier in allowed:
        return
    if qualifier == EXACT:
        add("qualifier", f"'{EXACT}' is written as an empty qualifier", "leave the cell empty")
        return
    fixed = qualifier.strip().lower().replace(" ", "_").replace("-", "_")
    if fixed in allowed:
        hint = f"write {fixed}"
    else:
        hint = "allowed: empty (as stated), " + ", ".join(q for q in allowed if q)
    add("qualifier", f"unknown qualifier '{qualifier}'", hint)


# --- small helpers --------------------------------------------------------------------------------


def period_error(text: str, *, quarters: bool) -> str:
    """Return why ``text`` is not an ISO period (year, quarter, month or day), or '' if it is."""
    if re.fullmatch(r"\d{4}", text):
        return ""
    if re.fullmatch(r"\d{4}-Q[1-4]", text):
        return "" if quarters else f'"{text}" is a quarter; a date is a year, month or day'
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return "" if 1 <= int(text[5:]) <= 12 else f'"{text}" is not a real month'
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return f'"{text}" is not a real date'
        return ""
    return f'"{text}" is not an ISO 8601 {"period" if quarters else "date"}'


def number_hint(text: str, unit: str) -> str:
    """Suggest how to write a figure that isn't a plain number (``50%``, ``1,234``, ``about 5``)."""
    if THOUSANDS.fullmatch(text):
        return f"write {text.replace(',', '')} without separators"
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return f"write {text.replace(',', '.')} with a decimal point"
    if NUMBER.fullmatch(text.replace("\u2212", "-")):
        return f"write {text.replace(chr(0x2212), '-')} with a plain minus sign"
    found = NUMBER.search(text.replace(",", ""))
    if found is None:
        return "write a plain number such as 212.3"
    number = found.group()
    rest = (
        text.replace(",", "")[: found.start()] + " " + text.replace(",", "")[found.end() :]
    ).strip()
    words = rest.lower().replace("%", " % ").replace("$", " $ ").split()
    if words and all(w in UNIT_WORDS for w in words):
        return (
            f"write {number}; the unit column says {unit}"
            if unit
            else f"write {number} and set unit"
        )
    return f'write {number} and put "{rest}" in note'


def _within(number: float, low: float | None, high: float | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def _bounds(low: float | None, high: float | None) -> str:
    return (
        f"{_fmt(low) if low is not None else '-inf'}..{_fmt(high) if high is not None else 'inf'}"
    )


def _fmt(number: float) -> str:
    """Write a number without a spurious '.0' (50, not 50.0; 212.3 stays 212.3)."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _choices(word: str, known: Iterable[str], *, what: str = "", fallback: str = "") -> str:
    """Suggest the known ids closest to a mistyped one (difflib), or list them if there are few."""
    known = list(known)
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    if fallback:
        return fallback
    return f"known {what or 'ids'}: " + ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")


# --- derived tables -------------------------------------------------------------------------------


def load_observations_csv(path: Path | str, display_path: str = "") -> tuple[Observation, ...]:
    """Read observations from a built CSV (build/derived/derived.csv) without checking them."""
    display = display_path or str(path)
    text, problems = decode(Path(path).read_bytes(), display)
    records = iter_records(text)
    header: list[str] = []
    observations = []
    for line, fields, error in records:
        if fields is None:
            problems.append(Problem(display, line, "row", error))
            continue
        if not header:
            header = [f.strip() for f in fields]
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            what = f"row has {len(fields)} fields but the header has {len(header)}"
            problems.append(Problem(display, line, "row", what))
            continue
        observations.append(
            _built_observation(dict(zip(header, fields, strict=True)), display, line)
        )
    if problems:
        # A built file is written by code; a broken one is a bug, never something to skip over.
        raise DataError(problems)
    return tuple(observations)


def _built_observation(values: dict[str, str], path: str, line: int) -> Observation:
    """Build an observation from a row of a built CSV, splitting its ';'-separated lists."""

    def number(column: str) -> float | None:
        text = values.get(column, "").strip()
        return float(text) if text else None

    def items(column: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in values.get(column, "").split(";") if part.strip())

    value = number("value")
    return Observation(
        indicator=values.get("indicator", ""),
        entity=values.get("entity", ""),
        counterpart=values.get("counterpart", ""),
        period=values.get("period", ""),
        value=value if value is not None else math.nan,
        low=number("low"),
        high=number("high"),
        qualifier=values.get("qualifier", ""),
        unit=values.get("unit", ""),
        source=values.get("source", ""),
        note=values.get("note", ""),
        path=path,
        line=line,
        inputs=items("inputs"),
        sources=items("sources"),
        method=values.get("method", ""),
    )
