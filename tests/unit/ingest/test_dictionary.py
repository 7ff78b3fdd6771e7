"""memo.ingest.dictionary: data/dictionary.yaml read into units, entities and indicators (with
how each derived one is computed), every problem at its line."""

from __future__ import annotations

from pathlib import Path

from memo.core.problems import format_problems
from memo.ingest.dictionary import load_dictionary
from unit.support import DICTIONARY, line_of, write


def load(tmp_path: Path, text: str = DICTIONARY):
    write(tmp_path / "data/dictionary.yaml", text)
    return load_dictionary(tmp_path)


def problems(tmp_path: Path, text: str) -> list[str]:
    return format_problems(load(tmp_path, text)[1]).splitlines()


def test_the_good_dictionary(tmp_path: Path) -> None:
    dictionary, found = load(tmp_path)
    assert found == []
    # `exact` in the dictionary is the empty qualifier of indicators.csv.
    assert "" in dictionary.qualifiers and "exact" not in dictionary.qualifiers
    usd = dictionary.units["usd_bn"]
    assert (usd.format, usd.decimals, usd.scale, usd.ordinal) == ("${n}", 1, 1e9, False)
    assert dictionary.units["rank"].ordinal is True
    assert dictionary.entities["WLD"].is_aggregate and not dictionary.entities["IND"].is_aggregate
    tariff = dictionary.indicators["us_tariff_rate_pct"]
    assert (tariff.range, tariff.derived, tariff.spec) == ((0.0, 60.0), False, None)


def test_a_derive_block_names_its_kind_parameters_inputs_and_line(tmp_path: Path) -> None:
    dictionary, _ = load(tmp_path)
    rank = dictionary.indicators["us_tariff_rank"]
    assert rank.derived
    assert rank.spec.kind == "rank"
    assert dict(rank.spec.params) == {"of": "us_tariff_rate_pct"}
    assert rank.inputs == ("us_tariff_rate_pct",)
    assert rank.spec.line == line_of(DICTIONARY, "    derive: {kind: rank")
    assert dict(rank.wording) == {
        "superlative": "highest",
        "subject": "US tariff rate on any country",
    }


def test_a_parameter_that_is_not_an_indicator_is_not_an_input(tmp_path: Path) -> None:
    text = DICTIONARY.replace(
        "derive: {kind: rank, of: us_tariff_rate_pct}",
        "derive: {kind: rank, of: us_tariff_rate_pct, order: ascending, as_of: '2025-08'}",
    )
    dictionary, found = load(tmp_path, text)
    assert found == []
    assert dictionary.indicators["us_tariff_rank"].inputs == ("us_tariff_rate_pct",)


def test_an_unknown_key_at_its_line(tmp_path: Path) -> None:
    text = DICTIONARY.replace("    range: [0, 60]\n", "    range: [0, 60]\n    colour: red\n")
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    colour: red')}: "
        "indicators.us_tariff_rate_pct.colour: unknown key 'colour' (allowed: label, unit, "
        "description, range, derived, derivation, derive, wording, forecast)"
    ]


def test_a_missing_key_and_a_bad_code(tmp_path: Path) -> None:
    text = DICTIONARY.replace(
        "    label: Bilateral trade\n    unit: usd_bn\n", "    label: Bilateral trade\n"
    ).replace("  WLD: {name", "  wld: {name")
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '  wld:')}: entities.wld: unknown key 'wld' "
        "(keys here must match ^[A-Z][A-Z0-9_]*$)",
        f"data/dictionary.yaml:{line_of(text, '  bilateral_trade_usd_bn:')}: "
        "indicators.bilateral_trade_usd_bn: missing key 'unit' (add key 'unit')",
    ]


def test_a_unit_not_in_units_and_a_reversed_range(tmp_path: Path) -> None:
    text = DICTIONARY.replace("range: [0, 60]", "range: [60, 0]").replace(
        "    unit: usd_bn\n", "    unit: usd_billion\n"
    )
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    range: [60, 0]')}: "
        "indicators.us_tariff_rate_pct.range: range min 60 is above max 0 (write [0, 60])",
        f"data/dictionary.yaml:{line_of(text, '    unit: usd_billion')}: "
        "indicators.bilateral_trade_usd_bn.unit: unit 'usd_billion' is not in units "
        "(did you mean usd_bn?)",
    ]


def test_a_unit_whose_min_is_above_its_max(tmp_path: Path) -> None:
    text = DICTIONARY.replace("    min: 0\n    max: 100\n", "    min: 200\n    max: 100\n")
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    min: 200')}: units.percent.min: min 200 is "
        "above max 100 (swap them, or leave min or max empty for no bound)"
    ]


def test_a_derived_indicator_needs_a_derivation_and_a_derive_block(tmp_path: Path) -> None:
    text = DICTIONARY.replace(
        "    derivation: One country's rate minus another's.\n"
        "    derive: {kind: gap, of: us_tariff_rate_pct}\n",
        "",
    )
    line = line_of(text, "  us_tariff_gap_pp:")
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line}: indicators.us_tariff_gap_pp: missing key 'derivation' "
        "(add key 'derivation')",
        f"data/dictionary.yaml:{line}: indicators.us_tariff_gap_pp: missing key 'derive' "
        "(add key 'derive')",
    ]


def test_a_qualifier_memo_cannot_word(tmp_path: Path) -> None:
    text = DICTIONARY.replace("  up_to: at most\n", "  up_to: at most\n  roughly: around\n")
    assert problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '  roughly:')}: qualifiers.roughly: qualifier "
        "'roughly' is not one memo knows how to word "
        '(known: "", about, nearly, less_than, more_than, up_to)'
    ]


def test_a_unit_format_without_its_number(tmp_path: Path) -> None:
    text = DICTIONARY.replace('    format: "{n}%"', '    format: "{x}%"')
    (found,) = problems(tmp_path, text)
    line = line_of(text, '    format: "{x}%"')
    assert found.startswith(f"data/dictionary.yaml:{line}: units.percent.format: ")
    assert "How a figure reads" in found  # the hint says what the key is for


def test_a_syntax_error_names_its_line_and_nothing_is_built(tmp_path: Path) -> None:
    text = DICTIONARY.replace("    label: Bilateral trade\n", "    label: Trade: growth\n")
    dictionary, found = load(tmp_path, text)
    assert dictionary is None
    assert [str(p) for p in found] == [
        f"data/dictionary.yaml:{line_of(text, '    label: Trade: growth')}: yaml: YAML syntax "
        "error: mapping values are not allowed here "
        "(check the indentation, and quote text that contains ': ' or starts with a symbol)"
    ]


def test_who_a_figure_is_about_may_name_only_entity_and_counterpart(tmp_path: Path) -> None:
    good = DICTIONARY.replace(
        "    range: [0, 60]\n",
        '    range: [0, 60]\n    wording: {who: "{counterpart}\'s tariff on {entity}"}\n',
        1,
    )
    assert problems(tmp_path, good) == []
    bad = good.replace("{counterpart}'s tariff", "{country}'s tariff")
    (found,) = problems(tmp_path, bad)
    assert found.startswith(
        f"data/dictionary.yaml:{line_of(bad, '    wording: {who:')}: "
        'indicators.us_tariff_rate_pct.wording.who: "{country}\'s tariff on {entity}" does not match'
    )
    assert "{entity}'s deficit with {counterpart}" in found  # the hint shows how
