"""memo.core.lookup.find: the one rule every stage uses to find the figure a memo asks for."""

from __future__ import annotations

import pytest

from memo.core.lookup import MissingFigure, describe, find
from unit.support import observations

ROWS = observations(
    """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    us_tariff_rate_pct,IND,,2025-07,25,,,,fn15
    us_tariff_rate_pct,IND,,2025-08-06,50,,,,fn15
    us_tariff_rate_pct,BRA,,2025-08-06,50,,,,fn15
    us_tariff_rate_pct,PAK,,2025-07,19,,,,fn15
    bilateral_trade_usd_bn,USA,IND,2000,20,,,about,fn09
    bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,fn09
    """
)


def test_lookup_by_indicator_entity_and_period() -> None:
    assert find(ROWS, "us_tariff_rate_pct", "IND", period="2025-07").value == 25
    assert find(ROWS, "bilateral_trade_usd_bn", "USA", "IND", "2000").value == 20


def test_without_a_period_the_latest_is_taken() -> None:
    assert find(ROWS, "us_tariff_rate_pct", "IND").period == "2025-08-06"
    assert find(ROWS, "bilateral_trade_usd_bn", "USA", "IND").value == 212.3


def test_without_an_entity_any_entity_matches_when_only_one_is_left() -> None:
    assert find(ROWS, "us_tariff_rate_pct", period="2025-07", entity="PAK").value == 19
    assert find(ROWS, "bilateral_trade_usd_bn", counterpart="IND").period == "2024"


def test_the_counterpart_is_part_of_the_key() -> None:
    with pytest.raises(MissingFigure) as err:
        find(ROWS, "bilateral_trade_usd_bn", "USA")  # the rows are USA with IND
    assert str(err.value) == 'no figure for indicator "bilateral_trade_usd_bn" (entity=USA)'


def test_an_ambiguous_lookup_names_the_candidates() -> None:
    with pytest.raises(MissingFigure) as err:
        find(ROWS, "us_tariff_rate_pct")  # India and Brazil share the latest date
    assert str(err.value) == (
        'figure for "us_tariff_rate_pct" is ambiguous (IND//2025-08-06; BRA//2025-08-06): '
        "name the entity and period"
    )


def test_a_missing_figure_names_the_query() -> None:
    with pytest.raises(MissingFigure) as err:
        find(ROWS, "us_tariff_rate_pct", "IND", period="1999")
    assert str(err.value) == (
        'no figure for indicator "us_tariff_rate_pct" (entity=IND, period=1999)'
    )


def test_describe_leaves_out_what_was_not_asked() -> None:
    assert describe("x", None) == '"x"'
    assert describe("x", "IND", "CHN", "2024") == '"x" (entity=IND, counterpart=CHN, period=2024)'
