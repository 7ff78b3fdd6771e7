"""Tests for memo.compare: derivations checked against the article's own statements."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from memo import compare
from memo.compare import BoundsError, Quantity, divide, subtract
from memo.model import Observation


def obs(
    indicator: str,
    entity: str,
    counterpart: str,
    period: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    qualifier: str = "",
    unit: str = "percent",
    source: str = "fn01",
    line: int = 0,
) -> Observation:
    """Make one input row."""
    return Observation(
        indicator, entity, counterpart, period, value, low, high, qualifier, unit, source,
        line=line,
    )  # fmt: skip


def numbered(rows: list[Observation], first: int) -> list[Observation]:
    """Give rows editor lines ``first``, ``first + 1`` …: fixtures are the same on every call."""
    return [dataclasses.replace(o, line=first + i) for i, o in enumerate(rows)]


def tariffs() -> list[Observation]:
    t = compare.TARIFF
    return numbered(
        [
            obs(t, "IND", "", "2025-07", 25, source="fn03"),
            obs(t, "IND", "", "2025-08-06", 50, source="fn04"),
            obs(t, "PAK", "", "2025-07", 19, source="fn03"),
            obs(t, "BRA", "", "2025-08-06", 50, source="fn04"),
            obs(t, "SYR", "", "2025-08-06", 41, source="fn04"),
            obs(t, "LAO", "", "2025-08-06", 40, source="fn04"),
            obs(t, "MMR", "", "2025-08-06", 40, source="fn04"),
        ],
        2,
    )


def deficits(korea_period: str = "2024") -> list[Observation]:
    d, s = compare.DEFICIT, compare.DEFICIT_SHARE
    return numbered(
        [
            obs(d, "IND", "CHN", "2024", 99.2, unit="usd_bn", source="fn10a"),
            obs(s, "IND", "CHN", "2024", 37, source="fn10b"),
            obs(
                d, "IND", "KOR", korea_period, 14.6, qualifier="about", unit="usd_bn", source="fn11"
            ),
        ],
        20,
    )


def oil() -> list[Observation]:
    c = compare.CRUDE_SHARE
    return numbered(
        [
            obs(c, "IND", "RUS", "2021", 2, qualifier="less_than", source="fn20"),
            obs(c, "IND", "RUS", "2025", 38, low=36, high=40, source="fn21"),
        ],
        30,
    )


def trade() -> list[Observation]:
    b = compare.BILATERAL_TRADE
    return numbered(
        [
            obs(b, "USA", "IND", "2000", 20, qualifier="about", unit="usd_bn", source="fn30"),
            obs(b, "USA", "IND", "2024", 212.3, unit="usd_bn", source="fn31"),
        ],
        40,
    )


def one(rows: tuple[Observation, ...], indicator: str, entity: str, counterpart: str = ""):
    found = [
        o
        for o in rows
        if (o.indicator, o.entity, o.counterpart) == (indicator, entity, counterpart)
    ]
    assert len(found) == 1, found
    return found[0]


# ---- interval arithmetic --------------------------------------------------------------------


def q(value: float, qualifier: str = "", low: float | None = None, high: float | None = None):
    return Quantity.from_parts(value, low, high, qualifier)


def test_range_minus_less_than_is_more_than_a_range():
    change = subtract(q(38, low=36, high=40), q(2, "less_than"))
    assert change.fields() == (36, 34, 38, "more_than")


def test_range_divided_by_less_than_is_more_than_a_range():
    multiple = divide(q(38, low=36, high=40), q(2, "less_than"))
    assert multiple.fields() == (19, 18, 20, "more_than")


def test_exact_and_about_propagation():
    assert subtract(q(50), q(19)).fields() == (31, None, None, "")
    assert divide(q(212.3), q(20, "about")).qualifier == "about"
    assert subtract(q(50, "nearly"), q(19)).qualifier == "about"


def test_interval_subtraction_uses_opposite_ends():
    # [10, 20] - [1, 3] = [7, 19]
    assert subtract(q(15, low=10, high=20), q(2, low=1, high=3)).fields() == (13, 7, 19, "")
    # [10, 20] / [2, 4] = [2.5, 10]
    assert divide(q(15, low=10, high=20), q(3, low=2, high=4)).fields() == (6.25, 2.5, 10, "")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more_than", "", "more_than"),
        ("", "less_than", "more_than"),
        ("more_than", "less_than", "more_than"),
        ("more_than", "up_to", "more_than"),  # one strict bound makes the sum strict
        ("less_than", "", "less_than"),
        ("", "more_than", "less_than"),
        ("less_than", "more_than", "less_than"),
        ("up_to", "", "up_to"),
        ("up_to", "more_than", "less_than"),
    ],
)
def test_bound_directions_through_subtraction(a: str, b: str, expected: str):
    assert subtract(q(10, a), q(2, b)).qualifier == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more_than", "", "more_than"),
        ("", "less_than", "more_than"),
        ("", "more_than", "less_than"),
        ("up_to", "", "up_to"),
        ("less_than", "more_than", "less_than"),
    ],
)
def test_bound_directions_through_division(a: str, b: str, expected: str):
    assert divide(q(10, a), q(2, b)).qualifier == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("more_than", "more_than"),  # opposite pulls: unbounded
        ("less_than", "less_than"),
        ("up_to", "up_to"),
        ("less_than", "up_to"),
        ("", "up_to"),  # 'at least': no qualifier for it
        ("about", "less_than"),  # 'more than about': no qualifier for it
    ],
)
def test_subtraction_error_cases(a: str, b: str):
    with pytest.raises(BoundsError):
        subtract(q(10, a), q(2, b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("more_than", "more_than"), ("less_than", "less_than"), ("about", "more_than")],
)
def test_division_error_cases(a: str, b: str):
    with pytest.raises(BoundsError):
        divide(q(10, a), q(2, b))


def test_division_needs_positive_figures():
    with pytest.raises(BoundsError, match="above zero"):
        divide(q(10), q(0))
    with pytest.raises(BoundsError, match="above zero"):
        divide(q(10), q(1, low=-1, high=3))


def test_bounds_error_is_a_value_error_and_explains():
    with pytest.raises(ValueError, match="neither an upper nor a lower bound"):
        subtract(q(10, "more_than"), q(2, "more_than"))


def test_scale_and_increasing_function():
    assert compare.scale(q(2, "less_than"), -1).qualifier == "more_than"
    assert compare.scale(q(37), 0.01).fields() == (0.37, None, None, "")
    cube = compare.apply_increasing(q(3, "more_than", 2, 4), lambda x: x**3)
    assert cube.fields() == (36, 8, 64, "more_than")


def test_quantity_rejects_unknown_qualifier_and_reversed_range():
    with pytest.raises(ValueError):
        q(1, "roughly")
    with pytest.raises(ValueError):
        Quantity(3, 2)


def test_describe():
    assert q(38, low=36, high=40).describe() == "36–40"
    assert subtract(q(38, low=36, high=40), q(2, "less_than")).describe() == "more than 34–38"
    assert q(20, "about").describe() == "about 20"


# ---- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2024", dt.date(2024, 12, 31)),
        ("2025-Q2", dt.date(2025, 6, 30)),
        ("2024-02", dt.date(2024, 2, 29)),
        ("2025-08-06", dt.date(2025, 8, 6)),
        ("2021/2025", dt.date(2025, 12, 31)),
    ],
)
def test_period_end(period: str, end: dt.date):
    assert compare.period_end(period) == end


@pytest.mark.parametrize("bad", ["", "24", "2025-13", "2025-Q5", "July 2025"])
def test_period_end_rejects(bad: str):
    with pytest.raises(ValueError):
        compare.period_end(bad)


def test_years_between():
    assert compare.years_between("2000", "2024") == 24
    assert compare.years_between("2024-Q1", "2025-Q3") == 1.5


# ---- 1. tariffs -----------------------------------------------------------------------------


def test_india_tied_for_highest_tariff_with_brazil():
    ranking = compare.tariff_ranking(tariffs())
    assert [(r.entity, r.rank) for r in ranking] == [
        ("BRA", 1),
        ("IND", 1),
        ("SYR", 3),
        ("LAO", 4),
        ("MMR", 4),
        ("PAK", 6),
    ]
    standing = compare.rank_standing(ranking, "IND")
    assert standing == {"rank": 1, "tied": True, "tied_with": ("BRA",), "is_top": True, "out_of": 6}
    assert compare.rank_standing(ranking, "PAK")["tied"] is False
    assert compare.rank_standing(ranking, "LAO")["tied_with"] == ("MMR",)


def test_rank_standing_reads_csv_rows_and_rejects_unknown():
    rows = [{"rank": "1", "entity": "IND", "tied": "true", "tied_with": "BRA"}]
    assert compare.rank_standing(rows, "IND")["tied_with"] == ("BRA",)
    with pytest.raises(KeyError):
        compare.rank_standing(rows, "KOR")


def test_ranking_as_of_uses_periods_ended_by_then():
    # On 2025-07-31 the July rates have run their course; the August ones are not yet in.
    ranking = compare.tariff_ranking(tariffs(), as_of="2025-07-31")
    assert [(r.entity, r.rate, r.rank) for r in ranking] == [("IND", 25, 1), ("PAK", 19, 2)]
    # Mid-July, the July figures (which stand for 31 July) do not count yet.
    with pytest.raises(LookupError):
        compare.tariff_ranking(tariffs(), as_of="2025-07-15")
    # An as-of month stands for its last day.
    assert len(compare.tariff_ranking(tariffs(), as_of="2025-08")) == 6


def test_ranking_refuses_ranges_and_bounds():
    rows = [*tariffs(), obs(compare.TARIFF, "VNM", "", "2025-08-06", 20, qualifier="up_to")]
    with pytest.raises(BoundsError):
        compare.tariff_ranking(rows)


def test_tariff_gaps_and_rank_observations():
    rows = tariffs()
    result = compare.compare_tariffs(rows, names={"IND": "India", "PAK": "Pakistan"})
    gap = one(result.observations, compare.TARIFF_GAP, "IND", "PAK")
    assert gap.value == 31
    assert gap.unit == "percentage_points" and gap.period == "2025-08-06"
    assert gap.inputs == (rows[1].ref, rows[2].ref)  # IND 2025-08-06 and PAK 2025-07
    assert gap.sources == ("fn04", "fn03")
    assert gap.source == "" and gap.path == "build/derived/derived.csv"
    assert gap.method.startswith("50 − 19 = 31: ")
    assert "Pakistan" in gap.method
    assert one(result.observations, compare.TARIFF_GAP, "IND", "BRA").value == 0
    gaps = [o for o in result.observations if o.indicator == compare.TARIFF_GAP]
    assert len(gaps) == 5  # every other country
    rank = one(result.observations, compare.TARIFF_RANK, "IND")
    assert (rank.value, rank.unit, rank.counterpart) == (1, "rank", "")
    assert "tied with BRA" in rank.method
    assert len(rank.inputs) == 6  # every rate in the ranking, the old IND rate excluded
    assert rows[0].ref not in rank.inputs
    records = result.table.records()
    assert records[0]["tied_with"] == ("IND",) and records[0]["tied"] is True
    assert result.table.columns[:5] == ("rank", "entity", "rate", "tied", "tied_with")


# ---- 2. deficit shares ----------------------------------------------------------------------


def test_china_share_implies_total_deficit_and_korea_share():
    rows = deficits()
    result = compare.compare_deficits(rows, names={"IND": "India", "CHN": "China"})
    total = one(result.observations, compare.DEFICIT_TOTAL, "IND", "WLD")
    assert total.value == pytest.approx(99.2 / 0.37, rel=1e-12)  # full precision kept
    assert round(total.value, 1) == 268.1
    assert (total.period, total.qualifier, total.unit) == ("2024", "", "usd_bn")
    assert total.inputs == (rows[0].ref, rows[1].ref)
    assert total.sources == ("fn10a", "fn10b")
    assert total.method.startswith("99.2 ÷ 0.37 = 268.1: India's trade deficit with China")
    korea = one(result.observations, compare.SHARE_OF_TOTAL, "IND", "KOR")
    assert round(korea.value, 1) == 5.4
    assert korea.value == pytest.approx(14.6 / (99.2 / 0.37) * 100)
    assert korea.qualifier == "about"  # carried from "about 14.6"
    assert korea.inputs == (rows[2].ref, rows[0].ref, rows[1].ref)
    assert korea.sources == ("fn11", "fn10a", "fn10b")
    assert korea.note == ""
    # China's share is stated, not derived again; the table still lists it at 37 percent.
    assert not [o for o in result.observations if o.counterpart == "CHN"]
    records = result.table.records()
    assert [(r["counterpart"], r["basis"]) for r in records] == [
        ("CHN", "stated"),
        ("KOR", "derived"),
    ]
    assert records[0]["share_pct"] == 37


def test_korea_period_found_not_hard_coded():
    result = compare.compare_deficits(deficits(korea_period="2025"))
    korea = one(result.observations, compare.SHARE_OF_TOTAL, "IND", "KOR")
    assert korea.period == "2025"
    assert "periods differ" in korea.note


def test_missing_deficit_series_is_a_lookup_error():
    with pytest.raises(LookupError, match="share_of_trade_deficit_pct"):
        compare.compare_deficits(deficits()[::2])


# ---- 3. oil ---------------------------------------------------------------------------------


def test_oil_change_and_multiple():
    rows = oil()
    result = compare.compare_oil(rows)
    change = one(result.observations, compare.CRUDE_CHANGE, "IND", "RUS")
    assert (change.value, change.low, change.high, change.qualifier) == (36, 34, 38, "more_than")
    assert (change.period, change.unit) == ("2021/2025", "percentage_points")
    multiple = one(result.observations, compare.CRUDE_MULTIPLE, "IND", "RUS")
    assert (multiple.value, multiple.low, multiple.high) == (19, 18, 20)
    assert (multiple.qualifier, multiple.unit) == ("more_than", "times")
    assert change.inputs == (rows[0].ref, rows[1].ref)
    assert change.sources == ("fn20", "fn21")
    assert change.method.startswith("36–40 − less than 2 = more than 34–38: ")
    assert multiple.method.startswith("36–40 ÷ less than 2 = more than 18–20: ")
    assert [r["role"] for r in result.table.records()] == ["input", "input", "derived", "derived"]


# ---- 4. trade growth ------------------------------------------------------------------------


def test_trade_more_than_tenfold_and_cagr():
    rows = trade()
    result = compare.compare_trade_growth(rows)
    multiple = one(result.observations, compare.TRADE_MULTIPLE, "USA", "IND")
    assert multiple.value == pytest.approx(10.615)
    assert (multiple.qualifier, multiple.period) == ("about", "2000/2024")
    assert compare.multiple_band(multiple.value) == ("more_than", 10)
    cagr = one(result.observations, compare.TRADE_CAGR, "USA", "IND")
    assert cagr.value == pytest.approx(((212.3 / 20) ** (1 / 24) - 1) * 100)
    assert round(cagr.value, 1) == 10.3
    assert (cagr.qualifier, cagr.unit) == ("about", "percent")
    assert cagr.inputs == (rows[0].ref, rows[1].ref)
    assert "^ (1/24)" in cagr.method


# ---- wording helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "band"),
    [(10.615, ("more_than", 10)), (19, ("exactly", 19)), (1.5, ("more_than", 1))],
)
def test_multiple_band(x: float, band: tuple[str, int]):
    assert compare.multiple_band(x) == band


@pytest.mark.parametrize("x", [1, 0.5, float("inf"), float("nan")])
def test_multiple_band_rejects(x: float):
    with pytest.raises(ValueError):
        compare.multiple_band(x)


def test_direction():
    assert compare.direction(2, 38) == "rose"
    assert compare.direction(25, 19) == "fell"
    assert compare.direction(0.1 + 0.2, 0.3) == "unchanged"


# ---- purity ---------------------------------------------------------------------------------


def test_inputs_are_not_modified():
    rows = tuple(tariffs() + deficits() + oil() + trade())
    before = [dataclasses.astuple(o) for o in rows]
    compare.compare_tariffs(rows)
    compare.compare_deficits(rows)
    compare.compare_oil(rows)
    compare.compare_trade_growth(rows)
    assert [dataclasses.astuple(o) for o in rows] == before


def test_direction_of_observations_uses_bounds():
    first, last = oil()
    assert compare.direction(first, last) == "rose"  # "less than 2" -> "36-40"
    assert compare.direction(last, first) == "fell"
    assert compare.direction(q(5), q(5)) == "unchanged"
    with pytest.raises(BoundsError):  # overlapping ranges: the sign of the change is unknown
        compare.direction(q(5, low=4, high=6), q(5.5, low=5, high=6))
    with pytest.raises(BoundsError):  # "more than 2" -> 10 may have fallen or risen
        compare.direction(q(2, "more_than"), q(10))


def test_latest_by_entity():
    latest = compare.latest_by_entity(tariffs())
    assert [(o.entity, o.value) for o in latest] == [
        ("BRA", 50),
        ("IND", 50),
        ("LAO", 40),
        ("MMR", 40),
        ("PAK", 19),
        ("SYR", 41),
    ]
    assert [(o.entity, o.value) for o in compare.latest_by_entity(tariffs(), "2025-07")] == [
        ("IND", 25),
        ("PAK", 19),
    ]
    assert compare.latest_by_entity([]) == ()
