"""memo.derive.kinds.parts: ``difference``, ``share``, ``implied`` and ``sum``; India's deficit with
China ($99.2 billion, 37 percent of its total).

Every expected figure is worked out by hand beside it; ``L(n)`` is ``data/indicators.csv:n``,
the drawn row on line n (header = line 1).
"""

from __future__ import annotations

import pytest

from unit.derive.kinds.drawn import L, derive, problems
from unit.support import one

# ---- difference -------------------------------------------------------------------------------

TRADE = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
exports,IND,USA,2024,80,,,,s1
imports,IND,USA,2024,45,,,about,s2
exports,IND,CHN,2024,20,,,,s1
imports,IND,CHN,2024,100,,,,s3
exports,IND,RUS,2024,5,,,,s1
"""


def test_difference_of_two_indicators_on_the_same_keys() -> None:
    rows = derive("difference", TRADE, minuend="exports", subtrahend="imports")
    usa, chn = one(rows, "IND", "USA"), one(rows, "IND", "CHN")
    assert (usa["value"], usa["qualifier"]) == (35, "about")  # 80 − about 45
    assert (chn["value"], chn["qualifier"]) == (-80, "")  # 20 − 100
    assert usa["inputs"] == L(2, 3) and usa["sources"] == ("s1", "s2")
    assert "RUS" not in {r["counterpart"] for r in rows}  # no imports to subtract


# ---- share, implied, sum ----------------------------------------------------------------------


def test_share_of_a_whole_matched_on_entity_and_period() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    deficit,IND,CHN,2024,99.2,,,,fn10a
    deficit,IND,KOR,2024,14.6,,,about,fn11
    total,IND,WLD,2024,200,,,,fn12
    total,PAK,WLD,2024,50,,,,fn12
    """
    rows = derive("share", text, part="deficit", whole="total")
    # 99.2 ÷ 200 × 100 = 49.6; about 14.6 ÷ 200 × 100 = about 7.3; Pakistan has no part.
    chn, kor = one(rows, "IND", "CHN"), one(rows, "IND", "KOR")
    assert chn["value"] == pytest.approx(49.6) and chn["qualifier"] == ""
    assert kor["value"] == pytest.approx(7.3) and kor["qualifier"] == "about"
    assert (chn["period"], len(rows)) == ("2024", 2)
    assert chn["inputs"] == L(2, 4) and chn["sources"] == ("fn10a", "fn12")


def test_share_of_one_indicator_whose_aggregate_row_is_the_whole() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    fdi,JPN,IND,2024,30,,,,s1
    fdi,USA,IND,2024,45,,,,s1
    fdi,WLD,IND,2024,150,,,,s2
    """
    rows = derive("share", text, part="fdi", whole="fdi", match="counterpart")
    # Japan 30 of 150 = 20%; the United States 45 of 150 = 30%; the world is the whole itself.
    assert {(r["entity"], r["counterpart"]): r["value"] for r in rows} == {
        ("JPN", "IND"): pytest.approx(20),
        ("USA", "IND"): pytest.approx(30),
    }


def test_share_with_two_wholes_is_ambiguous() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    deficit,IND,CHN,2024,99.2,,,,s1
    total,IND,WLD,2024,200,,,,s2
    total,IND,XGP,2024,180,,,,s2
    """
    assert problems("share", text, part="deficit", whole="total") == [
        "2 total figures for the same entity and period (IND 2024): the whole is ambiguous"
    ]


IMPLIED = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
deficit,IND,CHN,2024,99.2,,,,fn10a
deficit_share,IND,CHN,2024,37,,,,fn10b
"""


def test_implied_total_is_the_part_over_its_share() -> None:
    (row,) = derive("implied", IMPLIED, part="deficit", share="deficit_share", counterpart="WLD")
    # 99.2 ÷ 0.37 = 268.108…: India's total deficit, written for the world.
    assert (row["entity"], row["counterpart"], row["period"]) == ("IND", "WLD", "2024")
    assert row["value"] == pytest.approx(268.1081081, rel=1e-9)
    assert row["inputs"] == L(2, 3) and row["sources"] == ("fn10a", "fn10b")
    approximate = IMPLIED.replace("37,,,,fn10b", "37,,,about,fn10b")
    (row,) = derive(
        "implied", approximate, part="deficit", share="deficit_share", counterpart="WLD"
    )
    assert row["qualifier"] == "about"


def test_implied_from_two_shares_of_one_whole_is_a_problem() -> None:
    text = IMPLIED + "deficit,IND,KOR,2024,14.6,,,,s\ndeficit_share,IND,KOR,2024,5,,,,s\n"
    assert problems("implied", text, part="deficit", share="deficit_share", counterpart="WLD") == [
        "several deficit figures imply the whole for the same entity and period (IND 2024): "
        "keep one share"
    ]


SUMS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
exports,IND,USA,2024,80,,,,s1
exports,IND,CHN,2024,20,,,about,s2
exports,IND,WLD,2024,150,,,,s3
exports,IND,RUS,2023,5,,,,s1
exports,PAK,USA,2024,6,,,less_than,s1
exports,PAK,CHN,2024,10,,,,s1
"""


def test_sum_over_counterparts_leaves_out_the_aggregates() -> None:
    rows = derive("sum", SUMS, of="exports", **{"as": "WLD"})
    got = {(r["entity"], r["period"]): (r["value"], r["qualifier"]) for r in rows}
    assert got == {
        ("IND", "2023"): (5, ""),
        ("IND", "2024"): (100, "about"),  # 80 + about 20; not the stated world figure
        ("PAK", "2024"): (16, "less_than"),  # less than 6 + 10
    }
    india = next(r for r in rows if r["period"] == "2024" and r["entity"] == "IND")
    assert india["counterpart"] == "WLD"
    assert india["inputs"] == L(2, 3) and india["sources"] == ("s1", "s2")


def test_sum_over_entities() -> None:
    rows = derive("sum", SUMS, of="exports", over="entity", **{"as": "WLD"})
    usa = one(rows, "WLD", "USA")
    assert (usa["value"], usa["qualifier"], usa["period"]) == (86, "less_than", "2024")  # 80 + <6
