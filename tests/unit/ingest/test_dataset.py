"""memo.ingest.dataset: everything under data/ loaded at once, every problem of every file kept."""

from __future__ import annotations

import pytest

from memo.core.problems import DataError, format_problems
from memo.ingest.dataset import INPUT_FILES, check_dataset, load_dataset, load_reference
from unit.support import DICTIONARY, HEADER, SOURCES


def test_the_good_data_loads(project) -> None:
    dataset = load_dataset(project)
    assert len(dataset.observations) == 8
    assert sorted(dataset.sources) == ["article", "fn01", "fn09"]
    assert list(dataset.events) == ["tariff_order"]
    assert dataset.derived == ()
    assert INPUT_FILES == (
        "data/dictionary.yaml",
        "data/sources.csv",
        "data/events.csv",
        "data/indicators.csv",
    )


def test_all_problems_of_all_files_in_one_pass(make_project) -> None:
    root = make_project(
        sources=SOURCES + "fn09,9,,Again,USTR,2025,,\n",
        events="id,date,title,source,note\nx,someday,X,fn01,\n",
        indicators=HEADER
        + "us_tariff_rate_pct,IND,,2025-07,about 50,,,,percent,fn01,\n"
        + "us_tariff_rate_pct,BRA,,July 2025,25,,,,percent,fn01,\n",
        dictionary=DICTIONARY + "extra: 1\n",
    )
    with pytest.raises(DataError) as raised:
        load_dataset(root)
    where = [f"{p.path}:{p.line}" for p in raised.value.problems]
    assert sorted(where) == [
        f"data/dictionary.yaml:{len(DICTIONARY.splitlines()) + 1}",
        "data/events.csv:2",
        "data/indicators.csv:2",
        "data/indicators.csv:3",
        "data/sources.csv:5",
    ]


def test_missing_files_are_reported_once_each(make_project) -> None:
    _, found = check_dataset(make_project(sources=None, dictionary=None))
    assert format_problems(found).splitlines() == [
        "data/dictionary.yaml:1: file: file not found",
        "data/sources.csv:1: file: file not found "
        "(create it with header id,footnote,author,title,publisher,date,url)",
    ]  # and no "unknown source" on each row of indicators.csv and events.csv


def test_the_reference_files_load_without_the_observations(make_project) -> None:
    # A render reads the figures memo derive wrote; a broken indicators.csv is not its concern.
    reference = load_reference(make_project(indicators="nonsense"))
    assert reference.observations == ()
    assert "us_tariff_rank" in reference.dictionary.indicators


def test_the_reference_files_raise_every_problem(make_project) -> None:
    with pytest.raises(DataError) as raised:
        load_reference(make_project(sources=SOURCES + "fn01,1,,Again,CNBC,2025,,\n"))
    assert [str(p) for p in raised.value.problems] == [
        "data/sources.csv:5: id: duplicate id 'fn01', first used on line 3 "
        "(give each row its own id)"
    ]
