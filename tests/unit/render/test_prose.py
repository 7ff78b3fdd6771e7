"""memo.render.prose: a section in Markdown prints its figure calls inline, escapes its text,
translates each block as one message, and names the file and line of what fails."""

from __future__ import annotations

import pytest

from memo.render import prose
from memo.render.wording import Wording
from unit.support import DRAWN_HEADER, derived_book, load_dictionary_text, write

STATED = (
    DRAWN_HEADER
    + """
us_tariff_rate_pct,IND,,2025-08-06,50,,,,fn01
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,fn01
bilateral_trade_usd_bn,USA,IND,2000,20,,,about,fn09
bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,fn09
"""
)

SECTION = """\
## Trade & tariffs

The rate is {{ fact("us_tariff_rate_pct", "IND") }},
{{ say.standing("us_tariff_rank", "IND") }}. <b>Not bold</b>, *but emphasised*.

- Trade grew {{ say.fold("bilateral_trade_multiple", "USA", "IND") }}.
"""


def context(book):
    return {"fact": book.fact, "event": book.event, "name": book.name, "say": Wording(book)}


@pytest.fixture
def book(tmp_path):
    return derived_book(STATED, load_dictionary_text(tmp_path))


def render(tmp_path, text, book, gettext=lambda s: s):
    path = write(tmp_path / "templates/brief/outlook.md", text)
    return prose.render_section(
        path, "templates/brief/outlook.md", "outlook", gettext, context(book)
    )


def test_a_section_prints_figures_with_their_notes_and_escapes_its_text(tmp_path, book):
    html = render(tmp_path, SECTION, book)
    assert html.startswith('<section class="prose prose-outlook" aria-labelledby="outlook-h">')
    assert '<h2 id="outlook-h">Trade &amp; tariffs</h2>' in html
    assert (
        '<p>The rate is <span class="fig">50</span>\xa0<a class="noteref" href="#note-1" '
        'aria-label="Note 1">[1]</a>,\ntied with Brazil for the highest US tariff rate '
        'on any country\xa0<a class="noteref" href="#note-2" aria-label="Note 2">[2]</a>.' in html
    )
    assert "&lt;b&gt;Not bold&lt;/b&gt;, <em>but emphasised</em>." in html
    assert "<li>Trade grew more than tenfold" in html
    # Figures are recorded as a template's are, in reading order.
    assert [r["indicator"] for r in book.records][:2] == ["us_tariff_rate_pct", "us_tariff_rank"]


def test_each_block_is_one_message_with_its_calls_kept(tmp_path, book):
    assert [(b.text, b.line) for b in prose.blocks(SECTION)] == [
        ("Trade & tariffs", 1),
        (
            'The rate is {{ fact("us_tariff_rate_pct", "IND") }}, '
            '{{ say.standing("us_tariff_rank", "IND") }}. <b>Not bold</b>, *but emphasised*.',
            3,
        ),
        ('Trade grew {{ say.fold("bilateral_trade_multiple", "USA", "IND") }}.', 6),
    ]
    translated = {
        "Trade & tariffs": "무역과 관세",
        'Trade grew {{ say.fold("bilateral_trade_multiple", "USA", "IND") }}.': (
            '무역은 {{ say.fold("bilateral_trade_multiple", "USA", "IND") }} 늘었다.'
        ),
    }
    html = render(tmp_path, SECTION, book, lambda s: translated.get(s, s))
    assert '<h2 id="outlook-h">무역과 관세</h2>' in html
    assert "<li>무역은 more than tenfold" in html


def test_a_failing_call_names_the_file_and_its_line(tmp_path, book):
    text = 'First paragraph.\n\nSecond, with\n{{ fact("us_tariff_rate_pct", "PAK") }}.\n'
    with pytest.raises(prose.ProseError) as e:
        render(tmp_path, text, book)
    assert str(e.value).startswith(
        'templates/brief/outlook.md:4: {{ fact("us_tariff_rate_pct", "PAK") }}: no figure for'
    )


@pytest.mark.parametrize(
    "source",
    ["{{ book.notes }}", "{{ fact(indicator) }}", "{% if x %}a{% endif %}", '{{ fact("a" }}'],
)
def test_prose_takes_only_calls_with_constant_arguments(tmp_path, book, source):
    with pytest.raises(prose.ProseError) as e:
        render(tmp_path, f"Text\n\nMore {source} here.\n", book)
    assert e.value.line == 3 and e.value.path == "templates/brief/outlook.md"


def test_markdown_sections_are_found_by_memo_and_section(tmp_path):
    write(tmp_path / "templates/brief/outlook.md", "Text.\n")
    assert prose.markdown_sections(tmp_path / "templates", "brief", ("bottom_line", "outlook")) == {
        "outlook": tmp_path / "templates/brief/outlook.md"
    }


def test_the_catalogue_and_the_plan_read_markdown_sections(make_project):
    from memo.render.catalogue import required
    from memo.render.messages import extract
    from memo.workflow import digest, lookups

    root = make_project()
    text = 'Outlook\n\nTrade reached {{ fact("bilateral_trade_usd_bn", "USA", "IND", "2024") }}.\n'
    write(root / "templates/trade-brief/bottom_line.md", text)
    template = extract(root)
    msgid = 'Trade reached {{ fact("bilateral_trade_usd_bn", "USA", "IND", "2024") }}.'
    assert template[msgid].locations == [("templates/trade-brief/bottom_line.md", 3)]
    # trade-brief is built in Korean: its Markdown needs a translation.
    assert msgid in required(root, template, "ko")
    assert "templates/trade-brief/bottom_line.md" in lookups.template_inputs(
        str(root), "trade-brief-ko"
    )
    assert ("bilateral_trade_usd_bn", "USA", "IND") in digest.dependencies(
        str(root), "trade-brief-ko"
    )["lookups"]
