"""memo.render.facts: a memo's figures looked up, printed in its language, cited by numbered notes
and recorded; old figures flagged; the colophon says how recent the figures are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from memo.core.records import Dataset, Event, Source
from memo.render.facts import FactBook, MissingFigure
from unit.support import DICTIONARY, EDITION, derived_book, korean, load_dictionary_text

TARGETS = (
    DICTIONARY
    + """\
  tariff_target_pct:
    label: Tariff target
    unit: percent
    description: A rate announced for later.
    forecast: true
"""
)

ROWS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,unit,source
us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn15
us_tariff_rate_pct,IND,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn15
bilateral_trade_usd_bn,USA,IND,2000,20,,,about,usd_bn,fn09
bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09
crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article
crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article
"""


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory: pytest.TempPathFactory):
    return load_dictionary_text(tmp_path_factory.mktemp("facts"), TARGETS)


@pytest.fixture
def book(dictionary) -> FactBook:
    return derived_book(ROWS, dictionary)


# ---- lookup and printing ---------------------------------------------------------------------


def test_a_figure_is_printed_with_its_note_marker_and_recorded(book) -> None:
    html = book.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")
    # The call is bracketed, on the line, after a no-break space: never read as an exponent.
    assert html == (
        '<span class="fig">$212.3 billion</span>\u00a0<a class="noteref" href="#note-1" '
        'aria-label="Note 1">[1]</a>'
    )
    (record,) = book.records
    assert record["text"] == "$212.3 billion"
    assert record["row"] == "data/indicators.csv:7"
    assert (record["sources"], record["note"], record["context"]) == (["fn09"], 1, "text")


def test_without_a_period_the_latest_figure_is_shown(book) -> None:
    assert "50%" in book.fact("us_tariff_rate_pct", "IND")
    with pytest.raises(MissingFigure, match="ambiguous"):
        book.fact("us_tariff_rate_pct")  # India and Brazil share the latest date
    with pytest.raises(MissingFigure, match='"no_such_indicator"'):
        book.fact("no_such_indicator", "IND")


def test_a_fact_without_citation_has_no_marker(book) -> None:
    assert book.fact("us_tariff_rate_pct", "PAK", cite=False) == '<span class="fig">19%</span>'


def test_ranks_read_as_ordinals_where_asked(book, dictionary) -> None:
    rank = book.find("us_tariff_rank", "PAK")
    assert book.text(rank) == "3"
    assert book.text(rank, ordinal=True) == "3rd"
    korean_book = derived_book(ROWS, dictionary, language="ko", gettext=korean())
    assert korean_book.text(korean_book.find("us_tariff_rank", "PAK"), ordinal=True) == "3위"


# ---- notes -------------------------------------------------------------------------------------


def test_figures_from_one_source_share_its_note(book) -> None:
    book.fact("us_tariff_rate_pct", "IND", period="2025-08-06")
    book.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")
    again = book.fact("us_tariff_rate_pct", "PAK")
    assert 'href="#note-1"' in again, "the same source reuses note 1"
    assert [(n.number, n.source_id) for n in book.notes] == [(1, "fn15"), (2, "fn09")]


def test_a_derived_figures_note_cites_the_notes_of_its_inputs(book) -> None:
    book.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")  # note 1: fn09
    book.fact("us_tariff_rate_pct", "IND")  # note 2: fn15
    multiple = book.fact("bilateral_trade_multiple", "USA", "IND")
    note = book.notes[-1]
    assert (note.number, note.derived.indicator) == (3, "bilateral_trade_multiple")
    assert 'href="#note-3"' in multiple and "about 10.6 times" in multiple
    assert note.input_notes == (("about $20 billion", 1), ("$212.3 billion", 1))
    assert book.note_html(note) == (
        "Growth of bilateral trade: about 10.6 times. Trade in the latest year divided by trade in the "
        "first year. Computed from about $20 billion (note 1); $212.3 billion (note 1)."
    )
    assert 'href="#note-3"' in book.fact("bilateral_trade_multiple", "USA", "IND")
    assert len(book.notes) == 3


def test_notes_are_renumbered_in_the_order_a_reader_meets_their_calls(book) -> None:
    # Cited in one order (a trans block's arguments, a table drawn first) ...
    first = book.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")  # fn09: note 1
    book.fact("us_tariff_rate_pct", "IND")  # fn15: note 2
    derived = book.fact("bilateral_trade_multiple", "USA", "IND")  # note 3, citing note 1
    # ... printed in another: the tariff, then the derived figure, then the trade figure.
    html = f"<p>{book.fact('us_tariff_rate_pct', 'IND')} and {derived}.</p><p>{first}</p>"
    order = book.reading_order(html)
    assert order == {
        ("source", "fn15"): 1,
        ("derived", book.notes[2].derived.key): 2,
        ("source", "fn09"): 3,
    }
    book.restart(order)
    assert book.notes == [] and book.records == []
    again = book.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")
    assert 'href="#note-3"' in again and ">[3]<" in again
    assert 'href="#note-2"' in book.fact("bilateral_trade_multiple", "USA", "IND")
    assert 'href="#note-1"' in book.fact("us_tariff_rate_pct", "IND")
    assert [n.number for n in book.notes] == [1, 2, 3]
    assert book.notes[1].input_notes == (("about $20 billion", 3), ("$212.3 billion", 3))
    assert [r["note"] for r in book.records] == [3, 2, 1]


def test_a_note_reached_only_from_a_derivation_note_comes_after_it(book) -> None:
    derived = book.fact("bilateral_trade_multiple", "USA", "IND")  # note 2, citing fn09 (note 1)
    tariff = book.fact("us_tariff_rate_pct", "IND")  # note 3
    order = book.reading_order(f"<p>{tariff} {derived}</p>")
    assert list(order.values()) == [1, 2, 3]
    assert [k[0] for k in order] == ["source", "derived", "source"]
    assert list(order)[2] == ("source", "fn09")


def test_a_call_inside_a_word_moves_to_its_end() -> None:
    call = '\u00a0<a class="noteref" href="#note-1" aria-label="주석 1">[1]</a>'
    assert FactBook.calls_after_words(f"<p>50%{call}를 넘었다</p>") == f"<p>50%를{call} 넘었다</p>"
    # A call before a space, a sign or a figure stays where it is.
    for after in (" 넘었다", ", and", "; 25", ")"):
        assert FactBook.calls_after_words(f"50%{call}{after}") == f"50%{call}{after}"


def test_a_source_note_is_a_full_citation(book) -> None:
    book.fact("us_tariff_rate_pct", "IND")
    assert book.note_html(book.notes[0]) == (
        '<cite lang="en">Title fn15</cite>, <span lang="en">Publisher</span>, 6 August 2025, '
        '<a class="url" href="https://example.org/fn15">https://example.org/fn15</a>.'
    )


def test_citations_are_escaped(dictionary) -> None:
    evil = Source("fn15", "", "<b>Ann</b>", 'A "title" <script>', "P & Q", "2025", "")
    book = derived_book(ROWS, dictionary, sources={"fn15": evil, "fn09": evil, "article": evil})
    html = book.source_html("fn15")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "P &amp; Q" in html


# ---- old figures and the colophon --------------------------------------------------------------


def test_a_series_without_recent_figures_is_flagged(dictionary) -> None:
    old = ROWS + "bilateral_trade_usd_bn,IND,PAK,2022,2.5,,,,usd_bn,fn09\n"
    book = derived_book(old, dictionary)
    html = book.fact("bilateral_trade_usd_bn", "IND", "PAK")
    assert '<span class="stale" title="Older than the age limit for figures">†</span>' in html
    assert [o.ref for o in book.stale] == ["data/indicators.csv:10"]
    assert book.colophon() == (
        "Figures in this memo run to 2022. Figures marked † are more than 730 days older than "
        "the edition date; check for newer data."
    )


def test_an_old_base_year_of_a_recent_series_is_not_flagged(book) -> None:
    html = book.fact("bilateral_trade_usd_bn", "USA", "IND", "2000")  # 2024 is in the series
    assert "†" not in html and book.stale == []
    assert book.colophon() == "Figures in this memo run to 2000."


def test_the_age_limit_is_counted_from_the_edition_date(dictionary) -> None:
    # 2024 ends on 31 December 2024: 258 days before 15 September 2025.
    for days, stale in ((258, False), (257, True)):
        book = derived_book(ROWS, dictionary, max_age_days=days)
        assert book.is_stale(book.find("bilateral_trade_usd_bn", "USA", "IND", "2024")) is stale


def test_targets_and_forecasts_do_not_date_the_memo(dictionary) -> None:
    rows = ROWS + "tariff_target_pct,IND,,2026-01,20,,,,percent,fn15\n"
    book = derived_book(rows, dictionary)
    book.fact("tariff_target_pct", "IND")
    book.fact("us_tariff_rate_pct", "IND")
    assert book.colophon() == "Figures in this memo run to 6 August 2025."


def test_no_figure_no_colophon(book) -> None:
    assert book.colophon() == ""


# ---- names, labels and events --------------------------------------------------------------------


def test_names_in_the_memos_language(book, dictionary) -> None:
    assert book.name("IND") == "India" and book.name("XXX") == "XXX"
    korean_book = derived_book(ROWS, dictionary, language="ko", gettext=korean())
    assert korean_book.name("IND") == "인도"  # countries are named by Babel
    assert korean_book.name("WLD") == "세계"  # the rest through the catalogue
    assert book.label("us_tariff_rate_pct") == "US tariff rate"


def test_events_print_their_date_cited(book) -> None:
    event = Event("tariff_order", "2025-08-06", "Executive order", "fn15")
    dataset = dataclasses.replace(book.dataset, events={"tariff_order": event})
    book = dataclasses.replace(book, dataset=dataset)
    assert book.event("tariff_order") == (
        '<time datetime="2025-08-06">6 August 2025</time>\u00a0<a class="noteref" href="#note-1" '
        'aria-label="Note 1">[1]</a>'
    )
    assert book.event_title("tariff_order") == "Executive order"
    assert book.events_used == ["tariff_order"]
    with pytest.raises(MissingFigure, match='no event "summit" in data/events.csv'):
        book.event("summit")


def test_a_book_over_reference_data_only(tmp_path: Path) -> None:
    dictionary = load_dictionary_text(tmp_path)
    book = FactBook(Dataset(dictionary, (), {}, {}), "en", lambda s: s, EDITION, 730)
    with pytest.raises(MissingFigure):
        book.fact("us_tariff_rate_pct", "IND")
