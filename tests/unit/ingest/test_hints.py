"""memo.ingest.hints: the hints of a problem message (the nearest ids, how to write a number)."""

from __future__ import annotations

import pytest

from memo.ingest.hints import bounds, choices, fmt_number, number_hint, within


@pytest.mark.parametrize(
    ("text", "unit", "hint"),
    [
        ("1,234", "usd_bn", "write 1234 without separators"),
        ("1,234,567.5", "usd_bn", "write 1234567.5 without separators"),
        ("1,5", "percent", "write 1.5 with a decimal point"),
        ("\u22123", "percent", "write -3 with a plain minus sign"),
        ("US$ 212.3 bn", "usd_bn", "write 212.3; the unit column says usd_bn"),
        ("50 %", "", "write 50 and set unit"),
        ("about 50", "percent", 'write 50 and put "about" in note'),
        ("36 to 40", "percent", 'write 36 and put "to 40" in note'),
        ("n/a", "percent", "write a plain number such as 212.3"),
    ],
)
def test_number_hint(text: str, unit: str, hint: str) -> None:
    assert number_hint(text, unit) == hint


def test_choices_suggest_the_closest_then_a_fallback_then_the_list() -> None:
    assert choices("percnt", ["percent", "usd_bn"]) == "did you mean percent?"
    assert choices("zzz", ["percent"], fallback="add it") == "add it"
    assert choices("zzz", ["a", "b"], what="units") == "known units: a, b"
    many = [f"id{i:02d}" for i in range(20)]
    assert choices("zzz", many).endswith("id11, ...")


def test_numbers_as_typed() -> None:
    assert fmt_number(50.0) == "50"
    assert fmt_number(212.3) == "212.3"
    assert bounds(0, 100) == "0..100"
    assert bounds(None, 100) == "-inf..100"
    assert bounds(0, None) == "0..inf"
    assert within(5, None, None) and within(0, 0, 1) and not within(2, 0, 1)
