"""memo.derive.store: build/derived/figures.csv, written deterministically and read back exactly."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from memo.core.records import EVERYTHING
from memo.derive.engine import derive_topic
from memo.derive.frame import observations_frame
from memo.derive.store import FIGURE_COLUMNS, cell, figures_text, read_figures, write_figures
from unit.support import load_dictionary_text, observations

ROWS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
us_tariff_rate_pct,IND,,2025-08-06,50,,,,fn15
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,fn15
bilateral_trade_usd_bn,USA,IND,2000,20,,,about,fn09
bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,fn09
crude_import_share_pct,IND,RUS,2021,2,,,less_than,article
crude_import_share_pct,IND,RUS,2025,38,36,40,,article
"""


def tables(tmp_path: Path):
    stated = observations_frame(observations(ROWS))
    derived, problems = derive_topic(stated, load_dictionary_text(tmp_path), EVERYTHING)
    assert problems == []
    return stated, derived


def test_cells() -> None:
    assert cell(None) == "" and cell(float("nan")) == ""
    assert (cell(True), cell(False)) == ("true", "false")
    assert cell(50.0) == "50" and cell(-0.0) == "0"
    assert float(cell(99.2 / 0.37)) == 99.2 / 0.37  # the shortest text of the very same float
    assert cell(("data/indicators.csv:2", "data/indicators.csv:3")) == (
        "data/indicators.csv:2;data/indicators.csv:3"
    )


def test_derived_rows_come_first_each_at_its_own_line(tmp_path: Path) -> None:
    stated, derived = tables(tmp_path)
    lines = figures_text(stated, derived).splitlines()
    assert lines[0] == ",".join(FIGURE_COLUMNS)
    path = tmp_path / "figures.csv"
    write_figures(stated, derived, path)
    back = read_figures(path)
    assert [o.is_derived for o in back] == [True] * len(derived) + [False] * len(stated)
    for o in back:
        if o.is_derived:
            assert o.ref == f"build/derived/figures.csv:{o.line}"
            assert lines[o.line - 1].split(",")[1:4] == [o.indicator, o.entity, o.counterpart]
        else:
            assert o.path == "data/indicators.csv"


def test_a_derived_figures_line_does_not_move_when_a_stated_row_is_added(tmp_path: Path) -> None:
    stated, derived = tables(tmp_path)
    more = observations(ROWS + "us_tariff_rate_pct,PAK,,2025-07,19,,,,fn15\n")
    before = figures_text(stated, derived)
    after = figures_text(observations_frame(more), derived)
    assert after.startswith(before)  # the same derived block, the stated rows after it


def test_a_topic_declared_after_the_others_moves_none_of_their_lines(tmp_path: Path) -> None:
    """Topics come in the order config/memos.yaml declares them, not by name: a new topic added
    at the end (here "aaa", first by name) leaves every line of the others where it was."""
    stated, derived = tables(tmp_path)
    first = derived.assign(topic="zzz")
    before = figures_text(stated, first, ["zzz"]).splitlines()
    both = figures_text(stated, pd.concat([first, derived.assign(topic="aaa")]), ["zzz", "aaa"])
    assert both.splitlines()[: len(derived) + 1] == before[: len(derived) + 1]
    assert both.splitlines()[len(derived) + 1].startswith("aaa,")
    # Topics not listed come after the listed ones, by name.
    unlisted = figures_text(stated, pd.concat([first, derived.assign(topic="aaa")]), ["zzz"])
    assert unlisted == both


def test_figures_read_back_exactly(tmp_path: Path) -> None:
    stated, derived = tables(tmp_path)
    path = tmp_path / "build/derived/figures.csv"
    write_figures(stated, derived, path)
    back = {o.key: o for o in read_figures(path)}
    multiple = back[("bilateral_trade_multiple", "USA", "IND", "2000/2024")]
    assert multiple.value == 212.3 / 20  # not rounded on the way
    assert (multiple.qualifier, multiple.unit) == ("about", "times")
    assert multiple.inputs == ("data/indicators.csv:4", "data/indicators.csv:5")
    assert multiple.sources == ("fn09",) and multiple.topic == ""
    change = back[("crude_import_share_change_pp", "IND", "RUS", "2021/2025")]
    assert (change.low, change.high, change.qualifier) == (34, 38, "more_than")
    stated_row = back[("crude_import_share_pct", "IND", "RUS", "2025")]
    assert (stated_row.low, stated_row.high, stated_row.inputs) == (36, 40, ())
    assert math.isclose(stated_row.value, 38)


def test_the_same_figures_give_the_same_bytes_and_no_temporary_is_left(tmp_path: Path) -> None:
    stated, derived = tables(tmp_path)
    path = tmp_path / "out/figures.csv"
    write_figures(stated, derived, path)
    first = path.read_bytes()
    write_figures(stated, derived, path)
    assert path.read_bytes() == first
    assert b"\r" not in first and not first.startswith(b"\xef\xbb\xbf")
    assert [p.name for p in path.parent.iterdir()] == ["figures.csv"]
