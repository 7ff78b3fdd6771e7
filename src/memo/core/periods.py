"""ISO 8601 periods as the data write them: ``2024``, ``2025-Q2``, ``2025-07``, ``2025-08-06``, and
intervals ``2021/2025`` (what a derived change or multiple spans).

One parser for every stage. A period stands for its *last day* when periods are compared or sorted:
a figure counts as "on or before" a date only when its whole period has ended by then, so a July
figure never stands for mid-July, when it may not yet have been in force.

Periods are read in one normal form (:func:`normal_period`: NFKC, stripped, ``q`` as ``Q``), so
``２０２５`` and ``2025``, ``2025-q2`` and ``2025-Q2`` are one period. Input periods must lie in a
plausible span of years (:data:`DEFAULT_SPAN`, which ``periods: {from:, to:}`` in
``data/dictionary.yaml`` may change): a year 0000 or 9999 is a typing slip, never a figure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from memo.core.text import normal

PERIOD_FORMS = "2024, 2025-Q2, 2025-07 or 2025-08-06"
DATE_FORMS = "2025, 2025-07 or 2025-08-06"

# ASCII digits only: ``\d`` would also take Arabic-Indic and other digits that int() reads.
_YEAR = re.compile(r"[0-9]{4}")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The calendar span any period may lie in: Python's dates run from year 1 to 9999.
MIN_YEAR, MAX_YEAR = 1, 9999
# The years input periods and dates may lie in unless the dictionary says otherwise.
DEFAULT_SPAN = (1900, 2100)


def normal_period(text: str) -> str:
    """The form periods are compared in: NFKC, stripped, a quarter's ``q`` in capitals."""
    return normal(text).upper()


def period_error(
    text: str, *, quarters: bool = True, span: tuple[int, int] = (MIN_YEAR, MAX_YEAR)
) -> str:
    """Return why ``text`` is not an ISO period (year, quarter, month or day) within the years of
    ``span`` (both included), or "" if it is one."""
    kind = "period" if quarters else "date"
    if not (
        _YEAR.fullmatch(text)
        or _QUARTER.fullmatch(text)
        or _MONTH.fullmatch(text)
        or _DAY.fullmatch(text)
    ):
        return f'"{text}" is not an ISO 8601 {kind}'
    year = int(text[:4])
    if year < MIN_YEAR:
        return f'"{text}" is not a real year'
    if _QUARTER.fullmatch(text) and not quarters:
        return f'"{text}" is a quarter; a date is a year, month or day'
    if _MONTH.fullmatch(text) and not 1 <= int(text[5:]) <= 12:
        return f'"{text}" is not a real month'
    if _DAY.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return f'"{text}" is not a real date'
    low, high = span
    if not low <= year <= high:
        return f'"{text}" is outside the years {low} to {high} a {kind} may lie in'
    return ""


def period_end(period: str | dt.date) -> dt.date:
    """Return the last day a period covers; an interval ``A/B`` ends where ``B`` ends.

    ``2024`` -> 2024-12-31, ``2025-Q2`` -> 2025-06-30, ``2025-07`` -> 2025-07-31,
    ``2025-08-06`` -> itself. Raises ValueError for anything else.
    """
    if isinstance(period, dt.date):
        return period
    text = normal_period(period.split("/")[-1])
    if period_error(text):
        raise ValueError(f"not an ISO 8601 period: {period!r}")
    year = int(text[:4])
    if len(text) == 4:
        return dt.date(year, 12, 31)
    m = _QUARTER.fullmatch(text)
    if m:
        month = 3 * int(m.group(2))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    month = int(text[5:7])
    if len(text) == 7:
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date.fromisoformat(text)


def period_start(period: str) -> dt.date:
    """Return the first day a period covers; an interval ``A/B`` starts where ``A`` starts."""
    text = normal_period(period.split("/")[0])
    if period_error(text):
        raise ValueError(f"not an ISO 8601 period: {period!r}")
    year = int(text[:4])
    if len(text) == 4:
        return dt.date(year, 1, 1)
    m = _QUARTER.fullmatch(text)
    if m:
        return dt.date(year, 3 * int(m.group(2)) - 2, 1)
    if len(text) == 7:
        return dt.date(year, int(text[5:7]), 1)
    return dt.date.fromisoformat(text)


def sort_key(period: str) -> tuple[dt.date, str]:
    """Order periods by the day they end, then by their text (so the order is total)."""
    return (period_end(period), period)


def latest(periods: list[str]) -> str:
    """The period that ends last (ties: the later text)."""
    return max(periods, key=sort_key)


def years_between(start: str, end: str) -> float:
    """Return the years from the end of ``start`` to the end of ``end`` (``2000``, ``2024`` -> 24).

    When both periods end on a month's last day (years, quarters, months) the count is whole
    months / 12; otherwise days / 365.2425.
    """
    d1, d2 = period_end(start), period_end(end)

    def month_end(d: dt.date) -> bool:
        return d.day == calendar.monthrange(d.year, d.month)[1]

    if month_end(d1) and month_end(d2):
        return ((d2.year - d1.year) * 12 + (d2.month - d1.month)) / 12
    return (d2 - d1).days / 365.2425
