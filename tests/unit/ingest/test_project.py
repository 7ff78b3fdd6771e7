"""memo.ingest.project: data/ and config/ loaded and checked once, handed on as one Project."""

from __future__ import annotations

from memo.core.records import EVERYTHING
from memo.ingest.project import check_project
from unit.support import HEADER, INDICATORS, MEMOS


def test_a_good_project_loads(project) -> None:
    loaded, problems = check_project(project)
    assert problems == []
    assert loaded.root == project
    assert len(loaded.dataset.observations) == 8
    assert loaded.edition.output_ids() == ["tariff-brief-en", "trade-brief-en", "trade-brief-ko"]


def test_in_topic_keeps_the_rows_of_the_topics_entities(make_project) -> None:
    extra = "us_tariff_rate_pct,CHN,,2025-08-06,55,,,,percent,fn01,\n"
    loaded, _ = check_project(make_project(indicators=INDICATORS + extra))
    topic = loaded.edition.topics[0]
    assert "CHN" not in {o.entity for o in loaded.in_topic(topic)}
    assert len(loaded.in_topic(topic)) == 8
    assert len(loaded.in_topic(EVERYTHING)) == 9


def test_problems_of_data_and_config_come_together_and_no_project(make_project) -> None:
    root = make_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,lots,,,,percent,fn01,\n",
        memos=MEMOS.replace(
            'audience: officials\n    title: "Tariffs', 'audience: ministers\n    title: "Tariffs'
        ),
    )
    loaded, problems = check_project(root)
    assert loaded is None
    assert sorted(p.path for p in problems) == ["config/memos.yaml", "data/indicators.csv"]
