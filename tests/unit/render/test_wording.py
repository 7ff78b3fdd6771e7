"""memo.render.wording: the words that depend on the data, for any indicator, in English and
Korean: where an entity stands in a ranking, how many times a figure grew (never more precisely
than its inputs allow), whether a series rose or fell."""

from __future__ import annotations

import re

import pytest

from memo.core.quantity import BoundsError
from memo.render.facts import MissingFigure
from memo.render.wording import Wording
from unit.support import DICTIONARY, derived_book, korean, load_dictionary_text, only_derived

HEAD = "indicator,entity,counterpart,period,value,low,high,qualifier,unit,source\n"


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory: pytest.TempPathFactory):
    text = only_derived(DICTIONARY, "us_tariff_rank", "bilateral_trade_multiple")
    return load_dictionary_text(tmp_path_factory.mktemp("wording"), text)


def text(markup) -> str:
    """The words a reader sees: note calls and tags removed."""
    calls = re.sub(r'\u00a0<a class="noteref"[^>]*>\[\d+\]</a>', "", str(markup))
    return re.sub(r"<[^>]+>", "", calls)


def tariffs(**rates: float) -> str:
    return HEAD + "".join(
        f"us_tariff_rate_pct,{code},,2025-08-06,{rate},,,,percent,fn15\n"
        for code, rate in rates.items()
    )


def say(dictionary, rows: str, language: str = "en") -> Wording:
    gettext = korean() if language == "ko" else None
    return Wording(derived_book(rows, dictionary, language=language, gettext=gettext))


# ---- standing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rates", "en", "ko"),
    [
        (
            {"IND": 50, "BRA": 45, "CHN": 41, "PAK": 19},
            "the highest US tariff rate on any country",
            "미국이 매기는 국가별 관세율 가운데 최고치",
        ),
        (
            {"IND": 50, "BRA": 50, "CHN": 41, "PAK": 19},
            "tied with Brazil for the highest US tariff rate on any country",
            "미국이 매기는 국가별 관세율 가운데 최고치로, 브라질도 같은 수준",
        ),
        (
            {"IND": 41, "BRA": 50, "CHN": 45, "PAK": 19},
            "the third-highest US tariff rate on any country",
            "미국이 매기는 국가별 관세율 가운데 3위",
        ),
        (
            {"IND": 40, "BRA": 50, "CHN": 40, "PAK": 19},
            "tied with China for the second-highest US tariff rate on any country",
            "미국이 매기는 국가별 관세율 가운데 2위로, 중국도 같은 수준",
        ),
        (
            {"IND": 50, "BRA": 50, "CHN": 50, "PAK": 19},
            "tied with Brazil and China for the highest US tariff rate on any country",
            "미국이 매기는 국가별 관세율 가운데 최고치로, 브라질 및 중국도 같은 수준",
        ),
    ],
    ids=["alone", "tied", "third", "tied-second", "tied-with-two"],
)
def test_standing(dictionary, rates: dict, en: str, ko: str) -> None:
    rows = tariffs(**rates)
    phrase = say(dictionary, rows).standing("us_tariff_rank", "IND")
    assert text(phrase) == en
    assert re.search(r'href="#note-\d"', phrase), "the rank is cited"
    assert text(say(dictionary, rows, "ko").standing("us_tariff_rank", "IND")) == ko


def test_standing_records_the_rank_it_rests_on(dictionary) -> None:
    wording = say(dictionary, tariffs(IND=50, BRA=45))
    wording.standing("us_tariff_rank", "IND")
    (record,) = wording.book.records
    assert (record["indicator"], record["text"], record["context"]) == (
        "us_tariff_rank",
        "1",
        "wording",
    )
    assert wording.book.notes[-1].derived.indicator == "us_tariff_rank"  # after its inputs' notes


def test_the_words_of_a_ranking_come_from_the_dictionary(tmp_path) -> None:
    text_ = DICTIONARY.replace(
        "wording: {superlative: highest, subject: US tariff rate on any country}",
        "wording: {superlative: largest, subject: source of investment}",
    )
    dictionary = load_dictionary_text(tmp_path, only_derived(text_, "us_tariff_rank"))
    rows = tariffs(IND=50, BRA=45)
    assert text(say(dictionary, rows).standing("us_tariff_rank", "IND")) == (
        "the largest source of investment"
    )
    assert text(say(dictionary, rows).standing("us_tariff_rank", "BRA")) == (
        "the second-largest source of investment"
    )


def test_a_ranking_without_words_says_what_to_add(tmp_path) -> None:
    text_ = DICTIONARY.replace(
        "    wording: {superlative: highest, subject: US tariff rate on any country}\n", ""
    )
    dictionary = load_dictionary_text(tmp_path, text_)
    with pytest.raises(MissingFigure, match="add wording: {superlative: highest, subject: ...}"):
        say(dictionary, tariffs(IND=50)).standing("us_tariff_rank", "IND")


# ---- fold ----------------------------------------------------------------------------------------


def trade(first: str, last: str) -> str:
    return HEAD + (
        f"bilateral_trade_usd_bn,USA,IND,2000,{first},usd_bn,fn09\n"
        f"bilateral_trade_usd_bn,USA,IND,2024,{last},usd_bn,fn09\n"
    )


@pytest.mark.parametrize(
    ("first", "last", "en", "ko"),
    [
        # 212.3 ÷ about 20 = 10.6, but "about 20" has one significant digit: more than tenfold.
        ("20,,,about", "212.3,,,", "more than tenfold", "10배 이상"),
        # 86.5 ÷ about 0.5 = 173: one significant digit again, so never "173-fold".
        ("0.5,,,about", "86.5,,,", "more than a hundredfold", "100배 이상"),
        # Exact figures say exactly what they give.
        ("10,,,", "30,,,", "threefold", "3배"),
        ("10,,,", "25,,,", "more than twofold", "2배 이상"),
        ("10,,,", "130,,,", "13-fold", "13배"),
    ],
    ids=["about-20", "about-half", "exact", "between", "digits"],
)
def test_fold_is_never_more_precise_than_its_inputs(dictionary, first, last, en, ko) -> None:
    rows = trade(first, last)
    assert text(say(dictionary, rows).fold("bilateral_trade_multiple", "USA", "IND")) == en
    assert text(say(dictionary, rows, "ko").fold("bilateral_trade_multiple", "USA", "IND")) == ko


def test_fold_of_a_bounded_range_is_more_than_its_low_end(tmp_path) -> None:
    text_ = DICTIONARY + (
        "  crude_multiple:\n    label: Growth in share\n    unit: times\n"
        "    description: Latest share over the first.\n    derived: true\n"
        "    derivation: The latest share over the first.\n"
        "    derive: {kind: multiple, of: crude_import_share_pct}\n"
    )
    dictionary = load_dictionary_text(tmp_path, text_)
    rows = HEAD + (
        "crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article\n"
        "crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article\n"
    )
    # (36–40) ÷ (less than 2) = more than 18–20: "more than 18-fold".
    wording = say(dictionary, rows)
    phrase = wording.fold("crude_multiple", "IND", "RUS")
    assert text(phrase) == "more than 18-fold"
    assert wording.book.records[0]["context"] == "wording"


def test_no_fold_below_twofold(dictionary) -> None:
    with pytest.raises(MissingFigure, match="no n-fold wording for a multiple below 2"):
        say(dictionary, trade("10,,,", "15,,,")).fold("bilateral_trade_multiple", "USA", "IND")


# ---- change --------------------------------------------------------------------------------------


def crude(first: str, last: str) -> str:
    return HEAD + (
        f"crude_import_share_pct,IND,RUS,2021,{first},percent,article\n"
        f"crude_import_share_pct,IND,RUS,2025,{last},percent,article\n"
    )


@pytest.mark.parametrize(
    ("first", "last", "en", "ko"),
    [
        (
            "2,,,less_than",
            "38,36,40,",
            "rose from less than 2% in 2021 to 36–40% in 2025",
            "2021년 2% 미만에서 2025년 36~40% 수준으로 높아졌다",
        ),
        (
            "38,36,40,",
            "2,,,less_than",
            "fell from 36–40% in 2021 to less than 2% in 2025",
            "2021년 36~40%에서 2025년 2% 미만 수준으로 낮아졌다",
        ),
        (
            "5,,,",
            "5,,,",
            "stayed at 5% from 2021 to 2025",
            "2021년부터 2025년까지 5% 수준을 유지했다",
        ),
    ],
    ids=["rose", "fell", "unchanged"],
)
def test_change(dictionary, first, last, en, ko) -> None:
    rows = crude(first, last)
    assert text(say(dictionary, rows).change("crude_import_share_pct", "IND", "RUS")) == en
    assert text(say(dictionary, rows, "ko").change("crude_import_share_pct", "IND", "RUS")) == ko


def test_change_needs_two_periods(dictionary) -> None:
    rows = HEAD + "crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article\n"
    with pytest.raises(MissingFigure, match="needs two periods of crude_import_share_pct"):
        say(dictionary, rows).change("crude_import_share_pct", "IND", "RUS")


def test_change_refuses_to_guess_a_direction(dictionary) -> None:
    with pytest.raises(BoundsError, match="rose or fell"):
        say(dictionary, crude("5,4,6,", "5.5,5,6,")).change("crude_import_share_pct", "IND", "RUS")


def test_who_names_entity_and_counterpart_but_not_an_aggregate(dictionary) -> None:
    wording = say(dictionary, crude("2,,,less_than", "38,36,40,"))
    book = wording.book
    # Without words in the dictionary, the entity comes first: the figure is India's.
    assert wording.who(book.find("crude_import_share_pct", "IND", "RUS")) == "India with Russia"
    world = book.find("crude_import_share_pct", "IND", "RUS")
    world = type(world)(**{**world.__dict__, "counterpart": "WLD"})
    assert wording.who(world) == "India"


def test_who_says_the_direction_the_dictionary_gives(tmp_path) -> None:
    text = only_derived(DICTIONARY, "us_tariff_rank").replace(
        "    description: Share of the entity's crude imports from the counterpart.\n",
        "    description: Share of the entity's crude imports from the counterpart.\n"
        "    wording: {who: \"{counterpart}'s share of {entity}'s imports\"}\n",
    )
    assert "who:" in text
    rows = crude("2,,,less_than", "38,36,40,")
    english = say(load_dictionary_text(tmp_path, text), rows)
    obs = english.book.find("crude_import_share_pct", "IND", "RUS")
    assert english.who(obs) == "Russia's share of India's imports"
    # The project's Korean catalogue words the same direction its own way.
    korean_words = say(load_dictionary_text(tmp_path / "ko", text), rows, "ko")
    obs = korean_words.book.find("crude_import_share_pct", "IND", "RUS")
    assert korean_words.who(obs) == "인도의 수입 중 러시아 비중"


def test_each_phrase_is_kept_with_what_it_was_chosen_from(dictionary) -> None:
    rows = tariffs(IND=50, BRA=50, PAK=19) + trade("20,,,about", "212.3,,,").split("\n", 1)[1]
    rows += crude("2,,,less_than", "38,36,40,").split("\n", 1)[1]
    wording = say(dictionary, rows)
    wording.standing("us_tariff_rank", "IND")
    wording.fold("bilateral_trade_multiple", "USA", "IND")
    wording.change("crude_import_share_pct", "IND", "RUS")
    standing, fold, change = wording.book.wording
    assert {k: standing[k] for k in ("helper", "indicator", "entity", "rank", "peers")} == {
        "helper": "standing",
        "indicator": "us_tariff_rank",
        "entity": "IND",
        "rank": 1,
        "peers": ["BRA"],
    }
    assert standing["peer_names"] == ["Brazil"] and standing["who"] == "India"
    assert standing["text"] == "tied with Brazil for the highest US tariff rate on any country"
    assert (fold["helper"], fold["text"], fold["multiple"], fold["exact"]) == (
        "fold",
        "more than tenfold",
        10,
        False,
    )
    assert (change["text"], change["direction"], change["first"], change["period"]) == (
        "rose from less than 2% in 2021 to 36–40% in 2025",
        "rose",
        "2021",
        "2025",
    )
    assert change["label"] == "Share of crude oil imports" and change["who"] == "India – Russia"
