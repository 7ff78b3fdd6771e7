"""Checks of data/: every rule has a test that shows the broken input and the message it gets.

The good project is in conftest.py (GOOD_*). Each test replaces one file, usually indicators.csv
with the header plus a row or two; the first row is line 2, as an editor shows it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import GOOD_DICTIONARY, GOOD_SOURCES, write

import memo.validate
from memo.data import check_dataset, load_dataset, load_observations_csv
from memo.errors import DataError, Problem, format_problems
from memo.schema import SCHEMA_DIR, check_against_schema, load_yaml_with_lines

HEADER = "indicator,entity,counterpart,period,value,low,high,qualifier,unit,source,note\n"
MakeProject = Callable[..., Path]


def problems(root: Path) -> list[str]:
    """Check the project at root; return its problems as printed, in print order."""
    _, found = check_dataset(root)
    return format_problems(found).splitlines()


def indicator_problems(make_data_project: MakeProject, *rows: str) -> list[str]:
    """Problems of an indicators.csv holding the header and ``rows`` (first row = line 2)."""
    return problems(make_data_project(indicators=HEADER + "".join(r + "\n" for r in rows)))


# --- errors ---------------------------------------------------------------------------------------


def test_problem_prints_like_a_compiler_message() -> None:
    p = Problem("data/indicators.csv", 17, "value", '"about 50" is not a number', "write 50")
    assert str(p) == 'data/indicators.csv:17: value: "about 50" is not a number (write 50)'
    assert (
        str(Problem("data/x.csv", 3, "id", "id is required")) == "data/x.csv:3: id: id is required"
    )


def test_format_problems_sorts_by_path_then_line() -> None:
    found = [Problem("data/b.csv", 2, "x", "b2"), Problem("data/a.csv", 9, "x", "a9"),
             Problem("data/a.csv", 3, "x", "a3")]  # fmt: skip
    assert format_problems(found).splitlines() == [
        "data/a.csv:3: x: a3",
        "data/a.csv:9: x: a9",
        "data/b.csv:2: x: b2",
    ]
    assert DataError(found).problems == found


# --- the good project -----------------------------------------------------------------------------


def test_good_project_loads(make_data_project: MakeProject) -> None:
    dataset = load_dataset(make_data_project())
    assert [o.ref for o in dataset.observations] == [
        "data/indicators.csv:2",
        "data/indicators.csv:3",
        "data/indicators.csv:4",
        "data/indicators.csv:5",
    ]
    ranged = dataset.observations[1]
    assert (ranged.value, ranged.low, ranged.high, ranged.qualifier) == (38.0, 36.0, 40.0, "about")
    assert ranged.note == "36 to 40 percent, 관세율"
    assert sorted(dataset.sources) == ["article", "fn01", "fn09"]
    assert dataset.events["tariff_order"].line == 2
    # The dictionary's `exact` is the empty qualifier of indicators.csv.
    assert "" in dataset.dictionary.qualifiers and "exact" not in dataset.dictionary.qualifiers
    assert dataset.dictionary.indicators["us_tariff_rate_pct"].range == (0.0, 60.0)


def test_spreadsheet_export_with_bom_crlf_and_multiline_note(
    make_data_project: MakeProject,
) -> None:
    csv = (
        "\ufeff" + HEADER.replace("\n", "\r\n")
        + 'us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,"line one\r\nline two"\r\n'
        + "us_tariff_rate_pct,CHN,,2025-07,50%,,,,percent,fn01,\r\n"
    )  # fmt: skip
    root = make_data_project(indicators=csv.encode("utf-8"))
    assert problems(root) == [
        'data/indicators.csv:4: value: "50%" is not a number '
        "(write 50; the unit column says percent)"
    ]


# --- indicators.csv: numbers ---------------------------------------------------------------------


def test_value_with_words_is_not_a_number(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,about 50,,,,percent,fn01,"
    ) == [
        'data/indicators.csv:2: value: "about 50" is not a number (write 50 and put "about" in note)'  # noqa: E501
    ]


def test_value_with_percent_sign(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,50%,,,,percent,fn01,"
    ) == [
        'data/indicators.csv:2: value: "50%" is not a number (write 50; the unit column says percent)'  # noqa: E501
    ]


def test_value_with_thousands_separator(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, 'bilateral_trade_usd_bn,USA,IND,2024,"1,234",,,,usd_bn,fn09,'
    ) == ['data/indicators.csv:2: value: "1,234" is not a number (write 1234 without separators)']


def test_value_is_required(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,,,,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: value: value is required (for a range, the midpoint (low + high) / 2)"  # noqa: E501
    ]


def test_low_without_high(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,38,36,,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: high: low is set but high is empty "
        "(give both ends of a range, or neither)"
    ]


def test_low_above_high(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,38,40,36,,percent,fn01,"
    ) == ["data/indicators.csv:2: low: low 40 is above high 36 (swap them)"]


def test_value_outside_its_range(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,45,36,40,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: value: value 45 is outside low 36 .. high 40 (write the midpoint 38)"  # noqa: E501
    ]


def test_range_value_must_be_the_midpoint(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,37,36,40,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: value: value 37 is not the midpoint of low 36 and high 40 "
        "(write 38: a range's value is (low + high) / 2)"
    ]


def test_midpoint_rule_tolerates_float_rounding(make_data_project: MakeProject) -> None:
    # (0.1 + 0.2) / 2 is 0.15000000000000002 in binary floating point.
    assert (
        indicator_problems(
            make_data_project, "us_tariff_rate_pct,IND,,2025-07,0.15,0.1,0.2,,percent,fn01,"
        )
        == []
    )


# --- indicators.csv: period, unit, plausible range, qualifier -------------------------------------


def test_every_period_form_is_accepted(make_data_project: MakeProject) -> None:
    rows = [f"us_tariff_rate_pct,IND,,{p},25,,,,percent,fn01," for p in
            ("2024", "2025-Q2", "2025-07", "2025-08-06", "2024-02-29")]  # fmt: skip
    assert indicator_problems(make_data_project, *rows) == []


def test_impossible_date(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-02-30,25,,,,percent,fn01,"
    ) == [
        'data/indicators.csv:2: period: "2025-02-30" is not a real date '
        "(write 2024, 2025-Q2, 2025-07 or 2025-08-06)"
    ]


def test_period_not_in_iso_form(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project,
        "us_tariff_rate_pct,IND,,Q2 2025,25,,,,percent,fn01,",
        "us_tariff_rate_pct,IND,,2025-13,25,,,,percent,fn01,",
    ) == [
        'data/indicators.csv:2: period: "Q2 2025" is not an ISO 8601 period '
        "(write 2024, 2025-Q2, 2025-07 or 2025-08-06)",
        'data/indicators.csv:3: period: "2025-13" is not a real month '
        "(write 2024, 2025-Q2, 2025-07 or 2025-08-06)",
    ]


def test_unit_not_in_the_closed_list(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,25,,,,pct,fn01,"
    ) == ["data/indicators.csv:2: unit: unknown unit 'pct' (did you mean percent?)"]


def test_unit_differs_from_the_indicators_unit(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,25,,,,usd_bn,fn01,"
    ) == [
        "data/indicators.csv:2: unit: unit 'usd_bn' is not us_tariff_rate_pct's unit 'percent' "
        "(write percent, converting the figure if needed)"
    ]


def test_value_outside_the_units_bounds(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,150,,,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: value: 150 is outside 0..100, possible in percent "
        "(check the figure and the unit)"
    ]


def test_value_outside_the_indicators_plausible_range(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,75,,,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: value: 75 is outside 0..60, the plausible range of "
        "us_tariff_rate_pct (check the figure, or widen range in data/dictionary.yaml)"
    ]


def test_unknown_qualifier(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project,
        "us_tariff_rate_pct,IND,,2025-07,25,,,approx,percent,fn01,",
        "us_tariff_rate_pct,CHN,,2025-07,25,,,less than,percent,fn01,",
        "us_tariff_rate_pct,USA,,2025-07,25,,,exact,percent,fn01,",
    ) == [
        "data/indicators.csv:2: qualifier: unknown qualifier 'approx' "
        "(allowed: empty (as stated), about, nearly, less_than, more_than, up_to)",
        "data/indicators.csv:3: qualifier: unknown qualifier 'less than' (write less_than)",
        "data/indicators.csv:4: qualifier: 'exact' is written as an empty qualifier "
        "(leave the cell empty)",
    ]


# --- indicators.csv: references to the dictionary and sources -------------------------------------


def test_unknown_entity_and_counterpart(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project,
        "bilateral_trade_usd_bn,USAA,ind,2024,212.3,,,,usd_bn,fn09,",
        "bilateral_trade_usd_bn,USA,XYZ,2023,200,,,,usd_bn,fn09,",
    ) == [
        "data/indicators.csv:2: entity: unknown entity code 'USAA' (did you mean USA?)",
        "data/indicators.csv:2: counterpart: unknown counterpart code 'ind' "
        "(write IND in capital letters)",
        "data/indicators.csv:3: counterpart: unknown counterpart code 'XYZ' "
        "(add it to data/dictionary.yaml entities:)",
    ]


def test_unknown_source_suggests_the_nearest_ids(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn1,"
    ) == ["data/indicators.csv:2: source: unknown source 'fn1' (did you mean fn01 or fn09?)"]


def test_duplicate_row_names_the_first(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project,
        "us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,",
        "bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09,",
        "us_tariff_rate_pct,IND,,2025-07,50,,,,percent,fn09,",
    ) == [
        "data/indicators.csv:4: row: duplicate of line 2: same indicator, entity, counterpart, "
        "period (keep one row; put the other source's figure in note)"
    ]


def test_unknown_indicator_suggests_close_ids(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "us_tarif_rate_pct,IND,,2025-07,25,,,,percent,fn01,"
    ) == [
        "data/indicators.csv:2: indicator: unknown indicator 'us_tarif_rate_pct' "
        "(did you mean us_tariff_rate_pct?)"
    ]


def test_derived_indicator_is_not_typed(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project, "trade_growth_pct,USA,IND,2024,50,,,,percent,fn09,"
    ) == [
        "data/indicators.csv:2: indicator: 'trade_growth_pct' is a derived indicator: "
        "memo derive computes it (delete this row; type the figures it is derived from instead)"
    ]


def test_multiline_note_keeps_later_line_numbers_right(make_data_project: MakeProject) -> None:
    assert indicator_problems(
        make_data_project,
        'us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,"a note\nover\nthree lines"',
        "us_tariff_rate_pct,CHN,,2025-07,25,,,,percent,fn99,",  # line 5, not 3
    ) == ["data/indicators.csv:5: source: unknown source 'fn99' (did you mean fn09 or fn01?)"]


# --- sources.csv and events.csv -------------------------------------------------------------------


def test_source_checks(make_data_project: MakeProject) -> None:
    root = make_data_project(
        sources=GOOD_SOURCES
        + "fn01,1,,Again,CNBC,2025-08-07,,\n"  # line 5
        + "fn20,20,,Undated,AP,08/07/2025,,\n"  # line 6
        + "fn21,21,,No scheme,AP,2025,www.example.org,\n"  # line 7
    )
    assert problems(root) == [
        "data/sources.csv:5: id: duplicate id 'fn01', first used on line 3 (give each row its own id)",  # noqa: E501
        'data/sources.csv:6: date: "08/07/2025" is not an ISO 8601 date '
        "(write 2025, 2025-07 or 2025-08-06)",
        'data/sources.csv:7: url: url "www.example.org" does not start with http:// or https:// '
        "(paste the full address)",
    ]


def test_sources_missing_a_column(make_data_project: MakeProject) -> None:
    root = make_data_project(sources="id,footnote,author,publisher,date,url,note\narticle,,,,,,\n")
    assert problems(root) == [
        "data/sources.csv:1: header: missing column 'title' "
        "(header found: id, footnote, author, publisher, date, url, note)"
    ]  # and no "unknown source" on every row of indicators.csv and events.csv


def test_event_checks(make_data_project: MakeProject) -> None:
    root = make_data_project(
        events="""\
        id,date,title,source,note
        tariff_order,2025-08-06,Executive order,fn01,
        tariff_order,2025-08-07,Again,fn01,
        summit,2025-02-30,Summit,fn01,
        visit,2025-09,Visit,fn2,
        """
    )
    assert problems(root) == [
        "data/events.csv:3: id: duplicate id 'tariff_order', first used on line 2 "
        "(give each row its own id)",
        'data/events.csv:4: date: "2025-02-30" is not a real date (write 2025, 2025-07 or 2025-08-06)',  # noqa: E501
        "data/events.csv:5: source: unknown source 'fn2' (did you mean fn09 or fn01?)",
    ]


# --- dictionary.yaml ------------------------------------------------------------------------------


def test_dictionary_unknown_key_at_its_line(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace(
        "    range: [0, 60]\n", "    range: [0, 60]\n    colour: red\n"
    )
    line = broken.splitlines().index("    colour: red") + 1
    assert problems(make_data_project(dictionary=broken)) == [
        f"data/dictionary.yaml:{line}: indicators.us_tariff_rate_pct.colour: unknown key 'colour' "
        "(allowed: label, unit, description, range, derived, derivation, inputs)"
    ]


def test_dictionary_missing_key_and_bad_code(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace("    unit: usd_bn\n", "").replace("  WLD:", "  wld:")
    lines = broken.splitlines()
    trade, wld = (
        lines.index("  bilateral_trade_usd_bn:") + 1,
        lines.index("  wld: {name: World, kind: world}") + 1,
    )
    assert problems(make_data_project(dictionary=broken)) == [
        f"data/dictionary.yaml:{wld}: entities.wld: unknown key 'wld' (keys here must match ^[A-Z][A-Z0-9_]*$)",  # noqa: E501
        f"data/dictionary.yaml:{trade}: indicators.bilateral_trade_usd_bn: missing key 'unit' "
        "(add key 'unit')",
    ]  # and indicators.csv rows of that indicator are not blamed for it


def test_dictionary_unit_and_range_checks(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace("range: [0, 60]", "range: [60, 0]").replace(
        "    unit: usd_bn\n", "    unit: usd_billion\n"
    )
    lines = broken.splitlines()
    rng = lines.index("    range: [60, 0]") + 1
    unit = lines.index("    unit: usd_billion") + 1
    found = problems(make_data_project(dictionary=broken))
    assert found[:2] == [
        f"data/dictionary.yaml:{rng}: indicators.us_tariff_rate_pct.range: range min 60 is above "
        "max 0 (write [0, 60])",
        f"data/dictionary.yaml:{unit}: indicators.bilateral_trade_usd_bn.unit: unit 'usd_billion' "
        "is not in units (did you mean usd_bn?)",
    ]


def test_dictionary_yaml_syntax_error(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace("    label: Trade growth\n", "    label: Trade: growth\n")
    line = broken.splitlines().index("    label: Trade: growth") + 1
    assert problems(make_data_project(dictionary=broken)) == [
        f"data/dictionary.yaml:{line}: yaml: YAML syntax error: mapping values are not allowed here "  # noqa: E501
        "(check the indentation, and quote text that contains ': ' or starts with a symbol)"
    ]


def test_derived_indicator_needs_a_derivation(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace("    derivation: bilateral_trade_usd_bn of the later", "    #")
    line = broken.splitlines().index("  trade_growth_pct:") + 1
    assert problems(make_data_project(dictionary=broken)) == [
        f"data/dictionary.yaml:{line}: indicators.trade_growth_pct: missing key 'derivation' "
        "(add key 'derivation')"
    ]


def test_derived_indicator_inputs_must_be_indicators(make_data_project: MakeProject) -> None:
    broken = GOOD_DICTIONARY.replace(
        "inputs: [bilateral_trade_usd_bn]", "inputs: [bilateral_trade]"
    )
    line = broken.splitlines().index("    inputs: [bilateral_trade]") + 1
    assert problems(make_data_project(dictionary=broken)) == [
        f"data/dictionary.yaml:{line}: indicators.trade_growth_pct.inputs[0]: input "
        "'bilateral_trade' is not an indicator (did you mean bilateral_trade_usd_bn?)"
    ]


def test_dictionary_schema_documents_and_closes_every_object() -> None:
    schema = yaml.safe_load((SCHEMA_DIR / "dictionary.schema.yaml").read_text(encoding="utf-8"))

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "object" in (
                node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
            ):
                assert node.get("additionalProperties") is False, where
            for name, prop in node.get("properties", {}).items():
                assert "description" in prop, f"{where}.{name}"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")

    walk(schema, "schema")


# --- schema checks in general ---------------------------------------------------------------------


def test_schema_violation_reported_at_the_line_of_the_node(tmp_path: Path) -> None:
    memos = write(
        tmp_path / "config/memos.yaml",
        """\
        memos:
          - id: a
            template: brief
          - id: b
            template: brief
          - id: c
            template: breif
            colour: red
        """,
    )
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "memos": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "template", "language"],
                    "properties": {
                        "id": {"type": "string"},
                        "template": {"enum": ["brief", "long"]},
                        "language": {"type": "string"},
                    },
                },
            }
        },
    }
    data, found = check_against_schema(memos, "config/memos.yaml", schema)
    assert data["memos"][2]["template"] == "breif"
    assert [str(p) for p in found] == [
        "config/memos.yaml:2: memos[0]: missing key 'language' (add key 'language')",
        "config/memos.yaml:4: memos[1]: missing key 'language' (add key 'language')",
        "config/memos.yaml:6: memos[2]: missing key 'language' (add key 'language')",
        "config/memos.yaml:7: memos[2].template: 'breif' is not an allowed value (allowed: brief, long)",  # noqa: E501
        "config/memos.yaml:8: memos[2].colour: unknown key 'colour' (allowed: id, template, language)",  # noqa: E501
    ]
    assert load_yaml_with_lines(memos).line_of(["memos", 2, "template"]) == 7


# --- one pass, the derived table, the registry ----------------------------------------------------


def test_all_problems_of_all_files_in_one_pass(make_data_project: MakeProject) -> None:
    root = make_data_project(
        sources=GOOD_SOURCES + "fn09,9,,Again,USTR,2025,,\n",
        events="id,date,title,source,note\nx,someday,X,fn01,\n",
        indicators=HEADER
        + "us_tariff_rate_pct,IND,,2025-07,about 50,,,,percent,fn01,\n"
        + "us_tariff_rate_pct,CHN,,July 2025,25,,,,percent,fn01,\n",
        dictionary=GOOD_DICTIONARY + "extra: 1\n",
    )
    with pytest.raises(DataError) as raised:
        load_dataset(root)
    where = [f"{p.path}:{p.line}" for p in raised.value.problems]
    extra = len(GOOD_DICTIONARY.splitlines()) + 1
    assert sorted(where) == [
        f"data/dictionary.yaml:{extra}",
        "data/events.csv:2",
        "data/indicators.csv:2",
        "data/indicators.csv:3",
        "data/sources.csv:5",
    ]


def test_missing_files_are_reported_once_each(make_data_project: MakeProject) -> None:
    assert problems(make_data_project(sources=None, dictionary=None)) == [
        "data/dictionary.yaml:1: file: file not found",
        "data/sources.csv:1: file: file not found "
        "(create it with header id,footnote,author,title,publisher,date,url)",
    ]


def test_load_observations_csv_reads_derived_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "derived.csv",
        HEADER.rstrip("\n") + ",inputs,sources,method\n"
        "trade_growth_pct,USA,IND,2024,961.5,,,,percent,,,indicators.csv:4;indicators.csv:5,"
        "fn09,ratio of 2024 to 2000 minus one\n",
    )
    (obs,) = load_observations_csv(path, "build/derived/derived.csv")
    assert obs.ref == "build/derived/derived.csv:2"
    assert (obs.value, obs.low, obs.high) == (961.5, None, None)
    assert obs.inputs == ("indicators.csv:4", "indicators.csv:5")
    assert obs.all_sources == ("fn09",) and obs.is_derived


def test_registered_and_optional_checks_run(
    make_data_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_data_project()
    config = types.ModuleType("memo.config")
    config.check = lambda root: [Problem("config/memos.yaml", 3, "memos", "from config")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "memo.config", config)
    monkeypatch.setattr(memo.validate, "OPTIONAL_CHECK_MODULES", ("memo.config", "memo.not_there"))
    monkeypatch.setattr(memo.validate, "CHECKS", list(memo.validate.CHECKS))
    memo.validate.register_check(lambda root: [Problem("config/x.csv", 1, "", "from registry")])
    assert [str(p) for p in memo.validate.validate_project(root)] == [
        "config/x.csv:1: from registry",
        "config/memos.yaml:3: memos: from config",
    ]


# --- the command line -----------------------------------------------------------------------------


def run_memo(*args: str, data_only: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``memo ARGS`` in a fresh interpreter, as a user or Snakemake would."""
    code = "import sys; from memo.cli import main; sys.exit(main(sys.argv[1:]))"
    if data_only:
        # The config and recipients checks belong to other modules and need config/ files this tiny
        # project doesn't have; switch them off to see the data check alone say OK.
        code = "import memo.validate as v; v.OPTIONAL_CHECK_MODULES = (); " + code
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )


def test_cli_fails_on_a_broken_copy(make_data_project: MakeProject) -> None:
    root = make_data_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,about 50,,,,percent,fn01,\n"
    )
    result = run_memo("--root", str(root), "validate", "--stamp", "build/validated.json")
    assert result.returncode == 1
    assert (
        'data/indicators.csv:2: value: "about 50" is not a number '
        '(write 50 and put "about" in note)' in result.stderr.splitlines()
    )
    assert "; nothing was built" in result.stderr.splitlines()[-1]
    assert not (root / "build/validated.json").exists()


def test_cli_data_problems_summary(make_data_project: MakeProject) -> None:
    root = make_data_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,about 50,,,,percent,fn1,\n"
    )
    result = run_memo("--root", str(root), "validate", data_only=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "2 problems in data/; nothing was built"


def test_cli_succeeds_and_stamps_a_good_project(make_data_project: MakeProject) -> None:
    root = make_data_project()
    result = run_memo("--root", str(root), "validate", "--stamp", "build/validated.json",
                      data_only=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == "data/ OK: 2 indicators, 4 rows, 3 sources, 1 event\n"
    stamp = json.loads((root / "build/validated.json").read_text(encoding="utf-8"))
    assert stamp["counts"] == {"indicators": 2, "rows": 4, "sources": 3, "events": 1}
    assert sorted(stamp["inputs"]) == [
        "data/dictionary.yaml",
        "data/events.csv",
        "data/indicators.csv",
        "data/sources.csv",
    ]
    assert [p.name for p in (root / "build").iterdir()] == ["validated.json"]  # no temp file left
