"""Tests for memo.derive: derive_all on fixtures and on the real data/, saving, the command."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import types
from pathlib import Path

import pytest
from test_compare import deficits, oil, tariffs, trade

from memo import compare
from memo.derive import (
    DERIVED_COLUMNS,
    TABLE_NAMES,
    cell,
    cli_derive,
    derive_all,
    load_derived,
    load_table,
    save,
)
from memo.errors import DataError, Problem
from memo.model import Dataset, Dictionary, Entity

ROOT = Path(__file__).resolve().parents[1]

NAMES = {
    "IND": "India",
    "CHN": "China",
    "KOR": "South Korea",
    "RUS": "Russia",
    "USA": "the United States",
    "PAK": "Pakistan",
    "BRA": "Brazil",
}


def fixture_dataset() -> Dataset:
    entities = {code: Entity(code, name) for code, name in NAMES.items()}
    return Dataset(
        dictionary=Dictionary(units={}, qualifiers={}, entities=entities, indicators={}),
        observations=tuple(tariffs() + deficits() + oil() + trade()),
        sources={},
        events={},
    )


def test_derive_all_collects_every_comparison():
    result = derive_all(fixture_dataset())
    assert set(result.tables) == set(TABLE_NAMES)
    assert result.as_of == "2025-08-06"
    indicators = {o.indicator for o in result.observations}
    assert indicators == {
        compare.TARIFF_RANK,
        compare.TARIFF_GAP,
        compare.DEFICIT_TOTAL,
        compare.SHARE_OF_TOTAL,
        compare.CRUDE_CHANGE,
        compare.CRUDE_MULTIPLE,
        compare.TRADE_MULTIPLE,
        compare.TRADE_CAGR,
    }
    keys = [o.key for o in result.observations]
    assert keys == sorted(keys)
    assert [o.line for o in result.observations] == list(range(2, len(keys) + 2))
    assert all(
        o.path == "build/derived/derived.csv" and o.source == "" for o in result.observations
    )
    assert all(o.method and o.inputs and o.sources for o in result.observations)
    assert "India" in result.find(compare.DEFICIT_TOTAL, "IND", "WLD").method


def test_cell_formatting():
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell(50.0) == "50"
    assert cell(99.2 / 0.37) == "268.108108108"
    assert cell(-0.0) == "0"
    assert cell(("a", "b")) == "a;b"


def test_save_is_deterministic_atomic_and_round_trips(tmp_path: Path):
    result = derive_all(fixture_dataset())
    written = save(result, tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == sorted(["derived.csv", *(f"{n}.csv" for n in TABLE_NAMES)])
    first = {p.name: p.read_bytes() for p in written}
    save(derive_all(fixture_dataset()), tmp_path / "out")
    assert {p.name: p.read_bytes() for p in written} == first
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names  # no temp files left
    text = first["derived.csv"].decode("utf-8")
    assert text.splitlines()[0] == ",".join(DERIVED_COLUMNS)
    assert "\r" not in text
    back = load_derived(tmp_path / "out" / "derived.csv")
    assert [o.key for o in back] == [o.key for o in result.observations]
    total = next(o for o in back if o.indicator == compare.DEFICIT_TOTAL)
    assert total.value == pytest.approx(99.2 / 0.37, rel=1e-11)
    assert total.inputs == result.find(compare.DEFICIT_TOTAL, "IND", "WLD").inputs
    change = next(o for o in back if o.indicator == compare.CRUDE_CHANGE)
    assert (change.low, change.high, change.qualifier) == (34, 38, "more_than")
    ranking = load_table(tmp_path / "out" / "tariff_ranking.csv")
    assert ranking[0]["tied"] == "true"
    standing = compare.rank_standing(ranking, "IND")
    assert standing["rank"] == 1 and standing["tied_with"] == ("BRA",)


def test_inputs_are_not_modified():
    dataset = fixture_dataset()
    before = dataclasses.astuple(dataset)
    derive_all(dataset)
    assert dataclasses.astuple(dataset) == before


def _fake_data_module(monkeypatch: pytest.MonkeyPatch, load) -> None:
    module = types.ModuleType("memo.data")
    module.load_dataset = load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "memo.data", module)


def test_cli_derive_writes_and_summarises(tmp_path, monkeypatch, capsys):
    _fake_data_module(monkeypatch, lambda root: fixture_dataset())
    code = cli_derive(argparse.Namespace(root=str(tmp_path), out="build/derived"))
    assert code == 0
    assert (tmp_path / "build/derived/derived.csv").is_file()
    err = capsys.readouterr().err
    assert "derived figures" in err and len(err.strip().splitlines()) == 1


def test_cli_derive_prints_data_problems(tmp_path, monkeypatch, capsys):
    def broken(root):
        raise DataError([Problem("data/indicators.csv", 7, "value", "not a number")])

    _fake_data_module(monkeypatch, broken)
    assert cli_derive(argparse.Namespace(root=str(tmp_path), out="out")) == 1
    assert "data/indicators.csv:7: value: not a number" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_derive_reports_missing_series(tmp_path, monkeypatch, capsys):
    empty = dataclasses.replace(fixture_dataset(), observations=tuple(tariffs()))
    _fake_data_module(monkeypatch, lambda root: empty)
    assert cli_derive(argparse.Namespace(root=str(tmp_path), out="out")) == 1
    assert "cannot derive" in capsys.readouterr().err


def test_real_data_derives_the_articles_statements(tmp_path: Path):
    """Run on data/ itself: the figures must match what the article says."""
    from memo.data import load_dataset

    dataset = load_dataset(ROOT)
    result = derive_all(dataset)

    ranking = result.tables["tariff_ranking"].records()
    india = compare.rank_standing(ranking, "IND")
    assert india["is_top"] and india["tied_with"] == ("BRA",)
    assert result.find(compare.TARIFF_GAP, "IND", "PAK").value == 31

    total = result.find(compare.DEFICIT_TOTAL, "IND", "WLD")
    assert round(total.value, 1) == 268.1
    korea = result.find(compare.SHARE_OF_TOTAL, "IND", "KOR")
    assert round(korea.value, 1) == 5.4 and korea.qualifier == "about"

    change = result.find(compare.CRUDE_CHANGE, "IND", "RUS")
    assert (change.low, change.high, change.qualifier) == (34, 38, "more_than")
    multiple = result.find(compare.CRUDE_MULTIPLE, "IND", "RUS")
    assert (multiple.low, multiple.high, multiple.qualifier) == (18, 20, "more_than")

    trade_multiple = result.find(compare.TRADE_MULTIPLE, "USA", "IND")
    assert compare.multiple_band(trade_multiple.value) == ("more_than", 10)
    assert round(result.find(compare.TRADE_CAGR, "USA", "IND").value, 1) == 10.3

    # Every input ref points at a real row, and every source id is a known source.
    refs = {o.ref for o in dataset.observations}
    for o in result.observations:
        assert set(o.inputs) <= refs, o
        assert set(o.sources) <= set(dataset.sources), o
        if o.indicator in dataset.dictionary.indicators:
            assert dataset.dictionary.indicators[o.indicator].unit == o.unit, o

    save(result, tmp_path)
    assert load_derived(tmp_path / "derived.csv")
