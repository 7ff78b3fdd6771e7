"""The article's derived statements, computed from data/ by the declared derivations: the figures
the article states (India tied with Brazil for the highest US tariff, 31 points above Pakistan; a
total deficit of $268.1 billion implied by China's 37 percent; Korea's share about 5.4 percent;
Russia's share of India's crude imports up more than 34–38 points, more than 18–20 times; trade
up more than tenfold, 10.3 percent a year)."""

from __future__ import annotations

import pytest

from memo.derive.frame import to_observations
from memo.derive.run import derive_project
from memo.ingest.project import check_project
from unit.support import REPO


@pytest.fixture(scope="module")
def derived():
    project, problems = check_project(REPO)
    assert problems == [], [str(p) for p in problems]
    frame, problems = derive_project(project)
    assert problems == [], [str(p) for p in problems]
    return project, {(o.indicator, o.entity, o.counterpart): o for o in to_observations(frame)}


def test_the_tariff_ranking_and_gap(derived) -> None:
    _, found = derived
    india = found[("us_tariff_rank", "IND", "")]
    assert (india.value, india.period) == (1, "2025-08-06")
    assert found[("us_tariff_rank", "BRA", "")].value == 1
    assert found[("us_tariff_gap_pp", "IND", "PAK")].value == 31


def test_the_deficit_shares(derived) -> None:
    _, found = derived
    total = found[("trade_deficit_total_usd_bn", "IND", "WLD")]
    assert round(total.value, 1) == 268.1
    korea = found[("share_of_total_deficit_pct", "IND", "KOR")]
    assert round(korea.value, 1) == 5.4 and korea.qualifier == "about"


def test_russian_oil_and_trade_growth(derived) -> None:
    _, found = derived
    change = found[("crude_import_share_change_pp", "IND", "RUS")]
    assert (change.low, change.high, change.qualifier) == (34, 38, "more_than")
    multiple = found[("crude_import_share_multiple", "IND", "RUS")]
    assert (multiple.low, multiple.high, multiple.qualifier) == (18, 20, "more_than")
    trade = found[("bilateral_trade_multiple", "USA", "IND")]
    assert round(trade.value, 1) == 10.6 and trade.qualifier == "about"
    assert round(found[("bilateral_trade_cagr_pct", "USA", "IND")].value, 1) == 10.3


def test_every_derived_figure_rests_on_real_rows_and_sources(derived) -> None:
    project, found = derived
    refs = {o.ref for o in project.dataset.observations}
    for o in found.values():
        assert o.inputs and set(o.inputs) <= refs, o
        assert o.sources and set(o.sources) <= set(project.dataset.sources), o
        assert project.dataset.dictionary.indicators[o.indicator].unit == o.unit, o
