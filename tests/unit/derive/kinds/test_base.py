"""memo.derive.kinds.base: what every kind shares, on a drawn table: which rows a ranking or a
series takes, and which rows it cannot place."""

from __future__ import annotations

import datetime as dt

from memo.derive.kinds.base import (
    Result,
    as_of_date,
    countries_only,
    first_and_last,
    latest_rows,
    paired,
    unrankable,
)
from unit.derive.kinds.drawn import CRUDE, CTX, TARIFFS
from unit.support import tables

T = tables(TARIFFS)["tariff"]
C = tables(CRUDE)["crude"]


def test_aggregates_are_left_out_unless_all_are_asked_for() -> None:
    assert "WLD" not in set(countries_only(T, CTX, "countries")["entity"])
    assert "WLD" in set(countries_only(T, CTX, "all")["entity"])


def test_the_as_of_date_is_the_specs_or_the_latest_period_end() -> None:
    assert as_of_date(T, {}) == dt.date(2025, 8, 6)
    assert as_of_date(T, {"as_of": "2025-07"}) == dt.date(2025, 7, 31)
    assert as_of_date(T.iloc[0:0], {}) is None


def test_latest_rows_take_each_series_latest_figure_ended_by_the_date() -> None:
    latest = latest_rows(T, dt.date(2025, 8, 6))
    india = latest[latest["entity"] == "IND"]
    assert list(india["period"]) == ["2025-08-06"] and len(latest) == 7
    july = latest_rows(T, dt.date(2025, 7, 31))
    assert sorted(zip(july["entity"], july["period"], strict=True)) == [
        ("IND", "2025-07"),
        ("PAK", "2025-07"),
    ]


def test_first_and_last_of_each_series_skip_a_series_of_one_period() -> None:
    first, last = first_and_last(C, {})
    assert list(zip(first["counterpart"], first["period"], last["period"], strict=True)) == [
        ("RUS", "2021", "2025")
    ]
    first, last = first_and_last(C, {"from": "2023", "to": "2025"})
    assert (first["period"].tolist(), last["period"].tolist()) == (["2023"], ["2025"])


def test_rows_are_paired_as_pandas_merge_pairs_them() -> None:
    """Repeated keys pair every way, in the left table's order (its keys interleaved), then the
    right's; rows agreeing on ``differ`` are left out."""
    left, right = T.iloc[[0, 1, 2, 3]], T.iloc[[3, 1, 0, 6, 4, 5]]
    merged = left.merge(right, on="period", suffixes=("_a", "_b"))
    a, b = paired(left, right, ["period"])
    assert list(zip(a["entity"], b["entity"], a["period"], strict=True)) == list(
        zip(merged["entity_a"], merged["entity_b"], merged["period"], strict=True)
    )
    assert len(a) == 12 and list(a.index) == list(range(12))
    a, b = paired(left, right, ["period"], differ="entity")
    assert list(zip(a["entity"], b["entity"], strict=True)) == [
        *[("IND", e) for e in ("BRA", "MMR", "SYR", "LAO")],
        ("PAK", "IND"),
        *[("BRA", e) for e in ("IND", "MMR", "SYR", "LAO")],
    ]


def test_ranges_and_bounds_cannot_be_ranked() -> None:
    latest = latest_rows(C, dt.date(2025, 12, 31))
    assert unrankable(latest, "rank") == [
        "data/indicators.csv:4: cannot rank IND's figure (36–40): a range or bound has no single "
        "place in a ranking"
    ]


def test_an_empty_result_carries_its_problems() -> None:
    empty = Result.empty(["why"])
    assert (len(empty.keys), len(empty.figures), empty.problems) == (0, 0, ["why"])
    assert list(empty.keys.columns) == ["entity", "counterpart", "period"]


def test_the_context_names_things_for_method_sentences() -> None:
    assert CTX.pair("IND", "RUS") == "India with Russia"
    assert CTX.pair("IND", "") == "India"
    assert CTX.name("ZZZ") == "ZZZ" and CTX.label("tariff") == "tariff"
