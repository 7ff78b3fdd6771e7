"""Ids compare in one normal form; control characters are named; messages never echo them raw."""

from __future__ import annotations

import pytest

from memo.core.problems import Problem, format_problems
from memo.core.text import control_character, normal, printable


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ＩＮＤ", "IND"),  # full-width letters, from an East Asian input method
        ("２０２５-08-06", "2025-08-06"),  # full-width digits
        ("IND\u00a0", "IND"),  # a no-break space a spreadsheet left behind
        ("  us_tariff_rate_pct\t", "us_tariff_rate_pct"),
        ("ﬁnance", "finance"),  # a ligature a PDF copy brings along
        ("관세율", "관세율"),  # Korean stays as written
    ],
)
def test_two_spellings_of_one_id_have_one_normal_form(typed: str, expected: str) -> None:
    assert normal(typed) == expected


@pytest.mark.parametrize(
    "text, found",
    [
        ("red\x1b[31m", "escape character (U+001B)"),
        ("cut\x00here", "null character (U+0000)"),
        ("csi\x9b2J", "control character (U+009B)"),
        ("word\x0bbreak", "vertical tab (a line break pasted from Word) (U+000B)"),
        ("line\u2028separator", "line separator (U+2028)"),
        ("del\x7f", "delete character (U+007F)"),
    ],
)
def test_control_characters_are_named(text: str, found: str) -> None:
    assert control_character(text) == found
    assert control_character(text, free_text=True) == found


def test_free_text_may_hold_tabs_and_line_breaks_but_an_id_may_not() -> None:
    note = "first line\r\nsecond\tline"
    assert control_character(note, free_text=True) == ""
    assert control_character(note) == "carriage return (U+000D)"
    assert control_character("IND\t") == "tab (U+0009)"
    assert control_character("plain text, 관세율") == ""


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    hostile = "title\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe\nnext\x00"
    shown = printable(hostile)
    assert shown == "title\\x1b[2J\\x1b]0;pwned\\x07 \\u202egnp.exe\\nnext\\x00"
    assert shown.isprintable()


def test_printable_shows_odd_spaces_and_keeps_letters() -> None:
    assert printable("2\u00a0123") == "2\\xa0123"
    assert printable("Exports under threat, 관세율 50%") == "Exports under threat, 관세율 50%"


def test_a_problem_prints_on_one_line_with_the_data_escaped() -> None:
    problem = Problem(
        "data/indicators.csv",
        7,
        "entity",
        "unknown entity code 'I\x1b[8mND\nX'",
        "did you mean IND?",
    )
    text = format_problems([problem])
    assert text == (
        "data/indicators.csv:7: entity: unknown entity code 'I\\x1b[8mND\\nX' (did you mean IND?)"
    )
    assert "\x1b" not in text and "\n" not in text
