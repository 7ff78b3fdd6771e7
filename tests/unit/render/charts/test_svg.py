"""memo.render.charts.svg: the SVG pieces every chart kind draws with; text stays text, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from memo.render.charts.svg import bar, cite_all, frame, period_label, text
from unit.support import derived_book, korean, load_dictionary_text

ROWS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,unit,source
us_tariff_rate_pct,IND,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn16
"""


def test_the_frame_carries_the_alternative_text_and_the_title_escaped() -> None:
    svg = frame("c1", 'Rates & "ranks"', "India <50%>", 100, [text(1, 2, "a < b & c")])
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "India <50%>"
    assert root.find(f"{ns}desc").text == 'Rates & "ranks"'
    assert root.find(f"{ns}text").text == "a < b & c"
    assert (root.get("viewBox"), root.get("aria-labelledby")) == ("0 0 520 100", "c1-t")


def test_a_bar_too_small_to_see_keeps_a_sliver() -> None:
    assert 'width="0.5"' in bar(0, 0, 0.01, 10, "#000")
    assert 'width="12.3"' in bar(0, 0, 12.34, 10, "#000")


def test_cite_all_records_every_figure_and_lists_each_note_once(tmp_path) -> None:
    book = derived_book(ROWS, load_dictionary_text(tmp_path))
    rows = book.series("us_tariff_rate_pct")
    markers = cite_all(book, rows)
    assert markers.count('class="noteref"') == 2  # fn15 once, fn16 once
    assert [r["context"] for r in book.records] == ["chart"] * 3


def test_period_labels_in_the_memos_language(tmp_path) -> None:
    dictionary = load_dictionary_text(tmp_path)
    english = derived_book(ROWS, dictionary)
    ko = derived_book(ROWS, dictionary, language="ko", gettext=korean())
    pakistan = english.find("us_tariff_rate_pct", "PAK")
    assert period_label(english, pakistan) == "July 2025"
    assert period_label(ko, pakistan) == "2025년 7월"


def test_text_width_gives_wide_characters_a_full_em() -> None:
    from memo.render.charts.svg import text_width

    assert text_width("인도") == 24
    assert text_width("India") == pytest.approx(5 * 0.62 * 12)
    assert text_width("India", size=10) < text_width("India")
