"""Periods in one normal form and within a span of years: ``2025-q2`` is ``2025-Q2``, full-width
digits are digits, other scripts' digits are not, and a year outside the span is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from memo.core.lookup import find
from memo.core.periods import DEFAULT_SPAN, normal_period, period_end, period_error
from unit.support import observations


@pytest.mark.parametrize(
    "typed, normal",
    [
        ("2025-q2", "2025-Q2"),
        ("２０２５", "2025"),
        (" 2025-07\u00a0", "2025-07"),
        ("2025-08-06", "2025-08-06"),
    ],
)
def test_a_period_has_one_normal_form(typed: str, normal: str) -> None:
    assert normal_period(typed) == normal
    assert period_error(normal_period(typed)) == ""


def test_digits_of_other_scripts_are_not_a_year() -> None:
    # int() reads Arabic-Indic digits; a period of them would never match one typed in 0-9.
    assert period_error("٢٠٢٥") == '"٢٠٢٥" is not an ISO 8601 period'


@pytest.mark.parametrize(
    "period, error",
    [
        ("9999", '"9999" is outside the years 1900 to 2100 a period may lie in'),
        ("1899-12", '"1899-12" is outside the years 1900 to 2100 a period may lie in'),
        ("0000", '"0000" is not a real year'),
        ("2101-Q1", '"2101-Q1" is outside the years 1900 to 2100 a period may lie in'),
    ],
)
def test_a_period_outside_the_span_is_refused(period: str, error: str) -> None:
    assert period_error(period, span=DEFAULT_SPAN) == error


def test_the_span_includes_both_ends_and_can_be_moved() -> None:
    assert (
        period_error("1900", span=DEFAULT_SPAN)
        == period_error("2100-12-31", span=DEFAULT_SPAN)
        == ""
    )
    assert period_error("1066", span=(1000, 2100)) == ""
    assert period_error("2025-08-06", quarters=False, span=(2026, 2030)) == (
        '"2025-08-06" is outside the years 2026 to 2030 a date may lie in'
    )


def test_a_lower_case_quarter_ends_where_its_capital_form_ends() -> None:
    assert period_end("2025-q2") == period_end("2025-Q2") == dt.date(2025, 6, 30)


def test_a_lookup_takes_its_query_in_normal_form() -> None:
    rows = observations(
        """\
        indicator,entity,counterpart,period,value,low,high,qualifier,source
        us_tariff_rate_pct,IND,,2025-Q2,50,,,,fn01
        """
    )
    assert find(rows, "us_tariff_rate_pct", "ＩＮＤ", period="2025-q2").value == 50
