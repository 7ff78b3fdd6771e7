"""memo.ingest.observations: every check of a row of data/indicators.csv, each with the message an
analyst gets. Each test writes the header and a row or two; the first row is line 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.core.problems import format_problems
from memo.ingest.dataset import check_dataset, load_dataset
from unit.support import HEADER

PLACES = "(write 2024, 2025-Q2, 2025-07 or 2025-08-06)"


@pytest.fixture
def problems(make_project):
    """``problems(*rows)``: the problems of an indicators.csv holding the header and the rows."""

    def check(*rows: str, csv: str | bytes | None = None) -> list[str]:
        text = csv if csv is not None else HEADER + "".join(r + "\n" for r in rows)
        _, found = check_dataset(make_project(indicators=text))
        return format_problems(found).splitlines()

    return check


def test_rows_become_observations_with_their_line(project: Path) -> None:
    dataset = load_dataset(project)
    assert [o.ref for o in dataset.observations][:2] == [
        "data/indicators.csv:2",
        "data/indicators.csv:3",
    ]
    crude = dataset.observations[-1]
    assert (crude.value, crude.low, crude.high, crude.qualifier) == (38.0, 36.0, 40.0, "")
    assert crude.note == "36 to 40 percent, 관세율"
    assert dataset.observations[0].low is None


def test_a_spreadsheet_export_with_bom_crlf_and_a_multiline_note(problems) -> None:
    csv = (
        "\ufeff"
        + HEADER.replace("\n", "\r\n")
        + 'us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,"line one\r\nline two"\r\n'
        + "us_tariff_rate_pct,BRA,,2025-07,50%,,,,percent,fn01,\r\n"
    )
    assert problems(csv=csv.encode("utf-8")) == [
        'data/indicators.csv:4: value: "50%" is not a number (write 50; the unit column says percent)'
    ]


# ---- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("about 50", 'write 50 and put "about" in note'),
        ("50%", "write 50; the unit column says percent"),
        ("50 percent", "write 50; the unit column says percent"),
        ('"1,234"', "write 1234 without separators"),
        ('"1,5"', "write 1.5 with a decimal point"),
        ("\u22125", "write -5 with a plain minus sign"),
        ("fifty", "write a plain number such as 212.3"),
    ],
)
def test_a_value_that_is_not_a_plain_number(problems, value: str, hint: str) -> None:
    shown = value.strip('"')
    assert problems(f"us_tariff_rate_pct,IND,,2025-07,{value},,,,percent,fn01,") == [
        f'data/indicators.csv:2: value: "{shown}" is not a number ({hint})'
    ]


def test_the_value_is_required(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,,,,,percent,fn01,") == [
        "data/indicators.csv:2: value: value is required "
        "(for a range, the midpoint (low + high) / 2)"
    ]


def test_low_without_high(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,38,36,,,percent,fn01,") == [
        "data/indicators.csv:2: high: low is set but high is empty "
        "(give both ends of a range, or neither)"
    ]


def test_low_above_high(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,38,40,36,,percent,fn01,") == [
        "data/indicators.csv:2: low: low 40 is above high 36 (swap them)"
    ]


def test_a_value_outside_its_range(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,45,36,40,,percent,fn01,") == [
        "data/indicators.csv:2: value: value 45 is outside low 36 .. high 40 "
        "(write the midpoint 38)"
    ]


def test_a_ranges_value_is_its_midpoint(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,37,36,40,,percent,fn01,") == [
        "data/indicators.csv:2: value: value 37 is not the midpoint of low 36 and high 40 "
        "(write 38: a range's value is (low + high) / 2)"
    ]


def test_the_midpoint_rule_tolerates_float_rounding(problems) -> None:
    # (0.1 + 0.2) / 2 is 0.15000000000000002 in binary floating point.
    assert problems("us_tariff_rate_pct,IND,,2025-07,0.15,0.1,0.2,,percent,fn01,") == []


# ---- period, unit, plausible range, qualifier ------------------------------------------------


def test_every_period_form_is_accepted(problems) -> None:
    periods = ("2024", "2025-Q2", "2025-07", "2025-08-06", "2024-02-29")
    assert problems(*(f"us_tariff_rate_pct,IND,,{p},25,,,,percent,fn01," for p in periods)) == []


def test_periods_that_are_not_iso_or_not_real(problems) -> None:
    assert problems(
        "us_tariff_rate_pct,IND,,2025-02-30,25,,,,percent,fn01,",
        "us_tariff_rate_pct,IND,,Q2 2025,25,,,,percent,fn01,",
        "us_tariff_rate_pct,IND,,2025-13,25,,,,percent,fn01,",
        "us_tariff_rate_pct,IND,,,25,,,,percent,fn01,",
    ) == [
        f'data/indicators.csv:2: period: "2025-02-30" is not a real date {PLACES}',
        'data/indicators.csv:3: period: "Q2 2025" is not an ISO 8601 period (write 2025-Q2)',
        f'data/indicators.csv:4: period: "2025-13" is not a real month {PLACES}',
        f"data/indicators.csv:5: period: period is required {PLACES}",
    ]


def test_a_unit_not_in_the_closed_list(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,25,,,,pct,fn01,") == [
        "data/indicators.csv:2: unit: unknown unit 'pct' (did you mean percent?)"
    ]


def test_a_unit_other_than_the_indicators(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,25,,,,usd_bn,fn01,") == [
        "data/indicators.csv:2: unit: unit 'usd_bn' is not us_tariff_rate_pct's unit 'percent' "
        "(write percent, converting the figure if needed)"
    ]


def test_a_value_outside_its_units_bounds(problems) -> None:
    assert problems("crude_import_share_pct,IND,RUS,2025,150,,,,percent,article,") == [
        "data/indicators.csv:2: value: 150 is outside 0..100, possible in percent "
        "(check the figure and the unit)"
    ]


def test_a_value_outside_the_indicators_plausible_range(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,75,,,,percent,fn01,") == [
        "data/indicators.csv:2: value: 75 is outside 0..60, the plausible range of "
        "us_tariff_rate_pct (check the figure, or widen range in data/dictionary.yaml)"
    ]


def test_unknown_qualifiers(problems) -> None:
    assert problems(
        "us_tariff_rate_pct,IND,,2025-07,25,,,approx,percent,fn01,",
        "us_tariff_rate_pct,BRA,,2025-07,25,,,less than,percent,fn01,",
        "us_tariff_rate_pct,PAK,,2025-07,25,,,exact,percent,fn01,",
    ) == [
        "data/indicators.csv:2: qualifier: unknown qualifier 'approx' "
        "(allowed: empty (as stated), about, nearly, less_than, more_than, up_to)",
        "data/indicators.csv:3: qualifier: unknown qualifier 'less than' (write less_than)",
        "data/indicators.csv:4: qualifier: 'exact' is written as an empty qualifier "
        "(leave the cell empty)",
    ]


# ---- references to the dictionary and the sources ----------------------------------------------


def test_unknown_entity_and_counterpart_codes(problems) -> None:
    assert problems(
        "bilateral_trade_usd_bn,USA,ind,2024,212.3,,,,usd_bn,fn09,",
        "bilateral_trade_usd_bn,USA,XYZ,2023,200,,,,usd_bn,fn09,",
    ) == [
        "data/indicators.csv:2: counterpart: unknown counterpart code 'ind' "
        "(write IND in capital letters)",
        "data/indicators.csv:3: counterpart: unknown counterpart code 'XYZ' "
        "(add it to data/dictionary.yaml entities:)",
    ]


def test_the_entity_is_required(problems) -> None:
    assert problems("us_tariff_rate_pct,,,2025-07,25,,,,percent,fn01,") == [
        "data/indicators.csv:2: entity: entity is required "
        "(an ISO 3166-1 alpha-3 code from data/dictionary.yaml entities:)"
    ]


def test_an_unknown_source_suggests_the_nearest_ids(problems) -> None:
    assert problems("us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn1,") == [
        "data/indicators.csv:2: source: unknown source 'fn1' (did you mean fn01 or fn09?)"
    ]


def test_a_duplicate_row_names_the_first(problems) -> None:
    assert problems(
        "us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,",
        "bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09,",
        "us_tariff_rate_pct,IND,,2025-07,50,,,,percent,fn09,",
    ) == [
        "data/indicators.csv:4: row: duplicate of line 2: same indicator, entity, counterpart, "
        "period (keep one row; put the other source's figure in note)"
    ]


def test_an_unknown_indicator_suggests_the_closest(problems) -> None:
    (found,) = problems("us_tarif_rate_pct,IND,,2025-07,25,,,,percent,fn01,")
    assert found.startswith(
        "data/indicators.csv:2: indicator: unknown indicator 'us_tarif_rate_pct' "
        "(did you mean us_tariff_rate_pct"
    )


def test_a_derived_indicator_is_not_typed_in(problems) -> None:
    assert problems("us_tariff_gap_pp,IND,PAK,2025,31,,,,percentage_points,fn01,") == [
        "data/indicators.csv:2: indicator: 'us_tariff_gap_pp' is a derived indicator: "
        "memo derive computes it (delete this row; type the figures it is derived from instead)"
    ]


def test_a_multiline_note_keeps_later_line_numbers_right(problems) -> None:
    assert problems(
        'us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,"a note\nover\nthree lines"',
        "us_tariff_rate_pct,BRA,,2025-07,25,,,,percent,fn99,",  # line 5, not 3
    ) == ["data/indicators.csv:5: source: unknown source 'fn99' (did you mean fn09 or fn01?)"]


def test_a_row_with_problems_is_not_an_observation(make_project) -> None:
    text = HEADER + "us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,\n"
    text += "us_tariff_rate_pct,BRA,,2025-07,lots,,,,percent,fn01,\n"
    from memo.core.records import Dataset  # noqa: F401  (the type checked below)
    from memo.ingest.dictionary import load_dictionary
    from memo.ingest.observations import load_indicators
    from memo.ingest.sources import load_sources

    root = make_project(indicators=text)
    dictionary, _ = load_dictionary(root)
    sources, _ = load_sources(root)
    rows, found = load_indicators(root, dictionary, sources)
    assert [o.entity for o in rows] == ["IND"]
    assert [p.line for p in found] == [3]
