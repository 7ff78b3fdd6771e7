"""memo.render.charts: a declared chart's kind and parameters checked at its line in
config/memos.yaml, and each memo's charts checked against the figures of its topic."""

from __future__ import annotations

import pytest

from memo.ingest.edition import ChartSpec
from memo.ingest.project import check_project
from memo.render.charts import check, placed_in, spec_problems
from memo.render.charts.kinds import CHART_KINDS
from unit.support import INDICATORS, MEMOS, line_of


def problems(kind: str, title: str = "Title", **params) -> list[str]:
    return [str(p) for p in spec_problems(ChartSpec("tariffs", kind, params, title, line=12))]


def test_a_good_declaration_has_no_problem() -> None:
    assert problems("ranked_bars", indicator="x", highlight="IND", period="2025-08") == []
    assert problems("paired_periods", indicator="x", entity="IND", periods=["2021", "2025"]) == []


def test_an_unknown_kind_suggests_the_closest() -> None:
    assert problems("ranked_bar", indicator="x") == [
        "config/memos.yaml:12: charts.tariffs.kind: unknown chart kind 'ranked_bar' "
        "(did you mean ranked_bars or share_bar?)"
    ]


def test_parameters_are_checked() -> None:
    assert problems("paired_periods", indicator="x", highlite="IND", scale="logarithmic", periods="2021") == [
        "config/memos.yaml:12: charts.tariffs.highlite: 'highlite' is not a parameter of "
        "paired_periods (known ids: indicator, entity, counterpart, periods, scale)",
        "config/memos.yaml:12: charts.tariffs.scale: 'logarithmic' is not allowed here "
        "(allowed: linear, log)",
        "config/memos.yaml:12: charts.tariffs.periods: expected list, found '2021'",
        "config/memos.yaml:12: charts.tariffs.entity: chart kind paired_periods needs 'entity' "
        "(add entity:)",
    ]  # fmt: skip


def test_an_unknown_placeholder_in_the_words() -> None:
    assert problems("ranked_bars", title="Rates by {country}", indicator="x") == [
        "config/memos.yaml:12: charts.tariffs.title: unknown placeholder 'country' in title "
        "(use {listing}, {highlight}, {entity} or {counterpart})"
    ]


def test_every_kind_says_what_it_draws() -> None:
    assert set(CHART_KINDS) == {"ranked_bars", "paired_periods", "time_series", "share_bar"}
    assert all(kind.summary and "indicator" in kind.required for kind in CHART_KINDS.values())


def test_a_memo_whose_topic_has_too_few_figures_for_its_chart(make_project) -> None:
    root = make_project(indicators=INDICATORS.replace(
        "crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article,\n", ""
    ))  # fmt: skip
    project, found = check_project(root)
    assert found == []
    assert [str(p) for p in check(root, project)] == [
        f"config/memos.yaml:{line_of(MEMOS, '  oil:')}: charts.oil: memo trade-brief draws oil "
        "but its topic has 1 crude_import_share_pct figure(s) for it, and the chart needs 2 "
        "(add rows to data/indicators.csv or fix the chart's entity)"
    ]


def test_check_needs_a_project(project) -> None:
    assert check(project, None) == []
    loaded, _ = check_project(project)
    assert check(project, loaded) == []


@pytest.mark.parametrize("kind", sorted(CHART_KINDS))
def test_required_parameters_are_reported_missing(kind: str) -> None:
    found = problems(kind)
    assert any("needs 'indicator'" in p for p in found)


# ---- where each memo shows its charts ----------------------------------------------------------

PLACING = """\
{% extends "base.html.j2" %}
{% block bottom_line %}<p id="bottom-line">{{ chart_ref("oil") }} {{ chart("oil") }} {{ chart(name) }}</p>{% endblock %}
"""


def test_the_charts_a_template_places_are_read_from_its_calls(tmp_path) -> None:
    template = tmp_path / "t.html.j2"
    template.write_text(PLACING, encoding="utf-8")
    assert placed_in(template) == ("oil",)  # chart_ref does not place; a variable is not known


def test_validate_reports_charts_a_template_never_places_or_places_unlisted(make_project) -> None:
    memos = MEMOS.replace("sections: [bottom_line, key_figures, charts]\n    key_figures:\n      - {indicator: bilateral", "sections: [bottom_line, key_figures]\n    key_figures:\n      - {indicator: bilateral")  # fmt: skip
    assert memos != MEMOS
    root = make_project(memos=memos)
    project, found = check_project(root)
    assert found == []
    line = line_of(memos, "  - id: trade-brief")
    assert [str(p) for p in check(root, project)] == [
        f'config/memos.yaml:{line}: memos.trade-brief.charts: memo trade-brief lists chart "oil" '
        'but templates/trade_brief.html.j2 never places it (add {{ chart("oil") }} beside the '
        "text that discusses it, or the section charts to its sections)"
    ]
    (root / "templates/trade_brief.html.j2").write_text(
        PLACING.replace('chart("oil")', 'chart("tariffs")'), encoding="utf-8"
    )
    assert [str(p) for p in check(root, project)] == [
        f"config/memos.yaml:{line}: memos.trade-brief.charts: templates/trade_brief.html.j2 places "
        'chart "tariffs", which memo trade-brief does not list (add tariffs to its charts)',
        f'config/memos.yaml:{line}: memos.trade-brief.charts: memo trade-brief lists chart "oil" '
        'but templates/trade_brief.html.j2 never places it (add {{ chart("oil") }} beside the '
        "text that discusses it, or the section charts to its sections)",
    ]
