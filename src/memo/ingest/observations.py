"""Read ``data/indicators.csv`` (or ``data/indicators.xlsx``): one observation per row, every row
checked, all problems kept.

The observations travel on as a pandas DataFrame (:func:`memo.ingest.frame.observations_frame`)
that keeps each row's file and line, so a problem found later still names the row.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from memo.core.periods import DEFAULT_SPAN, PERIOD_FORMS, normal_period, period_error
from memo.core.problems import Problem
from memo.core.records import (
    INDICATOR_COLUMNS,
    QUALIFIERS,
    Dictionary,
    IndicatorDef,
    Observation,
    Source,
    Unit,
)
from memo.core.text import normal
from memo.ingest.dictionary import DICTIONARY, EXACT
from memo.ingest.hints import (
    NUMBER,
    bounds,
    choices,
    fmt_number,
    number_hint,
    period_hint,
    within,
)
from memo.ingest.sources import TEXT_COLUMNS, check_source
from memo.ingest.tables import Row, read_data_table

INDICATORS = "data/indicators.csv"
# No figure memo prints is this large (in any unit; a sum in dollars is given in billions): a larger
# number is a slip (1e300, 1e999), and formatting it would fail.
LARGEST = 1e15
# Spaces a spreadsheet or a locale puts between thousands: no-break, narrow no-break, thin.
GROUPED = re.compile(r"[+-]?[0-9]{1,3}([ \u00a0\u202f\u2009][0-9]{3})+([.,][0-9]+)?")
# How a row check reports: report(column, problem, hint="").
Report = Callable[..., None]


@dataclass(frozen=True)
class _Context:
    """What rows of indicators.csv are checked against; None where the file couldn't be read."""

    dictionary: Dictionary | None
    sources: dict[str, Source] | None


def load_indicators(
    root: Path, dictionary: Dictionary | None, sources: dict[str, Source] | None
) -> tuple[tuple[Observation, ...], list[Problem]]:
    """Read the observations and run every row check plus the duplicate check."""
    rows, problems, table = read_data_table(
        root, INDICATORS, INDICATOR_COLUMNS[:-1], INDICATOR_COLUMNS, TEXT_COLUMNS
    )
    context = _Context(dictionary, sources)
    observations = []
    first_line: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        # Periods are compared in their normal form: 2025-q2 is 2025-Q2.
        row.values["period"] = normal_period(row["period"])
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
            observations.append(_observation(row, table.path))
    return tuple(observations), table.locate(problems)


def _observation(row: Row, path: str = INDICATORS) -> Observation:
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
        path=path,
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
    span = context.dictionary.periods if context.dictionary else DEFAULT_SPAN
    period = row["period"]
    period_err = period_error(period, span=span) if period else "period is required"
    if period_err:
        add("period", period_err, period_hint(period, PERIOD_FORMS, period_err))
    unit = _check_unit(row["unit"], definition, context.dictionary, add)
    numbers = _check_numbers(row, add)
    if numbers is not None:
        _check_plausible(numbers, unit, definition, context.dictionary, add)
    _check_qualifier(row["qualifier"], context.dictionary, add)
    check_source(row, INDICATORS, context.sources, problems)
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
        hint = choices(indicator, dictionary.indicators, fallback=f"add it to {DICTIONARY}")
        add("indicator", f"unknown indicator '{indicator}'", hint)
    elif definition.derived:
        what = f"'{indicator}' is a derived indicator: memo derive computes it"
        add("indicator", what, "delete this row; type the figures it is derived from instead")
    return definition


def _check_entity(column: str, code: str, dictionary: Dictionary | None, add: Report) -> None:
    """Check an entity or counterpart code is listed in the dictionary's entities."""
    if not code:
        if column == "entity":
            add(
                column,
                "entity is required",
                f"an ISO 3166-1 alpha-3 code from {DICTIONARY} entities:",
            )
        return
    if dictionary is None or not dictionary.entities or code in dictionary.entities:
        return
    if code.upper() in dictionary.entities:
        hint = f"write {code.upper()} in capital letters"
    else:
        hint = choices(code, dictionary.entities, fallback=f"add it to {DICTIONARY} entities:")
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
        add("unit", f"unknown unit '{unit}'", choices(unit, dictionary.units, what="units"))
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
        # As typed: a number in other digits (full-width, Arabic-Indic) is text to other tools.
        text = row.typed.get(column, row[column])
        if not text:
            continue
        if NUMBER.fullmatch(text):
            number = float(text)
            if math.isfinite(number) and abs(number) <= LARGEST:
                numbers[column] = number
                continue
            what = f"{text} is larger than any figure memo can print ({LARGEST:.0e})"
            add(column, what, "check the figure; give large sums in a unit with a scale")
        else:
            add(column, f'"{text}" is not a number', _number_fix(text, row["unit"]))
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
            add("low", f"low {fmt_number(low)} is above high {fmt_number(high)}", "swap them")
        elif not low <= value <= high:
            what = f"value {fmt_number(value)} is outside low {fmt_number(low)} .. high {fmt_number(high)}"
            add("value", what, f"write the midpoint {fmt_number((low + high) / 2)}")
        elif not math.isclose(value, (low + high) / 2, rel_tol=1e-9, abs_tol=1e-12):
            mid = (low + high) / 2
            what = f"value {fmt_number(value)} is not the midpoint of low {fmt_number(low)} and high {fmt_number(high)}"
            add("value", what, f"write {fmt_number(mid)}: a range's value is (low + high) / 2")
    return numbers


def _number_fix(text: str, unit: str) -> str:
    """How to write a number typed with other digits or spaced thousands, else ``number_hint``."""
    digits = "".join(str(unicodedata.digit(c)) if c.isdecimal() else c for c in normal(text))
    if NUMBER.fullmatch(digits):
        return f"write {digits} with the digits 0-9"
    if GROUPED.fullmatch(text):
        digits = re.sub(r"[ \u00a0\u202f\u2009]", "", text)
        return f"write {digits} without spaces between the thousands"
    return number_hint(text, unit)


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
        if unit is not None and not within(number, unit.min, unit.max):
            what = f"{fmt_number(number)} is outside {bounds(unit.min, unit.max)}, possible in {unit.id}"
            add(column, what, "check the figure and the unit")
        elif definition is not None and definition.range and not within(number, *definition.range):
            what = (
                f"{fmt_number(number)} is outside {bounds(*definition.range)}, "
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
