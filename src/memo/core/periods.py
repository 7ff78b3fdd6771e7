"""ISO 8601 periods as the data write them: ``2024``, ``2025-Q2``, ``2025-07``, ``2025-08-06``, and
intervals ``2021/2025`` (what a derived change or multiple spans).

One parser for every stage. A period stands for its *last day* when periods are compared or sorted:
a figure counts as "on or before" a date only when its whole period has ended by then, so a July
figure never stands for mid-July, when it may not yet have been in force.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

PERIOD_FORMS = "2024, 2025-Q2, 2025-07 or 2025-08-06"
DATE_FORMS = "2025, 2025-07 or 2025-08-06"

_YEAR = re.compile(r"\d{4}")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The calendar span a period may lie in: Python's dates start at year 1, and a year 0000 in the
# data is always a typing slip. The dictionary may narrow this (``periods: {from:, to:}``).
MIN_YEAR, MAX_YEAR = 1, 9999


def period_error(text: str, *, quarters: bool = True) -> str:
    """Return why ``text`` is not an ISO period (year, quarter, month or day), or "" if it is."""
    if _YEAR.fullmatch(text):
        return "" if int(text) >= MIN_YEAR else f'"{text}" is not a real year'
    if _QUARTER.fullmatch(text):
        if not quarters:
            return f'"{text}" is a quarter; a date is a year, month or day'
        return "" if int(text[:4]) >= MIN_YEAR else f'"{text}" is not a real year'
    if _MONTH.fullmatch(text):
        if int(text[:4]) < MIN_YEAR:
            return f'"{text}" is not a real year'
        return "" if 1 <= int(text[5:]) <= 12 else f'"{text}" is not a real month'
    if _DAY.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return f'"{text}" is not a real date'
        return ""
    return f'"{text}" is not an ISO 8601 {"period" if quarters else "date"}'


def period_end(period: str | dt.date) -> dt.date:
    """Return the last day a period covers; an interval ``A/B`` ends where ``B`` ends.

    ``2024`` -> 2024-12-31, ``2025-Q2`` -> 2025-06-30, ``2025-07`` -> 2025-07-31,
    ``2025-08-06`` -> itself. Raises ValueError for anything else.
    """
    if isinstance(period, dt.date):
        return period
    text = period.split("/")[-1].strip()
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
    text = period.split("/")[0].strip()
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
