"""memo.facts (looking figures up, numbering notes, flagging old figures) and memo.wording (the
phrases chosen from the data), on small datasets built here from memo.model records."""

from __future__ import annotations

import datetime as dt

import pytest

from memo import compare
from memo.facts import FactBook, MissingFigure
from memo.model import Dataset, Dictionary, Entity, IndicatorDef, Observation, Source, Unit
from memo.wording import Wording

EDITION = dt.date(2025, 9, 15)

ENTITIES = {
    code: Entity(code, name, alpha2)
    for code, name, alpha2 in [
        ("IND", "India", "IN"),
        ("BRA", "Brazil", "BR"),
        ("SYR", "Syria", "SY"),
        ("PAK", "Pakistan", "PK"),
        ("USA", "United States", "US"),
        ("RUS", "Russia", "RU"),
        ("CHN", "China", "CN"),
    ]
}

INDICATORS = {
    i.id: i
    for i in [
        IndicatorDef("us_tariff_rate_pct", "US tariff rate", "percent", "tariff"),
        IndicatorDef("bilateral_trade_usd_bn", "Bilateral trade", "usd_bn", "trade"),
        IndicatorDef("crude_import_share_pct", "Share of crude oil imports", "percent", "oil"),
        IndicatorDef("trade_deficit_usd_bn", "Trade deficit", "usd_bn", "deficit"),
        IndicatorDef(
            "us_tariff_rank",
            "Rank by US tariff rate",
            "rank",
            "rank",
            derived=True,
            derivation="Countries ranked by the US tariff rate.",
        ),
        IndicatorDef(
            "bilateral_trade_multiple",
            "Growth of bilateral trade",
            "times",
            "multiple",
            derived=True,
            derivation="Trade in the latest year divided by the first.",
        ),
    ]
}

SOURCES = {
    s: Source(s, "", "", f"Title {s}", "Publisher", "2025-08-06", f"https://example.org/{s}")
    for s in ("fn09", "fn15", "fn21", "article")
}


def row(
    line,
    indicator,
    entity,
    period,
    value,
    source,
    counterpart="",
    qualifier="",
    low=None,
    high=None,
    unit=None,
) -> Observation:
    return Observation(
        indicator=indicator,
        entity=entity,
        counterpart=counterpart,
        period=period,
        value=value,
        low=low,
        high=high,
        qualifier=qualifier,
        unit=unit or INDICATORS[indicator].unit,
        source=source,
        line=line,
    )


def tariffs(**rates: float) -> list[Observation]:
    return [
        row(10 + i, "us_tariff_rate_pct", code, "2025-08-06", rate, "fn15")
        for i, (code, rate) in enumerate(rates.items())
    ]


BASE_ROWS = [
    row(2, "us_tariff_rate_pct", "IND", "2025-07", 25, "fn15"),
    *tariffs(IND=50, BRA=50, SYR=41, PAK=19),
    row(
        20,
        "bilateral_trade_usd_bn",
        "USA",
        "2000",
        20,
        "fn09",
        counterpart="IND",
        qualifier="about",
    ),
    row(21, "bilateral_trade_usd_bn", "USA", "2024", 212.3, "fn09", counterpart="IND"),
    row(22, "trade_deficit_usd_bn", "IND", "2024", 99.2, "fn21", counterpart="CHN"),
    row(
        23,
        "crude_import_share_pct",
        "IND",
        "2021",
        2,
        "article",
        counterpart="RUS",
        qualifier="less_than",
    ),
    row(
        24,
        "crude_import_share_pct",
        "IND",
        "2025",
        38,
        "article",
        counterpart="RUS",
        low=36,
        high=40,
    ),
]


def book(rows=BASE_ROWS, derived=(), language="en", max_age_days=730) -> FactBook:
    dataset = Dataset(
        dictionary=Dictionary(
            units={u: Unit(u, u) for u in ("percent", "usd_bn", "rank", "times")},
            qualifiers={},
            entities=ENTITIES,
            indicators=INDICATORS,
        ),
        observations=tuple(rows),
        sources=SOURCES,
        events={},
        derived=tuple(derived),
    )
    return FactBook(dataset, language, lambda s: s, EDITION, max_age_days)


def derived_rows(rows=BASE_ROWS) -> tuple[Observation, ...]:
    """Ranks and trade growth as the pipeline derives them, lines numbered like derived.csv."""
    import dataclasses

    out = [
        *compare.compare_tariffs(rows, as_of="2025-08-06").observations,
        *compare.compare_trade_growth(rows).observations,
    ]
    return tuple(dataclasses.replace(o, line=i) for i, o in enumerate(out, start=2))


# ---- lookup ---------------------------------------------------------------------------------------


def test_lookup_by_indicator_entity_and_period():
    fb = book()
    assert fb.find("us_tariff_rate_pct", "IND", period="2025-07").value == 25
    assert fb.find("us_tariff_rate_pct", "IND", period="2025-08-06").value == 50
    assert fb.find("bilateral_trade_usd_bn", "USA", "IND", "2000").value == 20


def test_lookup_without_a_period_takes_the_latest():
    fb = book()
    assert fb.find("us_tariff_rate_pct", "IND").period == "2025-08-06"
    assert fb.find("bilateral_trade_usd_bn", "USA", "IND").value == 212.3


def test_counterpart_is_part_of_the_key():
    with pytest.raises(MissingFigure):
        book().find("bilateral_trade_usd_bn", "USA")  # the row is USA with IND


def test_ambiguous_lookup_names_the_candidates():
    with pytest.raises(MissingFigure) as err:
        book().find("us_tariff_rate_pct")  # four countries share the latest date
    message = str(err.value)
    assert "ambiguous" in message
    assert "IND" in message and "BRA" in message


def test_missing_figure_names_the_indicator_and_the_query():
    with pytest.raises(MissingFigure) as err:
        book().fact("no_such_indicator", "IND")
    assert "no_such_indicator" in str(err.value) and "IND" in str(err.value)
    with pytest.raises(MissingFigure) as err:
        book().find("us_tariff_rate_pct", "IND", period="1999")
    assert "us_tariff_rate_pct" in str(err.value) and "1999" in str(err.value)


# ---- notes ----------------------------------------------------------------------------------------


def test_figures_from_one_source_share_its_note_number():
    fb = book()
    first = fb.fact("us_tariff_rate_pct", "IND", period="2025-08-06")
    trade = fb.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")
    again = fb.fact("us_tariff_rate_pct", "PAK")
    assert 'href="#note-1"' in first and "50%" in first
    assert 'href="#note-2"' in trade and "$212.3 billion" in trade
    assert 'href="#note-1"' in again, "the same source must reuse note 1"
    assert [(n.number, n.source_id) for n in fb.notes] == [(1, "fn15"), (2, "fn09")]


def test_a_derived_note_cites_the_notes_of_its_inputs():
    fb = book(derived=derived_rows())
    fb.fact("bilateral_trade_usd_bn", "USA", "IND", "2024")  # note 1: fn09
    fb.fact("us_tariff_rate_pct", "IND")  # note 2: fn15
    multiple = fb.fact("bilateral_trade_multiple", "USA", "IND")
    note = fb.notes[-1]
    assert note.number == 3 and note.derived is not None
    assert 'href="#note-3"' in multiple
    # Computed from about $20 billion and $212.3 billion, both cited by note 1 (fn09).
    assert sorted(note.input_notes) == [("$212.3 billion", 1), ("about $20 billion", 1)]
    text = fb.note_html(note)
    assert "about $20 billion (note 1)" in text and "$212.3 billion (note 1)" in text
    # Citing the same derived figure again reuses its note.
    assert 'href="#note-3"' in fb.fact("bilateral_trade_multiple", "USA", "IND")
    assert len(fb.notes) == 3


def test_every_printed_figure_is_recorded_with_its_row_and_source():
    fb = book()
    fb.fact("trade_deficit_usd_bn", "IND", "CHN")
    (record,) = fb.records
    assert record["text"] == "$99.2 billion"
    assert record["row"] == "data/indicators.csv:22"
    assert record["sources"] == ["fn21"] and record["note"] == 1


# ---- old figures ----------------------------------------------------------------------------------


def test_a_series_without_recent_figures_is_flagged():
    old = row(30, "trade_deficit_usd_bn", "IND", "2022", 80, "fn21", counterpart="PAK")
    fb = book([*BASE_ROWS, old])
    html = fb.fact("trade_deficit_usd_bn", "IND", "PAK")
    assert "†" in html
    assert fb.stale == [old]
    assert "†" in fb.colophon()


def test_an_old_base_year_of_a_recent_series_is_not_flagged():
    fb = book()
    html = fb.fact("bilateral_trade_usd_bn", "USA", "IND", "2000")  # 2024 is in the series
    assert "†" not in html and fb.stale == []
    assert "†" not in fb.colophon()


def test_the_age_limit_is_counted_from_the_edition_date():
    # 2024 ends on 31 December 2024: 258 days before 15 September 2025.
    assert book(max_age_days=258).is_stale(BASE_ROWS[6]) is False
    assert book(max_age_days=257).is_stale(BASE_ROWS[6]) is True


# ---- wording --------------------------------------------------------------------------------------


def standing(**rates: float) -> str:
    rows = [*tariffs(**rates), *BASE_ROWS[5:]]
    fb = book(rows, derived=derived_rows(rows))
    return str(Wording(fb).tariff_standing("IND"))


def test_tied_for_the_highest_when_another_country_shares_the_top_rate():
    text = standing(IND=50, BRA=50, SYR=41, PAK=19)
    assert "tied with Brazil for the highest US tariff rate" in text
    assert 'href="#note-' in text


def test_the_highest_when_alone_at_the_top():
    text = standing(IND=50, BRA=45, SYR=41, PAK=19)
    assert "the highest US tariff rate on any country" in text
    assert "tied" not in text


def test_ranked_when_not_at_the_top():
    text = standing(IND=41, BRA=50, SYR=45, PAK=19)
    assert "ranked 3 among the countries compared" in text
    assert "highest" not in text


def test_more_than_tenfold_for_212_3_against_about_20():
    fb = book(derived=derived_rows())
    text = str(Wording(fb).fold("bilateral_trade_multiple", "USA", "IND"))
    assert text.startswith("more than tenfold")


def test_change_says_rose_or_fell_from_the_data():
    fb = book()
    text = str(Wording(fb).change("crude_import_share_pct", "IND", "RUS"))
    assert text.startswith("rose from ")
    assert "less than 2%" in text and "36–40%" in text and "2021" in text and "2025" in text
    falling = [
        row(
            23,
            "crude_import_share_pct",
            "IND",
            "2021",
            38,
            "article",
            counterpart="RUS",
            low=36,
            high=40,
        ),
        row(
            24,
            "crude_import_share_pct",
            "IND",
            "2025",
            2,
            "article",
            counterpart="RUS",
            qualifier="less_than",
        ),
    ]
    text = str(Wording(book(falling)).change("crude_import_share_pct", "IND", "RUS"))
    assert text.startswith("fell from ")
