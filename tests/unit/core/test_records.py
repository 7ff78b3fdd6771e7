"""memo.core.records: what a row is (its key, where it lives, its bounds) and what a topic covers."""

from __future__ import annotations

import dataclasses

import pytest

from memo.core.records import Entity, Observation, Topic


def row(**kw) -> Observation:
    base = dict(
        indicator="crude_import_share_pct",
        entity="IND",
        counterpart="RUS",
        period="2025",
        value=38,
        low=36,
        high=40,
        qualifier="",
        unit="percent",
        source="article",
        line=9,
    )
    return Observation(**{**base, **kw})


def test_a_row_knows_its_key_and_where_it_lives() -> None:
    o = row()
    assert o.key == ("crude_import_share_pct", "IND", "RUS", "2025")
    assert o.ref == "data/indicators.csv:9"
    assert o.is_range and not o.is_derived
    assert o.all_sources == ("article",)


def test_a_derived_row_cites_the_sources_of_its_inputs() -> None:
    o = row(source="", sources=("fn20", "fn21"), method="36–40 − less than 2 = more than 34–38")
    assert o.is_derived and o.all_sources == ("fn20", "fn21")


def test_the_quantity_carries_the_range_and_qualifier() -> None:
    q = row(qualifier="about").quantity
    assert (q.low, q.high, q.qualifier) == (36, 40, "about")
    assert row(value=2, low=None, high=None, qualifier="less_than").quantity.describe() == (
        "less than 2"
    )


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        row().value = 1  # type: ignore[misc]


def test_aggregates_are_everything_but_countries() -> None:
    assert not Entity("IND", "India", "IN").is_aggregate
    assert Entity("WLD", "World", kind="world").is_aggregate
    assert Entity("XGP", "GPAI", kind="organisation").is_aggregate


@pytest.mark.parametrize(
    ("entity", "counterpart", "period", "covered"),
    [
        ("IND", "", "2024", True),
        ("IND", "USA", "2024", True),
        ("CHN", "", "2024", False),  # an entity outside the topic
        ("IND", "CHN", "2024", False),  # a counterpart outside the topic
        ("IND", "", "2019", False),  # starts before the topic's first period
        ("IND", "", "2020-01", True),
        ("IND", "", "2025-Q2", True),  # ends on the topic's last day
        ("IND", "", "2025-06-30", True),
        ("IND", "", "2025", False),  # runs past it
    ],
)
def test_what_a_topic_covers(entity: str, counterpart: str, period: str, covered: bool) -> None:
    topic = Topic("t", frozenset({"IND", "USA"}), start="2020", end="2025-06")
    assert topic.covers(entity, counterpart, period) is covered


def test_a_topic_without_entities_or_periods_covers_everything() -> None:
    assert Topic("all").covers("ZZZ", "YYY", "1900")
