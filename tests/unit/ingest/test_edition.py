"""memo.ingest.edition: the records config/ declares (drawn by hand here, not read from files)."""

from __future__ import annotations

import datetime as dt

import pytest

from memo.ingest.edition import ChartSpec, Edition, MemoDef

DAY = dt.date(2025, 9, 15)


def memo_def(memo_id: str, languages: tuple[str, ...]) -> MemoDef:
    return MemoDef(
        id=memo_id,
        audience="seoul",
        audience_label="Seoul",
        title="A brief",
        template="brief.html.j2",
        languages=languages,
        sections=(),
        key_figures=(),
        charts=(),
        pages=(1, 2),
        marking="",
        author="",
        edition_date=DAY,
    )


def test_an_edition_finds_each_language_edition_of_its_memos() -> None:
    edition = Edition(
        date=DAY,
        publisher="Unit",
        max_age_days=30,
        marking="",
        base_url="",
        memos=(memo_def("brief", ("en", "ko")), memo_def("note", ("en",))),
    )
    assert edition.output_ids() == ["brief-en", "brief-ko", "note-en"]
    memo, language = edition.memo("brief-ko")
    assert (memo.id, language) == ("brief", "ko")
    with pytest.raises(KeyError, match=r"no memo 'note-ko' in config/memos.yaml .*brief-en"):
        edition.memo("note-ko")


def test_a_chart_names_the_line_of_each_key_and_the_indicators_it_draws() -> None:
    chart = ChartSpec(
        id="tariffs",
        kind="ranked_bars",
        params={"indicator": "tariff", "indicator_b": "trade", "top": 5, "indicators": ["x"]},
        title="Tariffs",
        line=7,
        lines={"kind": 8},
    )
    assert chart.indicators == ("tariff", "trade")
    assert (chart.line_of("kind"), chart.line_of("title")) == (8, 7)
