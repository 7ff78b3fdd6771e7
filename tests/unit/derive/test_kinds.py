"""memo.derive.kinds: each kind of derivation on a small table drawn in the test.

Every expected figure is worked out by hand in a comment beside it: the figures are the article's
where it has them (US tariffs of 6 August 2025; Russia's share of India's crude imports, "less than
2 percent" in 2021 and "36 to 40 percent" in 2025; US-India trade, "about $20 billion" in 2000 and
$212.3 billion in 2024; India's deficit with China, $99.2 billion, 37 percent of its total).
A reference ``L<n>`` is ``data/indicators.csv:<n>``, the drawn row on line n (header = line 1).
"""

from __future__ import annotations

import pytest

from memo.derive.kinds import KINDS
from unit.support import context, one, results, tables

CTX = context()


def L(*lines: int) -> tuple[str, ...]:  # noqa: N802 (reads like the rows it names)
    return tuple(f"data/indicators.csv:{n}" for n in lines)


def derive(kind: str, text: str, **params) -> list[dict]:
    result = KINDS[kind].compute(params, tables(text), CTX)
    assert result.problems == []
    return results(result)


def problems(kind: str, text: str, **params) -> list[str]:
    result = KINDS[kind].compute(params, tables(text), CTX)
    assert len(result.keys) == 0, "a derivation with a problem gives no figures"
    return result.problems


# ---- rank -------------------------------------------------------------------------------------

TARIFFS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
tariff,IND,,2025-07,25,,,,fn03
tariff,IND,,2025-08-06,50,,,,fn04
tariff,PAK,,2025-07,19,,,,fn03
tariff,BRA,,2025-08-06,50,,,,fn04
tariff,SYR,,2025-08-06,41,,,,fn04
tariff,LAO,,2025-08-06,40,,,,fn04
tariff,MMR,,2025-08-06,40,,,,fn04
tariff,WLD,,2025-08-06,45,,,,fn05
"""


def ranks(rows: list[dict]) -> dict[str, int]:
    return {r["entity"]: int(r["value"]) for r in rows}


def test_rank_ties_share_a_place_and_the_next_is_skipped() -> None:
    rows = derive("rank", TARIFFS, of="tariff")
    # 50 50 41 40 40 19: competition ranking "1224", so 1 1 3 4 4 6; the world is no country.
    assert ranks(rows) == {"BRA": 1, "IND": 1, "SYR": 3, "LAO": 4, "MMR": 4, "PAK": 6}
    assert {r["period"] for r in rows} == {"2025-08-06"}  # dated by the as-of date
    assert {r["qualifier"] for r in rows} == {""}


def test_rank_among_all_entities_counts_the_aggregates() -> None:
    rows = derive("rank", TARIFFS, of="tariff", among="all")
    # 50 50 45 41 40 40 19 -> 1 1 3 4 5 5 7
    assert ranks(rows) == {"BRA": 1, "IND": 1, "WLD": 3, "SYR": 4, "LAO": 5, "MMR": 5, "PAK": 7}


def test_rank_ascending_puts_the_lowest_first() -> None:
    rows = derive("rank", TARIFFS, of="tariff", order="ascending")
    # 19 40 40 41 50 50 -> 1 2 2 4 5 5
    assert ranks(rows) == {"PAK": 1, "LAO": 2, "MMR": 2, "SYR": 4, "BRA": 5, "IND": 5}


def test_rank_rests_on_every_figure_ranked_beside_it() -> None:
    india = one(derive("rank", TARIFFS, of="tariff"), "IND")
    # The latest figure of each country (lines 3 to 8); not India's July rate (line 2), not the
    # world's (line 9).
    assert set(india["inputs"]) == set(L(3, 4, 5, 6, 7, 8))
    assert set(india["sources"]) == {"fn03", "fn04"}
    assert india["method"].endswith("rank 1, tied with 1 other.")
    assert one(derive("rank", TARIFFS, of="tariff"), "SYR")["method"].endswith("rank 3.")


def test_rank_as_of_a_date_uses_only_periods_ended_by_then() -> None:
    # On 31 July the July rates have run their course; the August ones are not yet in.
    rows = derive("rank", TARIFFS, of="tariff", as_of="2025-07-31")
    assert ranks(rows) == {"IND": 1, "PAK": 2}
    assert {r["period"] for r in rows} == {"2025-07-31"}
    assert one(rows, "IND")["inputs"] == L(2, 4)
    # Mid-July, a July figure (which stands for 31 July) does not count yet: nothing to rank.
    assert derive("rank", TARIFFS, of="tariff", as_of="2025-07-15") == []
    # An as-of month stands for its last day.
    rows = derive("rank", TARIFFS, of="tariff", as_of="2025-08")
    assert len(rows) == 6 and {r["period"] for r in rows} == {"2025-08-31"}


def test_rank_within_each_counterpart() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    fdi,JPN,IND,2024,30,,,,s1
    fdi,USA,IND,2024,45,,,,s1
    fdi,USA,KOR,2024,20,,,,s2
    fdi,JPN,KOR,2024,25,,,,s2
    """
    rows = derive("rank", text, of="fdi")
    got = {(r["entity"], r["counterpart"]): int(r["value"]) for r in rows}
    assert got == {("USA", "IND"): 1, ("JPN", "IND"): 2, ("JPN", "KOR"): 1, ("USA", "KOR"): 2}
    assert set(one(rows, "JPN", "KOR")["inputs"]) == set(L(4, 5))


def test_figures_equal_but_for_floating_point_noise_tie() -> None:
    text = """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    share,IND,,2024,0.30000000000000004,,,,s1
    share,BRA,,2024,0.3,,,,s1
    share,PAK,,2024,0.2,,,,s1
    """
    assert ranks(derive("rank", text, of="share")) == {"IND": 1, "BRA": 1, "PAK": 3}


def test_a_range_or_bound_cannot_be_ranked() -> None:
    text = (
        TARIFFS + "tariff,CHN,,2025-08-06,38,36,40,,fn04\ntariff,VNM,,2025-08-06,20,,,up_to,fn04\n"
    )
    assert problems("rank", text, of="tariff") == [
        "data/indicators.csv:10: cannot rank CHN's figure (36–40): a range or bound has no "
        "single place in a ranking",
        "data/indicators.csv:11: cannot rank VNM's figure (up to 20): a range or bound has no "
        "single place in a ranking",
    ]


def test_a_range_that_is_no_longer_the_latest_figure_does_not_matter() -> None:
    text = TARIFFS + "tariff,CHN,,2025-Q2,38,36,40,,fn04\ntariff,CHN,,2025-08-06,30,,,,fn04\n"
    assert ranks(derive("rank", text, of="tariff"))["CHN"] == 6  # 50 50 41 40 40 30 19


# ---- gap --------------------------------------------------------------------------------------


def test_gap_is_one_countrys_latest_figure_minus_anothers() -> None:
    rows = derive("gap", TARIFFS, of="tariff")
    # India's 50% (6 August) against Pakistan's 19% (July): 31 points, dated 6 August.
    india_pakistan = one(rows, "IND", "PAK")
    assert (india_pakistan["value"], india_pakistan["period"]) == (31, "2025-08-06")
    assert india_pakistan["inputs"] == L(3, 4)  # India's row first, then Pakistan's
    assert india_pakistan["sources"] == ("fn04", "fn03")
    assert india_pakistan["method"].startswith("50 − 19 = 31: ")
    assert one(rows, "PAK", "IND")["value"] == -31
    assert one(rows, "IND", "BRA")["value"] == 0
    assert len(rows) == 6 * 5  # every ordered pair of the six countries
    assert "WLD" not in {r["entity"] for r in rows} | {r["counterpart"] for r in rows}


def test_gap_carries_ranges_and_bounds() -> None:
    text = TARIFFS.replace(
        "tariff,PAK,,2025-07,19,,,,fn03", "tariff,PAK,,2025-07,20,,,less_than,fn03"
    )
    text += "tariff,CHN,,2025-08-06,38,36,40,,fn04\n"
    rows = derive("gap", text, of="tariff")
    # 50 − (less than 20) = more than 30; 50 − (36–40) = 10–14.
    assert [one(rows, "IND", "PAK")[k] for k in ("value", "qualifier")] == [30, "more_than"]
    chn = one(rows, "IND", "CHN")
    assert (chn["value"], chn["low"], chn["high"], chn["qualifier"]) == (12, 10, 14, "")


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


# ---- change, multiple, cagr -------------------------------------------------------------------

CRUDE = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
crude,IND,RUS,2021,2,,,less_than,fn20
crude,IND,RUS,2023,20,,,,fn21
crude,IND,RUS,2025,38,36,40,,fn22
crude,IND,IRQ,2025,20,,,,fn22
"""


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


def test_the_input_tables_are_not_modified() -> None:
    inputs = tables(TARIFFS + CRUDE.split("\n", 1)[1])
    before = {k: v.copy() for k, v in inputs.items()}
    for kind, params in [
        ("rank", {"of": "tariff"}),
        ("gap", {"of": "tariff"}),
        ("change", {"of": "crude"}),
        ("multiple", {"of": "crude"}),
        ("sum", {"of": "crude", "as": "WLD"}),
    ]:
        KINDS[kind].compute(params, inputs, CTX)
    for name, frame in inputs.items():
        assert frame.equals(before[name]), name


def test_every_kind_is_declared_with_its_parameters() -> None:
    assert set(KINDS) == {
        "rank", "gap", "difference", "change", "multiple", "cagr", "share", "implied", "sum",
    }  # fmt: skip
    assert KINDS["share"].indicators == ("part", "whole")
    assert KINDS["implied"].required == ("counterpart",)
    assert all(kind.summary for kind in KINDS.values())
