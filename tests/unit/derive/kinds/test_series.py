"""memo.derive.kinds.series: ``change``, ``multiple`` and ``cagr`` per series; Russia's share of India's
crude imports ("less than 2 percent" in 2021, "36 to 40 percent" in 2025), US-India trade.

Every expected figure is worked out by hand beside it; ``L(n)`` is ``data/indicators.csv:n``,
the drawn row on line n (header = line 1).
"""

from __future__ import annotations

import pytest

from unit.derive.kinds.drawn import CRUDE, L, derive
from unit.support import one

# ---- change, multiple, cagr -------------------------------------------------------------------


def test_change_in_points_carries_ranges_and_bounds() -> None:
    (row,) = derive("change", CRUDE, of="crude")
    # (36–40) − (less than 2): more than 34–38 points, from 2021 to 2025.
    assert (row["entity"], row["counterpart"], row["period"]) == ("IND", "RUS", "2021/2025")
    assert (row["value"], row["low"], row["high"], row["qualifier"]) == (36, 34, 38, "more_than")
    assert row["inputs"] == L(2, 4) and row["sources"] == ("fn20", "fn22")
    assert row["method"].startswith("36–40 − less than 2 = more than 34–38: ")
    # Iraq has one period only: no change to state.


def test_change_between_named_periods() -> None:
    (since_2023,) = derive("change", CRUDE, of="crude", **{"from": "2023"})
    # (36–40) − 20 = 16–20
    assert (since_2023["low"], since_2023["high"], since_2023["period"]) == (16, 20, "2023/2025")
    (until_2023,) = derive("change", CRUDE, of="crude", to="2023")
    # 20 − (less than 2) = more than 18
    assert (until_2023["value"], until_2023["qualifier"]) == (18, "more_than")
    assert until_2023["period"] == "2021/2023"


def test_change_in_percent() -> None:
    (row,) = derive("change", CRUDE, of="crude", **{"in": "percent"})
    # ((36–40) ÷ (less than 2) − 1) × 100 = more than (18 − 1)–(20 − 1) hundred: 1700–1900.
    assert (row["low"], row["high"], row["qualifier"]) == (1700, 1900, "more_than")
    text = "indicator,entity,counterpart,period,value,low,high,qualifier,source\n"
    text += "x,IND,,2023,100,,,,s\nx,IND,,2025,121,,,,s\n"
    (plain,) = derive("change", text, of="x", **{"in": "percent"})
    assert plain["value"] == pytest.approx(21)  # 121 ÷ 100 − 1


def test_multiple_carries_ranges_bounds_and_approximation() -> None:
    (crude,) = derive("multiple", CRUDE, of="crude")
    # (36–40) ÷ (less than 2) = more than 18–20
    assert (crude["value"], crude["low"], crude["high"]) == (19, 18, 20)
    assert crude["qualifier"] == "more_than"
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    trade,USA,IND,2000,20,,,about,fn09
    trade,USA,IND,2024,212.3,,,,fn09
    """
    (trade,) = derive("multiple", text, of="trade")
    assert trade["value"] == pytest.approx(212.3 / 20) and trade["qualifier"] == "about"
    assert trade["period"] == "2000/2024"


def test_cagr() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    trade,USA,IND,2000,20,,,about,fn09
    trade,USA,IND,2024,212.3,,,,fn09
    trade,USA,BRA,2023,100,,,,s1
    trade,USA,BRA,2025,121,,,,s1
    """
    rows = derive("cagr", text, of="trade")
    # 100 -> 121 over two years is 10% a year: 1.1 × 1.1 = 1.21.
    assert one(rows, "USA", "BRA")["value"] == pytest.approx(10)
    # (212.3 ÷ 20) ^ (1/24) − 1: about 10.3% a year over the 24 years from 2000 to 2024.
    india = one(rows, "USA", "IND")
    assert india["value"] == pytest.approx((10.615 ** (1 / 24) - 1) * 100)
    assert round(india["value"], 1) == 10.3 and india["qualifier"] == "about"
    assert india["inputs"] == L(2, 3)


# ---- errors and purity ------------------------------------------------------------------------


def test_a_figure_no_qualifier_can_state_is_an_error_of_its_row_only() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    x,IND,,2021,10,,,more_than,s
    x,IND,,2025,20,,,more_than,s
    x,BRA,,2021,2,,,less_than,s
    x,BRA,,2025,50,,,about,s
    x,PAK,,2021,10,,,,s
    x,PAK,,2025,30,,,,s
    """
    multiple = {r["entity"]: r for r in derive("multiple", text, of="x")}
    # more than 20 ÷ more than 10: pushed up and pulled down at once, so no bound either way.
    assert "neither an upper nor a lower bound" in multiple["IND"]["error"]
    assert multiple["PAK"]["error"] == "" and multiple["PAK"]["value"] == 3
    change = {r["entity"]: r for r in derive("change", text, of="x")}
    # about 50 − less than 2 would be "more than about 48": no qualifier says that.
    assert "approximate" in change["BRA"]["error"]
    assert change["PAK"]["value"] == 20
