"""memo.ingest.dataset: everything under data/ loaded at once, every problem of every file kept."""

from __future__ import annotations

import pytest

from memo.core.problems import DataError, format_problems
from memo.ingest.dataset import INPUT_FILES, check_dataset, load_dataset, load_reference
from unit.support import DICTIONARY, HEADER, INDICATORS, SOURCES


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
        "data/dictionary.yaml:1: file: file not found "
        "(restore it with git checkout -- data/dictionary.yaml, or write it as the README describes)",
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


HINT = "(delete it; it is invisible but changes how the text reads or compares)"
INVISIBLE = {
    # (file, row added at its end, column, the character named in the message)
    "bidi override in a note": (
        "indicators",
        'us_tariff_rate_pct,BRA,,2025-07,25,,,,percent,fn01,"\u202e52 tnecrep"',
        "note",
        "right-to-left override (U+202E)",
    ),
    "bidi isolate in a source title": (
        "sources",
        "fn02,2,,Title \u2067hidden\u2069,Reuters,2025-08-31,,",
        "title",
        "right-to-left isolate (U+2067)",
    ),
    "zero-width space in a source id": (
        "sources",
        "fn02\u200b,2,,Title,Reuters,2025-08-31,,",
        "id",
        "zero width space (U+200B)",
    ),
    "zero-width joiner in an entity code": (
        "indicators",
        "us_tariff_rate_pct,BR\u200dA,,2025-07,25,,,,percent,fn01,",
        "entity",
        "zero width joiner (U+200D)",
    ),
    "left-to-right mark in a date": (
        "events",
        "tariff_order2,2025-08-06\u200e,Order,fn01,",
        "date",
        "left-to-right mark (U+200E)",
    ),
}


@pytest.mark.parametrize("case", list(INVISIBLE))
def test_invisible_controls_are_refused_naming_the_character(make_project, case: str) -> None:
    from unit.support import EVENTS

    stem, row, column, name = INVISIBLE[case]
    text = {"indicators": INDICATORS, "sources": SOURCES, "events": EVENTS}[stem] + row + "\n"
    _, found = check_dataset(make_project(**{stem: text}))
    line = text.count("\n")
    assert f"data/{stem}.csv:{line}: {column}: contains a {name} {HINT}" in [str(p) for p in found]


def test_zero_width_characters_in_free_text_are_kept(make_project) -> None:
    note = "India\u200d\u200cX \u200bwide"  # joiners some scripts need
    text = INDICATORS + f"us_tariff_rate_pct,BRA,,2025-07,25,,,,percent,fn01,{note}\n"
    dataset, found = check_dataset(make_project(indicators=text))
    assert found == []
    assert note in [o.note for o in dataset.observations]
