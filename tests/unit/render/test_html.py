"""memo.render.html: one small memo rendered to HTML in-process; errors name the memo, the template
and the cause; the project's templates print words, never figures."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2 import nodes

from memo.render.html import MemoError, bottom_line, css_string, page_of_css, render_html
from memo.render.job import prepare
from unit.support import REPO, TARIFF_TEMPLATE, TRADE_TEMPLATE, derived, make_project


def render(root: Path, output_id: str):
    prepared = prepare(root, pdf=False)
    memo, language = prepared.edition.memo(output_id)
    book = prepared.book(memo, language, root / "templates")
    return render_html(root, prepared.env, book, prepared.edition, memo)


def visible(markup: str) -> str:
    body = markup.split("<body", 1)[1]
    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'\u00a0<a class="noteref"[^>]*>\[\d+\]</a>', "", body)  # note calls
    body = re.sub(r"</?(span|a|time|cite)\b[^>]*>", "", body)  # inline: no space
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return derived(make_project(tmp_path_factory.mktemp("html") / "p"))


def test_a_memo_renders_its_bottom_line_key_figures_chart_and_notes(built: Path) -> None:
    r = render(built, "tariff-brief-en")
    text = visible(r.html)
    assert (
        "The United States charges 50% on Indian goods, tied with Brazil for the highest US "
        "tariff rate on any country." in text
    )
    # Key figures: the rank reads as an ordinal in a table.
    assert "US tariff rate India 50%" in text
    assert "Rank by US tariff rate India 1st" in text
    assert r.html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
    assert 'id="chart-tariffs"' in r.html
    assert '<li id="note-1">' in r.html and '<li id="note-2">' in r.html
    assert "Figures in this memo run to 6 August 2025." in text
    assert r.html.startswith("<!DOCTYPE html>") and '<html lang="en">' in r.html


def test_the_metadata_of_a_memo(built: Path) -> None:
    r = render(built, "tariff-brief-en")
    assert r.meta["id"] == "tariff-brief-en" and r.meta["memo"] == "tariff-brief"
    assert r.meta["bottom_line"] == (
        "The United States charges 50% on Indian goods, tied with Brazil for the highest US "
        "tariff rate on any country."
    )
    assert (r.meta["pages_target"], r.meta["stale_figures"]) == ([1, 2], 0)
    assert r.meta["templates"] == ["base.html.j2", "tariff_brief.html.j2"]
    assert (r.meta["edition_date"], r.meta["edition_date_text"]) == (
        "2025-09-15",
        "15 September 2025",
    )


def test_a_korean_edition(built: Path) -> None:
    r = render(built, "trade-brief-ko")
    assert '<html lang="ko">' in r.html
    text = visible(r.html)
    assert "10배 이상" in text  # the fold, in Korean
    assert "2021년 2% 미만에서 2025년 36~40% 수준으로 높아졌다" in text
    assert "2025년 9월 15일" in text


@pytest.mark.parametrize(
    ("template", "cause"),
    [
        (
            TARIFF_TEMPLATE.replace('fact("us_tariff_rate_pct", "IND", period="2025-08-06")', 'fact("no_such_indicator", "IND")'),
            'no figure for indicator "no_such_indicator" (entity=IND)',
        ),
        (TARIFF_TEMPLATE.replace("{{ _(\"Bottom line\") }}", "{{ bottom }}"), "'bottom' is undefined"),
    ],
    ids=["missing-figure", "undefined-name"],
)  # fmt: skip
def test_a_broken_template_names_the_memo_the_template_and_the_cause(
    built: Path, tmp_path: Path, template: str, cause: str
) -> None:
    root = tmp_path / "p"
    shutil.copytree(built, root)
    (root / "templates/tariff_brief.html.j2").write_text(template, encoding="utf-8")
    with pytest.raises(MemoError) as raised:
        render(root, "tariff-brief-en")
    assert (
        str(raised.value)
        == f"memo tariff-brief-en: template templates/tariff_brief.html.j2: {cause}"
    )


def test_wording_the_data_cannot_support_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    from unit.support import INDICATORS

    # Overlapping ranges: whether the share rose or fell is unknown, so the memo must not say.
    overlapping = INDICATORS.replace(
        "crude_import_share_pct,IND,RUS,2021,2,,,less_than,", "crude_import_share_pct,IND,RUS,2021,37,35,39,,"
    )  # fmt: skip
    root = derived(make_project(tmp_path / "p", indicators=overlapping))
    with pytest.raises(MemoError) as raised:
        render(root, "trade-brief-en")
    assert str(raised.value).startswith(
        "memo trade-brief-en: template templates/trade_brief.html.j2: cannot tell whether "
        "35–39 -> 36–40 rose or fell"
    )


def test_css_strings_cannot_break_out_of_the_stylesheet() -> None:
    escaped = css_string('Tariffs "now"</style><script>')
    assert escaped == "Tariffs \\22 now\\22 \\3c \\2f style\\3e \\3c script\\3e "
    assert "<" not in escaped and '"' not in escaped
    assert css_string("관세") == "\\ad00 \\c138 "
    assert page_of_css("Page {page} of {pages}") == '"Page " counter(page) " of " counter(pages)'
    assert page_of_css("{page} / {pages}쪽") == 'counter(page) " \\2f  " counter(pages) "\\cabd "'


def test_bottom_line_is_plain_text_without_note_calls() -> None:
    html = (
        '<p id="bottom-line">It is <span class="fig">50%</span>\u00a0<a class="noteref" '
        'href="#note-1" aria-label="Note 1">[1]</a> &amp; more.</p>'
    )
    assert bottom_line(html) == "It is 50% & more."
    assert bottom_line("<p>No bottom line</p>") == ""


# ---- the project's templates -------------------------------------------------------------------

TEMPLATES = sorted((REPO / "templates").glob("*.j2"))
_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_GETTEXT = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""", re.S)


def template_numerals(source: str) -> list[str]:
    """Digits a reader would see in a template's own text (not in expressions, tags or styles).

    The text is what is left once <style> elements, Jinja comments, expressions and statements and
    tags are taken out, plus the messages translated inside expressions (``{{ _("...") }}``).
    """
    text = _COMMENT.sub(" ", _STYLE.sub(" ", source))
    messages = [a or b for expr in _EXPR.findall(text) for a, b in _GETTEXT.findall(expr)]
    text = _TAG.sub(" ", _EXPR.sub(" ", text))
    lines = [*htmllib.unescape(text).splitlines(), *messages]
    return [line.strip() for line in lines if re.search(r"\d", line)]


NUMERALS = {
    "text": "<p>The tariff is 50% now.</p>",
    "trans block": '{% trans rate=fact("x", "IND") %}Up from 25% to {{ rate }}{% endtrans %}',
    "gettext message": '<h2>{{ _("Trade grew tenfold since 2000") }}</h2>',
    "single-quoted message": "<p>{{ _('Since 2000') }}</p>",
    "table cell": '<td class="num">3,488 km</td>',
    "entity-encoded": "<p>&#51;&#48; percent</p>",
}
NO_NUMERALS = {
    "expression": '<p>{{ fact("x", "IND", period="2025-08-06") }}</p>',
    "statement": "{% for i in range(3) %}{{ i }}{% endfor %}",
    "comment": "{# checked against the 2025 article #}",
    "tag and attributes": '<h2 id="s2" aria-labelledby="h2">Bottom line</h2>',
    "style": "<style>@page { margin: 20mm; } h1 { font-size: 19pt; }</style>",
    "message without numerals": '<h2>{{ _("Key figures") }}</h2>',
}


@pytest.mark.parametrize("name", list(NUMERALS))
def test_the_checker_finds_numerals_typed_into_a_template(name: str) -> None:
    assert template_numerals(NUMERALS[name]), f"{name}: numeral not caught"


@pytest.mark.parametrize("name", list(NO_NUMERALS))
def test_the_checker_leaves_expressions_tags_and_styles_alone(name: str) -> None:
    assert template_numerals(NO_NUMERALS[name]) == []


def test_there_are_templates_to_check() -> None:
    assert {"base.html.j2", "index.html.j2"} <= {p.name for p in TEMPLATES}
    memos = yaml.safe_load((REPO / "config/memos.yaml").read_text(encoding="utf-8"))["memos"]
    assert {m["template"] for m in memos} <= {p.name for p in TEMPLATES}


@pytest.mark.parametrize("path", [*TEMPLATES, "tariff_brief", "trade_brief"], ids=str)
def test_templates_hold_no_numerals_in_their_text(path) -> None:
    source = {"tariff_brief": TARIFF_TEMPLATE, "trade_brief": TRADE_TEMPLATE}.get(path)
    source = source or path.read_text(encoding="utf-8")
    assert template_numerals(source) == []


def _lookups(path: Path):
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    for call in env.parse(path.read_text(encoding="utf-8")).find_all(nodes.Call):
        f = call.node
        name = f.name if isinstance(f, nodes.Name) else getattr(f, "attr", None)
        if call.args and isinstance(call.args[0], nodes.Const):
            if name in ("fact", "fold", "change", "standing"):
                yield "indicator", call.args[0].value
            elif name in ("event", "event_title"):
                yield "event", call.args[0].value


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_ask_only_for_indicators_and_events_the_data_define(path: Path) -> None:
    """A misspelt indicator or event id is caught here, before any build."""
    dictionary = yaml.safe_load((REPO / "data/dictionary.yaml").read_text(encoding="utf-8"))
    events = {
        line.split(",", 1)[0]
        for line in (REPO / "data/events.csv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    }
    known = {"indicator": set(dictionary["indicators"]), "event": events}
    assert [(kind, name) for kind, name in _lookups(path) if name not in known[kind]] == []
