"""memo.ingest.config: config/config.yaml and config/memos.yaml (the edition, its topics, its charts,
its memos), each problem at the line of its key."""

from __future__ import annotations

import datetime as dt

import pytest

from memo.core.problems import DataError
from memo.ingest.config import check, load_edition
from unit.support import CONFIG, MEMOS, line_of

PERIODS = "(write 2024, 2025-Q2, 2025-07 or 2025-08-06)"


@pytest.fixture
def problems(make_project):
    """``problems(memos=..., config=...)``: the config problems of the small project, as printed."""

    def run(**replace: str) -> list[str]:
        return [str(p) for p in check(make_project(**replace))]

    return run


def test_the_edition(project) -> None:
    edition = load_edition(project)
    assert edition.date == dt.date(2025, 9, 15)
    assert (edition.publisher, edition.max_age_days, edition.marking) == (
        "Policy Memo Unit",
        730,
        "For official use",
    )
    assert edition.output_ids() == ["tariff-brief-en", "trade-brief-en", "trade-brief-ko"]
    memo, language = edition.memo("trade-brief-ko")
    assert (memo.id, language) == ("trade-brief", "ko")
    # Defaults from config.yaml.
    assert (memo.marking, memo.author, memo.edition_date) == (
        "For official use",
        "Policy Memo Unit",
        dt.date(2025, 9, 15),
    )
    assert memo.audience_label == "Officials"
    assert memo.line == line_of(MEMOS, "  - id: trade-brief")


def test_an_unknown_output_id_names_the_known_ones(project) -> None:
    with pytest.raises(KeyError) as err:
        load_edition(project).memo("trade-brief-fr")
    assert "no memo 'trade-brief-fr' in config/memos.yaml" in str(err.value)
    assert "tariff-brief-en, trade-brief-en, trade-brief-ko" in str(err.value)


def test_topics(project) -> None:
    edition = load_edition(project)
    (topic,) = edition.topics
    assert topic.id == "us-india"
    assert topic.entities == frozenset({"USA", "IND", "BRA", "PAK", "RUS", "WLD"})
    assert topic.line == line_of(MEMOS, "  us-india:")
    assert all(m.topic is topic for m in edition.memos)


def test_a_topics_periods_bound_it(make_project) -> None:
    memos = MEMOS.replace(
        "    entities: [USA, IND, BRA, PAK, RUS, WLD]\n",
        "    entities: [USA, IND, BRA, PAK, RUS, WLD]\n    periods: {from: '2020', to: 2025-06}\n",
    )
    (topic,) = load_edition(make_project(memos=memos)).topics
    assert (topic.start, topic.end) == ("2020", "2025-06")
    assert not topic.covers("IND", "", "2025")


def test_a_topic_period_that_is_not_iso_at_its_line(problems) -> None:
    memos = MEMOS.replace(
        "    entities: [USA, IND, BRA, PAK, RUS, WLD]\n",
        "    entities: [USA, IND, BRA, PAK, RUS, WLD]\n    periods:\n      from: 2025-13\n",
    )
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '      from:')}: topics.us-india.periods.from: "
        f'"2025-13" is not a real month {PERIODS}'
    ]


def test_charts_and_the_indicators_they_draw(project) -> None:
    edition = load_edition(project)
    tariffs, oil = edition.charts
    assert (tariffs.id, tariffs.kind, tariffs.line) == (
        "tariffs",
        "ranked_bars",
        line_of(MEMOS, "  tariffs:"),
    )
    assert tariffs.params == {"indicator": "us_tariff_rate_pct", "highlight": "IND"}
    assert tariffs.indicators == ("us_tariff_rate_pct",)
    assert oil.indicators == ("crude_import_share_pct",)
    assert tariffs.alt == "Bar chart of US tariff rates: {listing}."
    assert [c.id for c in edition.memos[0].chart_specs] == ["tariffs"]


def test_a_chart_naming_an_unknown_indicator(problems) -> None:
    memos = MEMOS.replace("    indicator: us_tariff_rate_pct\n", "    indicator: us_tarif_rate\n")
    (found,) = problems(memos=memos)
    assert found.startswith(
        f"config/memos.yaml:{line_of(memos, '    indicator: us_tarif_rate')}: "
        'charts.tariffs.indicator: unknown indicator "us_tarif_rate" '
        "(did you mean us_tariff_rate_pct"
    )


def test_a_memo_naming_an_unknown_topic(problems) -> None:
    memos = MEMOS.replace("    topic: us-india\n", "    topic: us-indai\n", 1)
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '    topic: us-indai')}: memos[0].topic: "
        'unknown topic "us-indai" (did you mean us-india?)'
    ]


def test_a_memo_naming_no_topic_when_topics_are_declared(problems) -> None:
    memos = MEMOS.replace("    topic: us-india\n", "", 1)
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '  - id: tariff-brief')}: memos[0].id: "
        "memo names no topic (known topics: us-india)"
    ]


def test_a_memo_naming_an_unknown_chart(problems) -> None:
    memos = MEMOS.replace("    charts: [tariffs]\n", "    charts: [tarifs]\n")
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '    charts: [tarifs]')}: memos[0].charts[0]: "
        'unknown chart "tarifs" (did you mean tariffs?)'
    ]


def test_a_key_figure_naming_an_unknown_indicator(problems) -> None:
    memos = MEMOS.replace("{indicator: us_tariff_rank,", "{indicator: us_tarif_rank,")
    (found,) = problems(memos=memos)
    assert found.startswith(
        f"config/memos.yaml:{line_of(memos, '      - {indicator: us_tarif_rank')}: "
        'memos[0].key_figures[1].indicator: unknown indicator "us_tarif_rank" (did you mean '
    )


def test_unknown_audience_missing_template_reversed_pages_and_impossible_date(problems) -> None:
    memos = (
        MEMOS.replace("audience: officials\n    title: \"Tariffs", "audience: ministers\n    title: \"Tariffs")
        .replace("template: tariff_brief.html.j2", "template: tarif_brief.html.j2")
        .replace("    pages: [1, 2]\n  - id: trade", "    pages: [3, 1]\n    edition_date: \"2025-02-30\"\n  - id: trade")
    )  # fmt: skip
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '    audience: ministers')}: memos[0].audience: "
        'unknown audience "ministers" (known: officials)',
        f"config/memos.yaml:{line_of(memos, '    template: tarif')}: memos[0].template: "
        'template "tarif_brief.html.j2" does not exist (templates/: base.html.j2, '
        "changes.html.j2, index.html.j2, tariff_brief.html.j2, trade_brief.html.j2)",
        f"config/memos.yaml:{line_of(memos, '    pages: [3, 1]')}: memos[0].pages: "
        "min 3 is above max 1 (write [min, max])",
        f"config/memos.yaml:{line_of(memos, '    edition_date:')}: memos[0].edition_date: "
        '"2025-02-30" is not a real date (write YYYY-MM-DD)',
    ]


def test_a_duplicate_memo_id(problems) -> None:
    memos = MEMOS.replace("  - id: trade-brief", "  - id: tariff-brief")
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '  - id: tariff-brief', after='  - id: tariff')}: "
        'memos[1].id: duplicate memo id "tariff-brief" (ids are unique)'
    ]


def test_schema_problems_come_first_at_their_lines(problems) -> None:
    memos = MEMOS.replace("    languages: [en]\n", "    languages: [en, fr]\n    colour: red\n")
    line = line_of(memos, "    languages: [en, fr]")
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line}: memos[0].languages[1]: 'fr' is not an allowed value "
        "(allowed: en, ko)",
        f"config/memos.yaml:{line + 1}: memos[0].colour: unknown key 'colour' (allowed: id, "
        "audience, title, subtitle, description, keywords, topic, template, languages, "
        "sections, key_figures, charts, pages, paper, marking, author, edition_date)",
    ]


def test_config_yaml_problems(problems) -> None:
    config = CONFIG.replace(
        "  max_age_days: 730\n", "  max_age_days: two years\n  warn_only: true\n"
    )
    line = line_of(config, "  max_age_days:")
    assert problems(config=config) == [
        f"config/config.yaml:{line}: freshness.max_age_days: expected integer, found string "
        "'two years' (Figures whose period ended more than this many days before the edition "
        "date are flagged.)",
        f"config/config.yaml:{line + 1}: freshness.warn_only: unknown key 'warn_only' "
        "(allowed: max_age_days)",
    ]


def test_an_impossible_edition_date(make_project) -> None:
    config = CONFIG.replace('  date: "2025-09-15"', '  date: "2025-02-30"')
    with pytest.raises(DataError) as raised:
        load_edition(make_project(config=config))
    assert [str(p) for p in raised.value.problems] == [
        f"config/config.yaml:{line_of(config, '  date:')}: edition.date: "
        '"2025-02-30" is not a real date (write YYYY-MM-DD)'
    ]


def test_no_topics_means_one_topic_covering_everything(make_project) -> None:
    memos = MEMOS.replace(
        "topics:\n  us-india:\n    entities: [USA, IND, BRA, PAK, RUS, WLD]\n", ""
    )
    memos = memos.replace("    topic: us-india\n", "")
    edition = load_edition(make_project(memos=memos))
    assert edition.topics == ()
    assert {m.topic.id for m in edition.memos} == {""}
    assert edition.memos[0].topic.covers("CHN", "", "1999")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)//", 'https://example.org/"><script>', "file:///etc", "//evil.example"],
)
def test_a_base_url_that_is_not_a_web_address_is_refused(problems, url: str) -> None:
    config = CONFIG + f"base_url: '{url}'\n"
    (found,) = problems(config=config)
    assert found.startswith(f"config/config.yaml:{line_of(config, 'base_url:')}: base_url: ")
    assert "An https:// or http:// address" in found


def test_a_web_address_is_the_base_url(make_project) -> None:
    root = make_project(config=CONFIG + "base_url: 'https://memos.example.org/2025/'\n")
    assert load_edition(root).base_url == "https://memos.example.org/2025/"


def test_paper_is_the_memos_else_its_audiences_else_a4(make_project) -> None:
    assert {m.paper for m in load_edition(make_project()).memos} == {"A4"}
    memos = MEMOS.replace("    label: Officials\n", "    label: Officials\n    paper: letter\n")
    memos = memos.replace(
        '    title: "US-India trade"\n', '    title: "US-India trade"\n    paper: A4\n'
    )
    papers = {m.id: m.paper for m in load_edition(make_project(memos=memos)).memos}
    assert papers == {"tariff-brief": "letter", "trade-brief": "A4"}


def test_a_paper_size_the_printer_does_not_know(problems) -> None:
    memos = MEMOS.replace("    label: Officials\n", "    label: Officials\n    paper: A5\n")
    assert problems(memos=memos) == [
        f"config/memos.yaml:{line_of(memos, '    paper: A5')}: audiences.officials.paper: "
        "'A5' is not an allowed value (allowed: A4, letter)"
    ]


def test_untranslated_messages_fail_an_edition_unless_marked(make_project, problems) -> None:
    assert load_edition(make_project()).translations_pending == "fail"
    marked = load_edition(make_project(config=CONFIG + "translations:\n  pending: mark\n"))
    assert marked.translations_pending == "mark"
    config = CONFIG + "translations:\n  pending: ignore\n"
    assert problems(config=config) == [
        f"config/config.yaml:{line_of(config, '  pending: ignore')}: translations.pending: "
        "'ignore' is not an allowed value (allowed: fail, mark)"
    ]


def test_how_many_editions_are_kept(make_project, problems) -> None:
    edition = load_edition(make_project())
    assert (edition.keep_editions, edition.keep_records) == (3, 52)
    root = make_project(config=CONFIG + "editions:\n  keep: 2\n  keep_records: 10\n")
    edition = load_edition(root)
    assert (edition.keep_editions, edition.keep_records) == (2, 10)
    config = CONFIG + "editions:\n  keep: 0\n  forever: true\n"
    found = problems(config=config)
    assert [p.split(": ")[1] for p in found] == ["editions.keep", "editions.forever"]
    assert found[0].startswith(f"config/config.yaml:{line_of(config, '  keep: 0')}: ")
