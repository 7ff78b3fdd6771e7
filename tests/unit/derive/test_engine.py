"""memo.derive.engine: the dictionary's derive: blocks checked at their line, computed in dependency
order, per topic, so that rows of another topic never move a memo's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.core.records import EVERYTHING, Dataset, Topic
from memo.derive.engine import check_specs, context, derive_all, derive_topic, order
from memo.derive.frame import observations_frame
from unit.support import DICTIONARY, line_of, load_dictionary_text, observations, write

DEFICITS = (
    DICTIONARY
    + """\
  trade_deficit_usd_bn:
    label: Trade deficit
    unit: usd_bn
    description: The entity's deficit with the counterpart.
  deficit_share_pct:
    label: Share of total trade deficit
    unit: percent
    description: The counterpart's share of the entity's total deficit, as stated.
  a_share_of_total_pct:
    label: Share of total trade deficit (computed)
    unit: percent
    description: A partner's share of the implied total.
    derived: true
    derivation: The deficit with one partner over the implied total.
    derive: {kind: share, part: trade_deficit_usd_bn, whole: z_total_deficit_usd_bn}
  z_total_deficit_usd_bn:
    label: Total trade deficit (implied)
    unit: usd_bn
    description: The implied total deficit.
    derived: true
    derivation: The deficit with China over China's share.
    derive: {kind: implied, part: trade_deficit_usd_bn, share: deficit_share_pct, counterpart: WLD}
"""
)

ROWS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
us_tariff_rate_pct,IND,,2025-07,25,,,,fn15
us_tariff_rate_pct,IND,,2025-08-06,50,,,,fn15
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,fn15
us_tariff_rate_pct,PAK,,2025-07,19,,,,fn15
trade_deficit_usd_bn,IND,CHN,2024,99.2,,,,fn10a
deficit_share_pct,IND,CHN,2024,37,,,,fn10b
trade_deficit_usd_bn,IND,KOR,2024,14.6,,,about,fn11
"""


def spec_problems(tmp_path: Path, text: str) -> list[str]:
    from memo.ingest.dictionary import load_dictionary

    write(tmp_path / "data/dictionary.yaml", text)
    dictionary, found = load_dictionary(tmp_path)
    assert found == [], [str(p) for p in found]
    return [str(p) for p in check_specs(dictionary)]


def dataset(tmp_path: Path, rows: str = ROWS, text: str = DEFICITS) -> Dataset:
    return Dataset(load_dictionary_text(tmp_path, text), tuple(observations(rows)), {}, {})


def figures(frame) -> dict[tuple[str, str, str], dict]:
    """Derived rows by (indicator, entity, counterpart)."""
    return {(r["indicator"], r["entity"], r["counterpart"]): r for r in frame.to_dict("records")}


# ---- checking the derive: blocks ---------------------------------------------------------------

RANK = "    derive: {kind: rank, of: us_tariff_rate_pct}"


def test_the_good_dictionary_has_no_spec_problem(tmp_path: Path) -> None:
    assert spec_problems(tmp_path, DEFICITS) == []


def test_an_unknown_kind_suggests_the_closest(tmp_path: Path) -> None:
    text = DICTIONARY.replace(RANK, "    derive: {kind: rnak, of: us_tariff_rate_pct}")
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: rnak')}: "
        "indicators.us_tariff_rank.derive.kind: unknown derivation kind 'rnak' "
        "(did you mean rank?)"
    ]


def test_an_unknown_parameter_and_a_value_not_allowed(tmp_path: Path) -> None:
    text = DICTIONARY.replace(
        RANK, "    derive: {kind: rank, of: us_tariff_rate_pct, ordr: descending, among: some}"
    )
    line = line_of(text, "    derive: {kind: rank")
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line}: indicators.us_tariff_rank.derive.ordr: 'ordr' is not a "
        "parameter of kind rank (did you mean order?)",
        f"data/dictionary.yaml:{line}: indicators.us_tariff_rank.derive.among: 'some' is not "
        "allowed here (allowed: countries, all)",
    ]


def test_a_date_typed_as_a_number_must_be_quoted(tmp_path: Path) -> None:
    text = DICTIONARY.replace(RANK, "    derive: {kind: rank, of: us_tariff_rate_pct, as_of: 2025}")
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: rank')}: "
        "indicators.us_tariff_rank.derive.as_of: expected text, found 2025 (quote it)"
    ]


def test_a_missing_parameter(tmp_path: Path) -> None:
    text = DEFICITS.replace(", whole: z_total_deficit_usd_bn}", "}")
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: share')}: "
        "indicators.a_share_of_total_pct.derive.whole: kind share needs 'whole' "
        "(add whole: to the derive block)"
    ]


def test_an_unknown_indicator(tmp_path: Path) -> None:
    text = DICTIONARY.replace(RANK, "    derive: {kind: rank, of: us_tarif_rate_pct}")
    (found,) = spec_problems(tmp_path, text)
    assert found.startswith(
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: rank')}: "
        "indicators.us_tariff_rank.derive.of: 'us_tarif_rate_pct' is not an indicator "
        "(did you mean us_tariff_rate_pct"
    )


def test_an_indicator_derived_from_itself(tmp_path: Path) -> None:
    text = DICTIONARY.replace(
        "    derive: {kind: gap, of: us_tariff_rate_pct}",
        "    derive: {kind: gap, of: us_tariff_gap_pp}",
    )
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: gap')}: "
        "indicators.us_tariff_gap_pp.derive.of: us_tariff_gap_pp cannot be derived from itself"
    ]


def test_indicators_derived_from_each_other(tmp_path: Path) -> None:
    text = DEFICITS.replace(
        "    derive: {kind: implied, part: trade_deficit_usd_bn,",
        "    derive: {kind: implied, part: a_share_of_total_pct,",
    )
    assert spec_problems(tmp_path, text) == [
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: share')}: "
        "indicators.a_share_of_total_pct.derive: a_share_of_total_pct depends on itself through "
        "its inputs (derive it from stated indicators)",
        f"data/dictionary.yaml:{line_of(text, '    derive: {kind: implied')}: "
        "indicators.z_total_deficit_usd_bn.derive: z_total_deficit_usd_bn depends on itself "
        "through its inputs (derive it from stated indicators)",
    ]


# ---- computing ---------------------------------------------------------------------------------


def test_a_derived_indicator_reading_another_is_computed_after_it(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    assert [d.id for d in order(data.dictionary)].index("z_total_deficit_usd_bn") < [
        d.id for d in order(data.dictionary)
    ].index("a_share_of_total_pct")
    frame, problems = derive_topic(
        observations_frame(data.observations), data.dictionary, EVERYTHING
    )
    assert problems == []
    got = figures(frame)
    # 99.2 ÷ 0.37 = 268.108…; Korea's about 14.6 of it is about 5.4%.
    total = got[("z_total_deficit_usd_bn", "IND", "WLD")]
    assert total["value"] == pytest.approx(99.2 / 0.37)
    korea = got[("a_share_of_total_pct", "IND", "KOR")]
    assert korea["value"] == pytest.approx(14.6 / (99.2 / 0.37) * 100)
    assert round(korea["value"], 1) == 5.4 and korea["qualifier"] == "about"
    # Korea's share rests on Korea's deficit and on what the total rests on.
    assert korea["inputs"] == (
        "data/indicators.csv:8",
        "data/indicators.csv:6",
        "data/indicators.csv:7",
    )
    assert korea["sources"] == ("fn11", "fn10a", "fn10b")
    assert (korea["unit"], korea["path"], korea["source"]) == (
        "percent",
        "build/derived/figures.csv",
        "",
    )
    # China's own share is stated, not computed again... but the computed one is there too.
    assert got[("a_share_of_total_pct", "IND", "CHN")]["value"] == pytest.approx(37)


def test_a_row_outside_the_topic_moves_neither_a_ranking_nor_its_date(tmp_path: Path) -> None:
    rows = ROWS + "us_tariff_rate_pct,CHN,,2025-08-07,60,,,,fn16\n"
    data = dataset(tmp_path, rows)
    topic = Topic("us-india", frozenset({"USA", "IND", "BRA", "PAK", "WLD", "KOR"}))
    scoped, problems = derive_all(data, (topic,))
    assert problems == []
    india = figures(scoped[scoped["indicator"] == "us_tariff_rank"])[("us_tariff_rank", "IND", "")]
    assert (india["value"], india["period"], india["topic"]) == (1, "2025-08-06", "us-india")
    # Without the topic, China's later and higher rate would take the first place and the date.
    everything, _ = derive_all(data)
    india = figures(everything[everything["indicator"] == "us_tariff_rank"])[
        ("us_tariff_rank", "IND", "")
    ]
    assert (india["value"], india["period"]) == (2, "2025-08-07")


def test_each_topic_gets_its_own_figures(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    tariffs = Topic("tariffs", frozenset({"IND", "BRA", "PAK"}))
    deficits = Topic("deficits", frozenset({"IND", "CHN", "KOR", "WLD"}))
    frame, problems = derive_all(data, (tariffs, deficits))
    assert problems == []
    by_topic = {t: set(frame[frame["topic"] == t]["indicator"]) for t in ("tariffs", "deficits")}
    assert by_topic["tariffs"] == {"us_tariff_rank", "us_tariff_gap_pp"}
    # India's tariff rows are in both topics: alone in the second, India ranks first, with no gap.
    assert by_topic["deficits"] == {
        "us_tariff_rank",
        "z_total_deficit_usd_bn",
        "a_share_of_total_pct",
    }


def test_a_row_no_qualifier_can_state_is_reported_at_the_derive_line_and_left_out(
    tmp_path: Path,
) -> None:
    rows = ROWS + (
        "bilateral_trade_usd_bn,USA,IND,2000,10,,,more_than,fn09\n"
        "bilateral_trade_usd_bn,USA,IND,2024,200,,,more_than,fn09\n"
        "bilateral_trade_usd_bn,USA,BRA,2000,10,,,,fn09\n"
        "bilateral_trade_usd_bn,USA,BRA,2024,30,,,,fn09\n"
    )
    data = dataset(tmp_path, rows)
    frame, problems = derive_all(data, (Topic("t"),))
    (problem,) = problems
    assert (problem.path, problem.line, problem.column) == (
        "data/dictionary.yaml",
        line_of(DEFICITS, "    derive: {kind: multiple"),
        "indicators.bilateral_trade_multiple.derive",
    )
    assert "neither an upper nor a lower bound" in problem.problem
    assert problem.problem.endswith("(topic t)")
    assert problem.hint == "from data/indicators.csv:9, data/indicators.csv:10"
    multiples = frame[frame["indicator"] == "bilateral_trade_multiple"]
    assert list(multiples["counterpart"]) == ["BRA"]  # India's figure is left out, Brazil's kept


def test_a_whole_derivation_problem_is_reported_at_the_derive_line(tmp_path: Path) -> None:
    rows = ROWS + "us_tariff_rate_pct,SYR,,2025-08-06,41,40,42,,fn15\n"
    _, problems = derive_all(dataset(tmp_path, rows))
    assert [str(p) for p in problems] == [
        f"data/dictionary.yaml:{line_of(DEFICITS, RANK)}: indicators.us_tariff_rank.derive: "
        "data/indicators.csv:9: cannot rank SYR's figure (40–42): a range or bound has no "
        "single place in a ranking"
    ]


def test_nothing_is_derived_while_a_spec_has_a_problem(tmp_path: Path) -> None:
    text = DEFICITS.replace(RANK, "    derive: {kind: rnak, of: us_tariff_rate_pct}")
    frame, problems = derive_all(dataset(tmp_path, text=text))
    assert len(frame) == 0
    assert [p.column for p in problems] == ["indicators.us_tariff_rank.derive.kind"]


def test_the_context_names_entities_and_knows_the_aggregates(tmp_path: Path) -> None:
    ctx = context(load_dictionary_text(tmp_path))
    assert ctx.name("IND") == "India" and ctx.label("us_tariff_rate_pct") == "US tariff rate"
    assert ctx.aggregates == frozenset({"WLD"})
    assert ctx.pair("IND", "RUS") == "India with Russia"
