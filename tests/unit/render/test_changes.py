"""memo.render.changes: two records of a memo compared figure by figure and statement by
statement (drawn records, tests/unit/drawn_records.py), and the changes said in words, in English
and through the Korean catalogue."""

from __future__ import annotations

import pytest

from memo.render import changes
from memo.render.changes import (
    ADDED,
    CHANGED,
    REMOVED,
    WORDING,
    compare,
    describe,
    for_readers,
    statements,
    summary,
)
from unit.drawn_records import (
    BRAZIL_50,
    INDIA_45,
    INDIA_50,
    OIL,
    SECOND,
    TIED,
    fig,
    record,
    standing,
)
from unit.support import korean

RANK_1 = fig(
    "us_tariff_rank", "IND", "1", 1, unit="rank", method="rank", context="wording", label="Rank"
)
RANK_2 = {**RANK_1, "text": "2", "value": 2}
GAP_31 = fig(
    "us_tariff_gap_pp",
    "IND",
    "31 percentage points",
    31,
    counterpart="PAK",
    unit="percentage_points",
    method="50 − 19 = 31",
    label="Gap in US tariff rates",
    who="India – Pakistan",
)
GAP_26 = {**GAP_31, "text": "26 percentage points", "value": 26, "method": "45 − 19 = 26"}
OIL_NARROWER = {**OIL, "text": "37–39%", "low": 37, "high": 39}


def en(message: str) -> str:
    return message


def kinds(found: list[changes.Change]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(c.kind, c.indicator, c.entity, c.aspects) for c in found]


# ---- compare ------------------------------------------------------------------------------------


def test_the_same_figures_differently_placed_and_cited_are_no_change() -> None:
    old = record("m-en", [INDIA_50, BRAZIL_50, {**INDIA_50, "context": "chart"}], [TIED])
    # Other line numbers (a row deleted above), other note numbers, another order of showing.
    moved = {**INDIA_50, "row": "data/indicators.csv:20", "note": 4}
    new = record("m-en", [BRAZIL_50, moved], [TIED])
    assert compare(old, new) == []


def test_a_value_a_range_a_bound_and_a_source_are_each_named() -> None:
    bound = fig(
        "exports_usd_bn", "IND", "nearly $87 billion", 87, qualifier="nearly", unit="usd_bn"
    )
    old = record("m-en", [INDIA_50, OIL, bound, fig("deficit", "IND", "$14.6 billion", 14.6)])
    new = record(
        "m-en",
        [
            INDIA_45,
            OIL_NARROWER,
            {**bound, "qualifier": "about", "text": "about $87 billion"},
            fig("deficit", "IND", "$14.6 billion", 14.6, sources=("fn29",)),
        ],
    )
    assert kinds(compare(old, new)) == [
        (CHANGED, "us_tariff_rate_pct", "IND", ("value",)),
        (CHANGED, "crude_import_share_pct", "IND", ("range",)),
        (CHANGED, "exports_usd_bn", "IND", ("bound",)),
        (CHANGED, "deficit", "IND", ("source",)),
    ]


def test_a_range_that_becomes_a_point_is_a_range_change() -> None:
    point = {**OIL, "text": "38%", "low": None, "high": None}
    assert kinds(compare(record("m", [OIL]), record("m", [point]))) == [
        (CHANGED, "crude_import_share_pct", "IND", ("range",))
    ]


def test_a_newer_figure_of_a_series_is_a_change_of_period_not_an_addition() -> None:
    later = {**INDIA_45, "period": "2025-10-01"}
    found = compare(record("m", [INDIA_50]), record("m", [later]))
    assert kinds(found) == [(CHANGED, "us_tariff_rate_pct", "IND", ("value", "period"))]
    assert found[0].old["period"] == "2025-08-06" and found[0].new["period"] == "2025-10-01"


def test_figures_added_and_removed_and_derived_ones_marked() -> None:
    old = record("m", [INDIA_50, GAP_31])
    new = record("m", [INDIA_50, OIL])
    found = compare(old, new)
    assert kinds(found) == [
        (ADDED, "crude_import_share_pct", "IND", ()),
        (REMOVED, "us_tariff_gap_pp", "IND", ()),
    ]
    assert [c.derived for c in found] == [False, True]


def test_two_periods_of_a_series_both_new_are_additions() -> None:
    # Two figures of one series appear: no single figure they replace, so both are new.
    a, b = {**INDIA_45, "period": "2025-10"}, {**INDIA_45, "period": "2025-11"}
    found = compare(record("m", [INDIA_50]), record("m", [a, b]))
    assert [(c.kind, c.new and c.new["period"]) for c in found] == [
        (ADDED, "2025-10"),
        (ADDED, "2025-11"),
        (REMOVED, None),
    ]


def test_a_figure_shown_in_the_text_and_a_chart_is_one_change_with_both_contexts() -> None:
    old = record("m", [INDIA_50, {**INDIA_50, "context": "chart"}])
    new = record("m", [{**INDIA_45, "context": "chart"}, INDIA_45])
    (change,) = compare(old, new)
    assert change.new["contexts"] == ["chart", "text"]


def test_what_a_whats_new_box_shows_is_not_compared() -> None:
    shown = {**INDIA_45, "context": "whats_new", "text": "45%"}
    assert compare(record("m", [INDIA_45]), record("m", [INDIA_45, shown])) == []


def test_a_tie_broken_a_tie_made_and_peers_changed() -> None:
    broken = compare(record("m", [], [TIED]), record("m", [], [SECOND]))
    assert kinds(broken) == [(WORDING, "us_tariff_rank", "IND", ("text", "rank", "tie broken"))]
    made = compare(record("m", [], [SECOND]), record("m", [], [TIED]))
    assert made[0].aspects == ("text", "rank", "tie made")
    with_china = standing(
        "IND", "tied with China for the highest US tariff rate", 1, ("CHN",), ("China",)
    )
    assert compare(record("m", [], [TIED]), record("m", [], [with_china]))[0].aspects == (
        "text",
        "peers",
    )


def test_a_phrase_whose_words_did_not_change_is_no_change() -> None:
    # The multiple under "more than 18-fold" moved from 18–20 to 18.5–19.5: the figure changed
    # (told as a figure), the words did not.
    fold = {
        "helper": "fold",
        "indicator": "m_x",
        "entity": "IND",
        "counterpart": "RUS",
        "period": "2021/2025",
        "text": "more than 18-fold",
        "multiple": 18,
        "exact": False,
    }
    assert compare(record("m", [], [fold]), record("m", [], [{**fold, "multiple": 18.5}])) == []


def test_phrases_that_come_and_go_with_the_template_are_listed() -> None:
    found = compare(record("m", [], [TIED]), record("m", [], []))
    assert [(c.kind, c.aspects, c.new) for c in found] == [(WORDING, ("removed",), None)]


# ---- in words -----------------------------------------------------------------------------------


def test_the_cut_that_breaks_a_tie_is_told_figure_first_then_ranking_then_derived() -> None:
    old = record("m", [INDIA_50, RANK_1, GAP_31], [TIED])
    new = record("m", [INDIA_45, RANK_2, GAP_26], [SECOND])
    assert summary(old, new, en, "en") == [
        "US tariff rate for India fell from 50% to 45%.",
        "India is now the second-highest US tariff rate on any country, no longer tied with Brazil.",
        "Gap in US tariff rates for India – Pakistan fell from 31 percentage points to 26 "
        "percentage points.",
    ]


def test_sentences_for_each_kind_of_change() -> None:
    def said(old: dict, new: dict) -> list[str]:
        return summary(
            record("m", [old] if old else []), record("m", [new] if new else []), en, "en"
        )

    assert said(INDIA_45, INDIA_50) == ["US tariff rate for India rose from 45% to 50%."]
    assert said(OIL, OIL_NARROWER) == [
        "Share of crude oil imports for India – Russia is now 37–39%, previously 36–40%."
    ]
    assert said(INDIA_50, {**INDIA_50, "sources": ["fn16"]}) == [
        "US tariff rate for India (50%) now cites a different source."
    ]
    assert said(INDIA_50, {**INDIA_45, "sources": ["fn16"]}) == [
        "US tariff rate for India fell from 50% to 45%. Its source has changed."
    ]
    assert said(INDIA_50, {**INDIA_45, "period": "2025-10"}) == [
        "US tariff rate for India is now 45% (October 2025), previously 50% (6 August 2025)."
    ]
    assert said({}, OIL) == [
        "New in this memo: Share of crude oil imports for India – Russia, 36–40%."
    ]
    assert said(OIL, {}) == [
        "No longer in this memo: Share of crude oil imports for India – Russia, previously 36–40%."
    ]


def test_a_tie_made_is_told_with_both_phrases() -> None:
    assert summary(record("m", [], [SECOND]), record("m", [], [TIED]), en, "en") == [
        "India is now tied with Brazil for the highest US tariff rate on any country, "
        "previously the second-highest US tariff rate on any country."
    ]


def test_a_rank_is_told_by_its_phrase_and_a_phrase_by_its_figures() -> None:
    change = {
        "helper": "change",
        "indicator": "crude_import_share_pct",
        "entity": "IND",
        "counterpart": "RUS",
        "period": "2025",
        "text": "rose from less than 2% in 2021 to 36–40% in 2025",
        "label": "Share of crude oil imports",
        "who": "India – Russia",
    }
    narrower = {**change, "text": "rose from less than 2% in 2021 to 37–39% in 2025"}
    old = record("m", [OIL, RANK_1], [change, TIED])
    new = record("m", [OIL_NARROWER, RANK_2], [narrower, SECOND])
    told = for_readers(compare(old, new))
    assert [(c.kind, c.indicator) for c in told] == [
        (CHANGED, "crude_import_share_pct"),
        (WORDING, "us_tariff_rank"),
    ]
    # With its figures unchanged (a template reworded, a new translation), nothing to tell.
    alone = compare(record("m", [OIL], [change]), record("m", [OIL], [narrower]))
    assert [c.kind for c in alone] == [WORDING] and for_readers(alone) == []
    reworded = {**TIED, "text": "level with Brazil at the top of US tariff rates"}
    assert for_readers(compare(record("m", [], [TIED]), record("m", [], [reworded]))) == []
    with pytest.raises(ValueError, match="no sentence for a change of say.change"):
        describe(alone[0], en, "en")


def test_nothing_to_tell_when_only_a_phrase_came_with_the_template() -> None:
    assert statements(compare(record("m", [], []), record("m", [], [TIED])), en, "en") == []


def test_korean_sentences_come_from_the_catalogue() -> None:
    ko = korean()
    old = record(
        "m-ko",
        [{**INDIA_50, "label": "미국의 수입 관세율", "who": "인도"}],
        [{**TIED, "who": "인도", "text": "최고치", "peer_names": ["브라질"]}],
        language="ko",
    )
    new = record(
        "m-ko",
        [{**INDIA_45, "label": "미국의 수입 관세율", "who": "인도"}],
        [{**SECOND, "who": "인도", "text": "2위"}],
        language="ko",
    )
    assert summary(old, new, ko, "ko") == [
        "미국의 수입 관세율(인도): 50%에서 45% 수준으로 낮아졌습니다.",
        "인도: 이제 2위입니다(이전에는 브라질도 같은 수준).",
    ]


def test_a_change_as_json_leaves_out_note_numbers() -> None:
    (c,) = compare(record("m", [INDIA_50]), record("m", [INDIA_45]))
    data = c.as_dict()
    assert data["kind"] == "changed" and data["aspects"] == ["value"]
    assert data["old"]["text"] == "50%" and data["new"]["value"] == 45
    assert "note" not in data["new"] and "contexts" not in data["new"]
