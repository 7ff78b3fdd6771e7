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
from unit.support import REPO, TARIFF_TEMPLATE, TRADE_TEMPLATE, derived, line_of, make_project


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
    # The line of the template the cause is on, as an editor shows it.
    changed = "no_such_indicator" if "no_such_indicator" in cause else "{{ bottom }}"
    (line,) = [i for i, text in enumerate(template.splitlines(), 1) if changed in text]
    assert (
        str(raised.value) == f"memo tariff-brief-en: templates/tariff_brief.html.j2:{line}: {cause}"
    )
    assert (raised.value.path, raised.value.line) == ("templates/tariff_brief.html.j2", line)


# ---- notes in reading order, charts where the text needs them ----------------------------------

# The tariff brief with its chart beside the prose that cites it, and a sentence whose arguments
# are asked for in another order than a reader meets them.
PLACED = TARIFF_TEMPLATE.replace(
    "{% endblock %}",
    """{% endblock %}
{% block escalation %}
<section>
  <p>{% trans figure=chart_ref("tariffs"), trade=fact("bilateral_trade_usd_bn", "USA", "IND", "2024"), rate=fact("us_tariff_rate_pct", "PAK") %}Pakistan pays {{ rate }} ({{ figure }}); trade is {{ trade }}.{% endtrans %}</p>
  {{ chart("tariffs", beside=true) }}
</section>
{% endblock %}""",
)


@pytest.fixture(scope="module")
def placed(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("placed") / "p"
    shutil.copytree(built, root, symlinks=True)
    (root / "templates/tariff_brief.html.j2").write_text(PLACED, encoding="utf-8")
    memos = root / "config/memos.yaml"
    memos.write_text(
        memos.read_text(encoding="utf-8").replace(
            "sections: [bottom_line, key_figures, charts]\n    key_figures:\n      - {indicator: us_tariff_rate_pct",
            "sections: [bottom_line, escalation, key_figures]\n    key_figures:\n      - {indicator: us_tariff_rate_pct",
        ),
        encoding="utf-8",
    )
    return root


def calls(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="noteref" href="#note-\d+"[^>]*>\[(\d+)\]', html)]


def test_notes_are_numbered_in_the_order_a_reader_meets_them(placed: Path) -> None:
    html = render(placed, "tariff-brief-en").html
    first_seen = list(dict.fromkeys(calls(html)))
    assert first_seen == list(range(1, len(first_seen) + 1))
    notes = re.findall(r'<li id="note-(\d+)">', html)
    assert notes == [str(i) for i in range(1, len(notes) + 1)]
    # "50% [1]" and never "50%1": a call is set apart from the figure before it.
    assert not re.search(r"\d<a class=\"noteref\"", html)
    assert re.search(r'50%</span>\u00a0<a class="noteref" href="#note-1"', html)


def test_a_chart_is_placed_where_the_template_says_and_referred_to_by_number(placed: Path) -> None:
    r = render(placed, "tariff-brief-en")
    text = visible(r.html)
    assert "Pakistan pays 19% (Figure 1); trade is $212.3 billion." in text
    assert 'href="#chart-tariffs">Figure 1</a>' in r.html
    # Beside the paragraph that refers to it, numbered, small; no charts section left.
    escalation = r.html.split("Pakistan pays", 1)[1].split("</section>", 1)[0]
    assert '<figure class="chart beside" id="chart-tariffs"' in escalation
    assert "Figure 1: US tariff rates by country" in escalation
    assert 'class="charts"' not in r.html and r.html.count("<figure") == 1


def test_charts_the_template_does_not_place_go_to_the_charts_section(built: Path) -> None:
    r = render(built, "tariff-brief-en")
    section = r.html.split('<section class="charts"', 1)[1].split("</section>", 1)[0]
    assert '<figure class="chart" id="chart-tariffs"' in section
    assert "Figure 1: US tariff rates by country" in section


@pytest.mark.parametrize(
    ("change", "where", "cause"),
    [
        (
            ('chart("tariffs", beside=true)', 'chart("oil")'),
            "templates/tariff_brief.html.j2:11",
            'chart "oil" is not among the charts of memo tariff-brief (config/memos.yaml: charts: [tariffs])',
        ),
        (
            ('{{ chart("tariffs", beside=true) }}', ""),
            "templates/tariff_brief.html.j2",
            "memo tariff-brief lists chart(s) tariffs but never shows them: place each with "
            '{{ chart("tariffs") }} in a section of templates/tariff_brief.html.j2, or add the '
            "section charts to its sections",
        ),
    ],
    ids=["not-listed", "never-placed"],
)
def test_a_chart_out_of_place_is_an_error_naming_it(
    placed: Path, tmp_path: Path, change: tuple[str, str], where: str, cause: str
) -> None:
    root = tmp_path / "p"
    shutil.copytree(placed, root, symlinks=True)
    template = root / "templates/tariff_brief.html.j2"
    template.write_text(PLACED.replace(*change), encoding="utf-8")
    with pytest.raises(MemoError) as raised:
        render(root, "tariff-brief-en")
    assert str(raised.value) == f"memo tariff-brief-en: {where}: {cause}"


# ---- a language edition is never silently mixed ------------------------------------------------


def test_a_changed_english_message_stops_the_korean_edition(built: Path, tmp_path: Path) -> None:
    from unit.support import line_of

    root = tmp_path / "p"
    shutil.copytree(built, root, symlinks=True)
    changed = TRADE_TEMPLATE.replace("imports {{ oil }}.", "imports {{ oil }}, and more.")
    (root / "templates/trade_brief.html.j2").write_text(changed, encoding="utf-8")
    render(root, "trade-brief-en")  # English is the source: nothing to translate
    with pytest.raises(MemoError) as raised:
        render(root, "trade-brief-ko")
    line = line_of(changed, '  <p id="bottom-line">')
    assert str(raised.value) == (
        "memo trade-brief-ko: 1 message without a confirmed Korean translation; update "
        "templates/locale/ko/LC_MESSAGES/memo.po (run `memo catalogue`, translate each, and remove "
        f"its fuzzy mark):\n  templates/trade_brief.html.j2:{line}: \"Trade grew %(fold)s; Russia's "
        "share of India's crude imports %(oil)s, and more.\""
    )


def test_translations_pending_mark_publishes_with_a_visible_notice(
    built: Path, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    shutil.copytree(built, root, symlinks=True)
    changed = TRADE_TEMPLATE.replace("imports {{ oil }}.", "imports {{ oil }}, and more.")
    (root / "templates/trade_brief.html.j2").write_text(changed, encoding="utf-8")
    config = root / "config/config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "translations:\n  pending: mark\n", encoding="utf-8"
    )
    r = render(root, "trade-brief-ko")
    assert r.meta["translations_pending"] == 1
    notice = re.search(r'<p class="translation-pending" role="note">(.*?)</p>', r.html)[1]
    assert notice == "번역 대기 중: 이 판의 일부 내용은 번역이 확정될 때까지 영어로 표시됩니다."
    assert "and more." in visible(r.html)
    assert 'class="translation-pending"' not in render(built, "trade-brief-ko").html


# ---- links, paper ------------------------------------------------------------------------------


def test_each_memo_links_to_its_pdf_the_index_and_its_other_editions(built: Path) -> None:
    def links(output_id: str) -> list[str]:
        nav = re.search(r'<nav class="links"[^>]*>(.*?)</nav>', render(built, output_id).html, re.S)
        return re.findall(r"<a (href=[^>]*)>", nav[1])

    assert links("trade-brief-en") == [
        'href="trade-brief-en.pdf"',
        'href="trade-brief-ko.html" hreflang="ko" lang="ko"',
        'href="index.html"',
    ]
    assert links("trade-brief-ko")[1] == 'href="trade-brief-en.html" hreflang="en" lang="en"'
    assert links("tariff-brief-en") == ['href="tariff-brief-en.pdf"', 'href="index.html"']
    assert "한국어</a>" in render(built, "trade-brief-en").html


def test_paper_is_a4_unless_the_memo_or_its_audience_says(built: Path, tmp_path: Path) -> None:
    assert "@page { size: A4;" in render(built, "tariff-brief-en").html
    root = tmp_path / "p"
    shutil.copytree(built, root, symlinks=True)
    memos = root / "config/memos.yaml"
    text = memos.read_text(encoding="utf-8")
    text = text.replace("    label: Officials\n", "    label: Officials\n    paper: letter\n")
    text = text.replace(
        '    title: "US-India trade"\n', '    title: "US-India trade"\n    paper: A4\n'
    )
    memos.write_text(text, encoding="utf-8")
    assert "@page { size: letter;" in render(root, "tariff-brief-en").html
    assert render(root, "tariff-brief-en").meta["paper"] == "letter"
    assert "@page { size: A4;" in render(root, "trade-brief-en").html


def test_wording_the_data_cannot_support_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    from unit.support import INDICATORS

    # Overlapping ranges: whether the share rose or fell is unknown, so the memo must not say.
    overlapping = INDICATORS.replace(
        "crude_import_share_pct,IND,RUS,2021,2,,,less_than,", "crude_import_share_pct,IND,RUS,2021,37,35,39,,"
    )  # fmt: skip
    root = make_project(tmp_path / "p", indicators=overlapping)
    line = line_of(TRADE_TEMPLATE, '  <p id="bottom-line">')
    # memo validate (and so rule derive) stops it first, at the template's line ...
    from memo.ingest.validate import validate

    assert any(
        str(p).startswith(
            f'templates/trade_brief.html.j2:{line}: say.change("crude_import_share_pct"'
        )
        and "cannot tell whether" in str(p)
        for p in validate(root)[1]
    )
    # ... and a render given such figures says why, at the line, without a traceback.
    from memo.derive.frame import observations_frame
    from memo.derive.run import derive_project
    from memo.derive.store import write_figures
    from memo.ingest.project import check_project

    project, problems = check_project(root)
    assert problems == []
    figures, _ = derive_project(project)
    stated = observations_frame(project.dataset.observations)
    write_figures(stated, figures, root / "build/derived/figures.csv")
    with pytest.raises(MemoError) as raised:
        render(root, "trade-brief-en")
    assert str(raised.value).startswith(
        f"memo trade-brief-en: templates/trade_brief.html.j2:{line}: cannot tell whether "
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


def test_a_template_that_does_not_parse_is_named_at_its_line(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(built, root, symlinks=True)
    template = root / "templates/tariff_brief.html.j2"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("{% block "))
    lines[number - 1] = lines[number - 1].rstrip("\n") + "{% if %}\n"
    template.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(MemoError) as raised:
        render(root, "tariff-brief-en")
    assert (raised.value.path, raised.value.line) == ("templates/tariff_brief.html.j2", number)
    assert str(raised.value).startswith(
        f"memo tariff-brief-en: templates/tariff_brief.html.j2:{number}: "
    )
