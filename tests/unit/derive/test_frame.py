"""memo.derive.frame: observations as a DataFrame that keeps each row's provenance."""

from __future__ import annotations

import datetime as dt
import math

from memo.derive.frame import (
    figure_columns,
    observations_frame,
    quantities,
    to_observations,
    union,
)
from unit.support import observations

ROWS = observations(
    """\
    indicator,entity,counterpart,period,value,low,high,qualifier,source
    crude,IND,RUS,2021,2,,,less_than,fn20
    crude,IND,RUS,2025,38,36,40,,fn21
    tariff,IND,,2025-07,25,,,,fn15
    """
)


def test_each_stated_row_keeps_its_file_line_and_source() -> None:
    frame = observations_frame(ROWS)
    assert list(frame["line"]) == [2, 3, 4]
    assert list(frame["inputs"]) == [
        ("data/indicators.csv:2",),
        ("data/indicators.csv:3",),
        ("data/indicators.csv:4",),
    ]
    assert list(frame["sources"]) == [("fn20",), ("fn21",), ("fn15",)]
    assert list(frame["end"]) == [
        dt.date(2021, 12, 31),
        dt.date(2025, 12, 31),
        dt.date(2025, 7, 31),
    ]
    assert math.isnan(frame["low"].iloc[0]) and frame["low"].iloc[1] == 36


def test_quantities_and_figure_columns_round_trip_a_range_and_a_bound() -> None:
    q = quantities(observations_frame(ROWS))
    assert q.describe() == ["less than 2", "36–40", "25"]
    cols = figure_columns(q)
    assert list(cols["value"]) == [2, 38, 25]
    assert math.isnan(cols["low"][0]) and (cols["low"][1], cols["high"][1]) == (36, 40)
    assert cols["qualifier"] == ["less_than", "", ""]
    assert cols["error"] == ["", "", ""]


def test_union_keeps_first_seen_order_without_repeats() -> None:
    assert union([("a", "b"), ("x",)], [("b", "c"), ("x",)]) == [("a", "b", "c"), ("x",)]


def test_records_back_from_a_table() -> None:
    back = to_observations(observations_frame(ROWS))
    assert back == tuple(ROWS)  # a stated row's provenance is itself
    assert back[1].is_range and back[0].qualifier == "less_than"
