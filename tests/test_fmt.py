"""memo.fmt: figures as the article states them ("50%", "36–40%", "less than 2%", "$212.3 billion"),
dates and periods as a reader writes them. Expected strings are the article's own figures.
"""

from __future__ import annotations

import datetime as dt

import pytest

from memo import fmt
from memo.model import Observation


def obs(value, unit, qualifier="", low=None, high=None) -> Observation:
    return Observation(
        indicator="x",
        entity="IND",
        counterpart="",
        period="2025",
        value=value,
        low=low,
        high=high,
        qualifier=qualifier,
        unit=unit,
        source="article",
    )


# (value, unit, qualifier, low, high) -> as printed; each from the Sejong Focus article.
FIGURES = [
    ((50, "percent", "", None, None), "50%"),  # the US tariff on India
    ((38, "percent", "", 36, 40), "36–40%"),  # Russia's share of India's crude imports, 2025
    ((2, "percent", "less_than", None, None), "less than 2%"),  # the same share in 2021
    ((212.3, "usd_bn", "", None, None), "$212.3 billion"),  # US–India trade, 2024
    ((20, "usd_bn", "about", None, None), "about $20 billion"),  # US–India trade, 2000
    ((14, "usd_bn", "", 13, 15), "$13–15 billion"),  # India's arms imports a year
    ((14, "usd_bn", "about", 13, 15), "about $13–15 billion"),
    ((10, "usd_per_barrel", "", 8, 12), "$8–12 per barrel"),  # the Urals discount
    ((50000, "count", "more_than", None, None), "more than 50,000"),  # troops on each side
    ((3488, "km", "", None, None), "3,488 km"),  # the disputed border
    ((83000, "km2", "about", None, None), "about 83,000 km²"),  # Arunachal Pradesh
    ((87, "usd_bn", "nearly", None, None), "nearly $87 billion"),  # exports under threat
    ((99.2, "usd_bn", "", None, None), "$99.2 billion"),  # deficit with China
    ((25, "percentage_points", "", None, None), "25 percentage points"),  # the added tariff
    ((65, "percent", "about", 60, 70), "about 60–70%"),  # Russian share of India's arms
    ((50, "percent", "up_to", None, None), "up to 50%"),
    ((25, "years", "", None, None), "25 years"),
    ((45, "minutes", "about", None, None), "about 45 minutes"),
]


@pytest.mark.parametrize(("args", "expected"), FIGURES, ids=[e for _, e in FIGURES])
def test_figure_in_english(args, expected):
    value, unit, qualifier, low, high = args
    assert fmt.figure(obs(value, unit, qualifier, low, high), "en") == expected


def test_whole_numbers_lose_their_decimals_and_others_keep_one():
    assert fmt.figure(obs(87, "usd_bn"), "en") == "$87 billion"  # not "$87.0 billion"
    assert fmt.figure(obs(10.615, "times"), "en") == "10.6 times"
    assert fmt.figure(obs(12.6, "usd_bn", "about"), "en") == "about $12.6 billion"


def test_qualifier_and_unit_patterns_go_through_the_translation():
    """A language with another word order changes the message, not the code."""
    catalogue = {"less than {x}": "{x} 미만", "{n}%": "{n} pct", "{low}–{high}": "{low}~{high}"}

    def gettext(message: str) -> str:
        return catalogue.get(message, message)

    assert fmt.figure(obs(2, "percent", "less_than"), "en", gettext) == "2 pct 미만"
    assert fmt.figure(obs(38, "percent", "", 36, 40), "en", gettext) == "36~40 pct"


def test_korean_sums_use_the_korean_scale_word():
    # 212.3 billion = 2,123 × 100 million (억); 13 to 15 billion = 130 to 150 억, the scale once.
    # Where the dollar goes is the catalogue's affair, so only the number is checked here.
    catalogue = {"{low}–{high}": "{low}~{high}"}
    assert "2123억" in fmt.figure(obs(212.3, "usd_bn"), "ko")
    assert "130~150억" in fmt.figure(
        obs(14, "usd_bn", "", 13, 15), "ko", lambda m: catalogue.get(m, m)
    )


def test_dates():
    assert fmt.date(dt.date(2025, 9, 15), "en") == "15 September 2025"
    assert fmt.date(dt.date(2025, 9, 15), "ko") == "2025년 9월 15일"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-08-06", "6 August 2025"),
        ("2025-07", "July 2025"),
        ("2025-Q2", "Q2 2025"),
        ("2024", "2024"),
        ("2000/2024", "2000–2024"),
    ],
)
def test_periods_in_english(value, expected):
    assert fmt.period(value, "en") == expected


def test_numbers_are_grouped_by_locale():
    assert fmt.number(3488, "en", 0) == "3,488"
    assert fmt.number(50000, "en", 0) == "50,000"
    assert fmt.number(212.34, "en", 1) == "212.3"
