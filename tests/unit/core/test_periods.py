"""memo.core.periods: one reading of ISO periods for every stage; a period stands for its last day."""

from __future__ import annotations

import datetime as dt

import pytest

from memo.core.periods import (
    latest,
    period_end,
    period_error,
    period_start,
    sort_key,
    years_between,
)


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2024", dt.date(2024, 12, 31)),
        ("2025-Q2", dt.date(2025, 6, 30)),
        ("2025-q4", dt.date(2025, 12, 31)),
        ("2024-02", dt.date(2024, 2, 29)),  # a leap year
        ("2025-02", dt.date(2025, 2, 28)),
        ("2025-08-06", dt.date(2025, 8, 6)),
        ("2021/2025", dt.date(2025, 12, 31)),  # an interval ends where its second period ends
    ],
)
def test_period_end(period: str, end: dt.date) -> None:
    assert period_end(period) == end


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("2024", dt.date(2024, 1, 1)),
        ("2025-Q3", dt.date(2025, 7, 1)),
        ("2025-07", dt.date(2025, 7, 1)),
        ("2025-08-06", dt.date(2025, 8, 6)),
        ("2021/2025", dt.date(2021, 1, 1)),
    ],
)
def test_period_start(period: str, start: dt.date) -> None:
    assert period_start(period) == start


@pytest.mark.parametrize("bad", ["", "24", "2025-13", "2025-Q5", "July 2025", "2025-02-30"])
def test_anything_else_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        period_end(bad)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-07", ""),
        ("2024-02-29", ""),
        ("0000", '"0000" is not a real year'),
        ("2025-13", '"2025-13" is not a real month'),
        ("2025-02-30", '"2025-02-30" is not a real date'),
        ("Q2 2025", '"Q2 2025" is not an ISO 8601 period'),
    ],
)
def test_period_error_says_why(text: str, why: str) -> None:
    assert period_error(text) == why


def test_a_date_is_not_a_quarter() -> None:
    assert period_error("2025-Q2", quarters=False) == (
        '"2025-Q2" is a quarter; a date is a year, month or day'
    )
    assert period_error("08/07/2025", quarters=False) == '"08/07/2025" is not an ISO 8601 date'


def test_periods_sort_by_the_day_they_end() -> None:
    # Mid-July ends before the month of July does; the year 2025 ends after both.
    periods = ["2025", "2025-07", "2025-07-15", "2025-Q2"]
    assert sorted(periods, key=sort_key) == ["2025-Q2", "2025-07-15", "2025-07", "2025"]
    assert latest(["2025-07", "2025-08-06", "2024"]) == "2025-08-06"


def test_years_between() -> None:
    assert years_between("2000", "2024") == 24
    assert years_between("2024-Q1", "2025-Q3") == 1.5
    assert years_between("2025-01", "2025-07") == 0.5
    # Days that are not month ends count in days of an average year.
    assert years_between("2024-01-15", "2025-01-15") == pytest.approx(366 / 365.2425)
