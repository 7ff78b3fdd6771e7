"""memo.derive.kinds.ranking: ``rank`` and ``gap``, on the US tariffs of 6 August 2025.

Every expected figure is worked out by hand beside it; ``L(n)`` is ``data/indicators.csv:n``,
the drawn row on line n (header = line 1).
"""

from __future__ import annotations

from unit.derive.kinds.drawn import TARIFFS, L, derive, problems
from unit.support import one

# ---- rank -------------------------------------------------------------------------------------


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
