"""memo.workflow.lookups: the figures a memo's templates and Markdown sections look up, found
without rendering: constant lookups, whole series read by a helper, and the other string constants
(through the templates a template extends, includes or imports); each template parsed once while
templates/ is as it was; and the files rule render declares as a memo's inputs."""

from __future__ import annotations

from pathlib import Path

from memo.workflow import lookups
from unit.support import make_project, write

PARENT = """\
<html><body>{% block body %}{% endblock %}
<p>{{ _("Parent note") }} {{ fact("parent_figure", "USA") }}</p></body></html>
"""

CHILD = """\
{% extends "parent.html.j2" %}
{% block body %}
{{ fact("rate", "IND", period="2025") }}
{{ fact("gap", entity, "USA") }}
{{ say.standing("rank", "IND") }}
{{ say.fold(counterpart="CHN", indicator_id=x) }}
{{ other("not_a_lookup") }}
{{ "event_id" }}
{% endblock %}
"""


def test_a_templates_lookups_series_and_constants_include_those_it_extends(tmp_path: Path) -> None:
    write(tmp_path / "templates/parent.html.j2", PARENT)
    write(tmp_path / "templates/child.html.j2", CHILD)
    constants, found, series = lookups.template_names(str(tmp_path), "child.html.j2")
    assert found == {
        ("rate", "IND", ""),  # no counterpart: the rows without one
        ("gap", None, "USA"),  # an entity that is not a constant matches any
        ("rank", "IND", ""),
        ("parent_figure", "USA", ""),
    }
    assert series == {"rank"}  # say.standing ranks every row of its indicator
    # Strings that may name an indicator, an event or an entity; not the indicator a lookup names.
    assert {"not_a_lookup", "event_id", "IND", "USA", "Parent note", "2025"} <= constants
    assert not {"rate", "gap", "rank", "parent_figure"} & constants


def test_a_template_that_does_not_parse_or_is_missing_names_nothing(tmp_path: Path) -> None:
    write(tmp_path / "templates/broken.html.j2", '{{ fact("rate", "IND" }}\n')
    assert lookups.template_names(str(tmp_path), "broken.html.j2") == (set(), set(), set())
    assert lookups.template_names(str(tmp_path), "absent.html.j2") == (set(), set(), set())


def test_a_template_is_parsed_again_once_templates_change(tmp_path: Path) -> None:
    template = write(tmp_path / "templates/memo.html.j2", '{{ fact("first", "IND") }}\n')
    assert lookups.template_names(str(tmp_path), "memo.html.j2")[1] == {("first", "IND", "")}
    hits = lookups._parse_template_names.cache_info().hits
    lookups.template_names(str(tmp_path), "memo.html.j2")
    assert lookups._parse_template_names.cache_info().hits == hits + 1
    template.write_text('{{ fact("second_figure", "IND") }}\n', encoding="utf-8")
    assert lookups.template_names(str(tmp_path), "memo.html.j2")[1] == {
        ("second_figure", "IND", "")
    }


def test_markdown_sections_calls_are_read_and_a_bad_call_is_skipped(tmp_path: Path) -> None:
    write(
        tmp_path / "templates/brief/outlook.md",
        'Trade {{ fact("trade", "USA", counterpart="IND") }}, {{ say.change("share", "IND") }}.\n'
        'Broken {{ fact( }} and {{ say.fold(x) }}; see {{ fact("rate", "IND", note="event_id") }}.\n',
    )
    memo = {"id": "brief", "sections": ["outlook", "bottom_line"]}  # bottom_line: a template block
    constants, found, series = lookups.markdown_names(str(tmp_path), memo)
    assert found == {("trade", "USA", "IND"), ("share", "IND", ""), ("rate", "IND", "")}
    assert series == {"share"}
    assert constants == {"USA", "IND", "event_id"}
    assert lookups.markdown_names(str(tmp_path), {"id": "other", "sections": ["outlook"]}) == (
        set(),
        set(),
        set(),
    )


def test_a_memos_inputs_are_the_templates_it_reaches_the_shared_ones_fonts_and_catalogue(
    tmp_path: Path,
) -> None:
    base = make_project(tmp_path / "p")
    shared = [f"templates/{f}" for f in ("base.html.j2", "memo.css", "screen.css", "print.css")]
    shared += sorted(f"assets/fonts/{p.name}" for p in (base / "assets/fonts").glob("*.ttf"))
    assert "assets/fonts/NanumGothic.ttf" in shared
    assert lookups.template_inputs(str(base), "tariff-brief-en") == [
        "templates/tariff_brief.html.j2",
        *shared,
    ]
    assert lookups.template_inputs(str(base), "trade-brief-ko") == [
        "templates/trade_brief.html.j2",
        *shared,
        "templates/locale/ko/LC_MESSAGES/memo.po",
    ]
    # A partial it includes, and the macros that partial imports: editing either renders the
    # memo again; its figures count for the memo's digest (memo.workflow.digest).
    write(base / "templates/_note.html.j2", '{% import "_macros.html.j2" as m %}{{ m.note() }}\n')
    write(
        base / "templates/_macros.html.j2",
        '{% macro note() %}{{ fact("oil", "IND") }}{% endmacro %}\n',
    )
    write(base / "templates/_unused.html.j2", "<p>Not used.</p>\n")
    template = base / "templates/tariff_brief.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "{% endblock %}", '{% include "_note.html.j2" %}{% endblock %}', 1
        ),
        encoding="utf-8",
    )
    reached = ["tariff_brief.html.j2", "base.html.j2", "_note.html.j2", "_macros.html.j2"]
    assert lookups.templates_reached(str(base), "tariff_brief.html.j2") == reached
    assert lookups.template_inputs(str(base), "tariff-brief-en")[:5] == [
        *(f"templates/{name}" for name in reached),
        "templates/memo.css",
    ]
    assert ("oil", "IND", "") in lookups.template_names(str(base), "tariff_brief.html.j2")[1]
    # A template named by a variable could be any: every template counts.
    write(base / "templates/_note.html.j2", "{% include note_template %}\n")
    assert "_unused.html.j2" in lookups.templates_reached(str(base), "tariff_brief.html.j2")
