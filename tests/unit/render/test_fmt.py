"""memo.render.fmt: figures as the article states them ("50%", "36–40%", "less than 2%",
"$212.3 billion"), dates, periods and ranks as a reader writes them, in English and Korean; how a
unit reads (format, decimals, scale) comes from the dictionary. Expected strings are the article's."""

from __future__ import annotations

import datetime as dt

import pytest

from memo.core.records import Observation
from memo.render import fmt
from unit.support import korean, load_dictionary_text

UNITS = """\
units:
  percent: {label: percent, format: "{n}%", decimals: 1}
  percentage_points: {label: percentage points, format: "{n} percentage points", decimals: 1}
  usd_bn: {label: billion US dollars, format: "${n}", decimals: 1, scale: 1.0e+9}
  usd_per_barrel: {label: US dollars per barrel, format: "${n} per barrel", decimals: 0}
  km: {label: kilometres, format: "{n} km", decimals: 0}
  km2: {label: square kilometres, format: "{n} km²", decimals: 0}
  count: {label: number, format: "{n}", decimals: 0}
  minutes: {label: minutes, format: "{n} minutes", decimals: 0}
  years: {label: years, format: "{n} years", decimals: 0}
  times: {label: times, format: "{n} times", decimals: 1}
  plain: {label: plain}
qualifiers: [about]
entities:
  IND: {name: India, alpha2: IN}
indicators:
  x: {label: X, unit: percent, description: A figure.}
"""


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return load_dictionary_text(tmp_path_factory.mktemp("fmt"), UNITS).units


def obs(value, unit, qualifier="", low=None, high=None) -> Observation:
    return Observation("x", "IND", "", "2025", value, low, high, qualifier, unit, "article")


def show(units, value, unit, qualifier="", low=None, high=None, locale="en", gettext=None):
    args = (obs(value, unit, qualifier, low, high), units[unit], locale)
    return fmt.figure(*args, gettext) if gettext else fmt.figure(*args)


# (value, unit, qualifier, low, high) -> as printed; each figure from the Sejong Focus article.
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
    ((3.25, "plain", "", None, None), "3.2"),  # a unit without format: the plain number, 1 decimal
]


@pytest.mark.parametrize(("args", "expected"), FIGURES, ids=[e for _, e in FIGURES])
def test_figures_in_english(units, args, expected: str) -> None:
    assert show(units, *args) == expected


def test_decimals_come_from_the_unit(units) -> None:
    assert show(units, 87, "usd_bn") == "$87 billion"  # not "$87.0 billion"
    assert show(units, 10.615, "times") == "10.6 times"
    assert show(units, 9.6, "usd_per_barrel") == "$10 per barrel"  # no decimals in this unit
    assert show(units, 268.108, "usd_bn") == "$268.1 billion"


def test_patterns_go_through_the_translation() -> None:
    """A language with another word order changes the catalogue, not the code."""
    catalogue = {"less than {x}": "{x} 미만", "{n}%": "{n} pct", "{low}–{high}": "{low}~{high}"}

    def gettext(message: str) -> str:
        return catalogue.get(message, message)

    unit = fmt.Unit("percent", "percent", format="{n}%")
    assert fmt.figure(obs(2, "percent", "less_than"), unit, "en", gettext) == "2 pct 미만"
    assert fmt.figure(obs(38, "percent", "", 36, 40), unit, "en", gettext) == "36~40 pct"


def test_korean_figures(units) -> None:
    ko = korean()
    # 212.3 billion = 2,123 × 100 million (억); 13 to 15 billion = 130 to 150 억, the scale once.
    assert show(units, 212.3, "usd_bn", locale="ko", gettext=ko) == "2123억 달러"
    assert show(units, 20, "usd_bn", "about", locale="ko", gettext=ko) == "약 200억 달러"
    assert show(units, 14, "usd_bn", "", 13, 15, locale="ko", gettext=ko) == "130~150억 달러"
    assert show(units, 2, "percent", "less_than", locale="ko", gettext=ko) == "2% 미만"
    assert show(units, 38, "percent", "", 36, 40, locale="ko", gettext=ko) == "36~40%"
    assert show(units, 25, "percentage_points", locale="ko", gettext=ko) == "25%p"
    # Rounded in billions first, so Korean shows the precision English does: "268.1 billion".
    assert show(units, 268.108, "usd_bn", locale="ko", gettext=ko) == "2681억 달러"


def test_dates() -> None:
    assert fmt.date(dt.date(2025, 9, 15), "en") == "15 September 2025"
    assert fmt.date(dt.date(2025, 9, 15), "ko") == "2025년 9월 15일"


@pytest.mark.parametrize(
    ("value", "en", "ko"),
    [
        ("2025-08-06", "6 August 2025", "2025년 8월 6일"),
        ("2025-07", "July 2025", "2025년 7월"),
        ("2025-Q2", "Q2 2025", "2025년 2분기"),
        ("2024", "2024", "2024년"),
        ("2000/2024", "2000–2024", "2000년~2024년"),
    ],
)
def test_periods(value: str, en: str, ko: str) -> None:
    assert fmt.period(value, "en") == en
    assert fmt.period(value, "ko", korean()) == ko


def test_numbers_are_grouped_by_locale() -> None:
    assert fmt.number(3488, "en", 0) == "3,488"
    assert fmt.number(212.34, "en", 1) == "212.3"
    assert fmt.number(50000, "ko", 0) == "50,000"


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_english_ordinals(n: int, text: str) -> None:
    assert fmt.ordinal(n, "en") == text


def test_ordinals_in_words_and_in_other_languages() -> None:
    assert fmt.ordinal(3, "en", words=True) == "third"
    assert fmt.ordinal(12, "en", words=True) == "12th"  # words only where a reader expects them
    assert fmt.ordinal(2, "ko") == "2위"
    assert fmt.ordinal(2, "ko", words=True) == "2위"
    assert fmt.ordinal(2, "ja") == "2位"
