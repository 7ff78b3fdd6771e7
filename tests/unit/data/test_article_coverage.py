# ruff: noqa: E501  (the coverage table below is wider than 100 columns on purpose)
"""The hand-extracted data covers the article: every figure it states is in data/, with its value.

The numbers below are the article's own statements (Yoon Jung Choi, "'America First' and India's
Indo-Pacific Recalibration", Sejong Focus, 15 September 2025), hard-coded on purpose: they are what
the data must say, not outputs of our code. The CSVs are read with the stdlib csv module only, so
this test does not depend on the loaders in memo.ingest.dataset.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"

INDICATOR_COLUMNS = [
    "indicator",
    "entity",
    "counterpart",
    "period",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "source",
    "note",
]
SOURCE_COLUMNS = ["id", "footnote", "author", "title", "publisher", "date", "url", "note"]
EVENT_COLUMNS = ["id", "date", "title", "source", "note"]
QUALIFIERS = {"", "about", "nearly", "less_than", "more_than", "up_to"}
UNITS = {
    "percent",
    "percentage_points",
    "usd_bn",
    "usd_per_barrel",
    "km",
    "km2",
    "count",
    "minutes",
    "years",
    "rank",
    "times",
}
UNIT_SUFFIX = {
    "percent": "_pct",
    "percentage_points": "_pp",
    "usd_bn": "_usd_bn",
    "usd_per_barrel": "_usd_per_barrel",
    "km": "_km",
    "km2": "_km2",
    "count": "_count",
    "minutes": "_minutes",
    "years": "_years",
    "rank": "_rank",
    "times": "_multiple",
}
PERIOD = re.compile(r"^\d{4}(-(Q[1-4]|(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?))?$")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    raw = (DATA / name).read_bytes()
    assert b"\r" not in raw, f"{name}: line endings must be LF"
    text = raw.decode("utf-8")
    reader = csv.DictReader(text.splitlines())
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def indicators() -> list[dict[str, str]]:
    header, rows = _read("indicators.csv")
    assert header == INDICATOR_COLUMNS
    return rows


@pytest.fixture(scope="module")
def sources() -> dict[str, dict[str, str]]:
    header, rows = _read("sources.csv")
    assert header == SOURCE_COLUMNS
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate source ids"
    return {r["id"]: r for r in rows}


@pytest.fixture(scope="module")
def events() -> dict[str, dict[str, str]]:
    header, rows = _read("events.csv")
    assert header == EVENT_COLUMNS
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate event ids"
    return {r["id"]: r for r in rows}


@pytest.fixture(scope="module")
def dictionary() -> dict:
    return yaml.safe_load((DATA / "dictionary.yaml").read_text(encoding="utf-8"))


def _find(rows, indicator, entity, counterpart, period):
    hits = [
        r
        for r in rows
        if (r["indicator"], r["entity"], r["counterpart"], r["period"])
        == (indicator, entity, counterpart, period)
    ]
    assert len(hits) == 1, (
        f"expected one row {indicator} {entity}/{counterpart} {period}, got {len(hits)}"
    )
    return hits[0]


def _num(s: str) -> float | None:
    return float(s) if s != "" else None


# One line per statement of the article (or of a footnote it cites). Columns: indicator, entity,
# counterpart, period, value, low, high, qualifier, unit, source; '-' is empty.
COVERAGE_TABLE = """
# US tariffs (late July announcement, 6 August executive order; footnote 15)
us_tariff_rate_pct                       IND -   2025-07        25   -   - -         percent           fn15
us_tariff_rate_pct                       IND -   2025-08-06     50   -   - -         percent           fn15
us_tariff_rate_pct                       PAK -   2025-07        19   -   - -         percent           fn15
us_tariff_rate_pct                       BRA -   2025-08-06     50   -   - -         percent           fn15
us_tariff_rate_pct                       SYR -   2025-08-06     41   -   - -         percent           fn15
us_tariff_rate_pct                       LAO -   2025-08-06     40   -   - -         percent           fn15
us_tariff_rate_pct                       MMR -   2025-08-06     40   -   - -         percent           fn15
us_tariff_increase_pp                    IND -   2025-08-06     25   -   - -         percentage_points fn15
us_tariff_max_rate_pct                   IND -   2025-09        50   -   - up_to     percent           fn01
exports_under_threat_usd_bn              IND USA 2025           87   -   - nearly    usd_bn            fn01
years_since_comparable_strain_years      USA IND 2025-09        20   -   - more_than years             fn01
# Smartphones, trade, defence
smartphone_import_share_pct              USA IND 2025-Q2        44   -   - -         percent           fn07
smartphone_import_share_pct              USA CHN 2025-Q2        25   -   - -         percent           fn07
bilateral_trade_usd_bn                   USA IND 2000           20   -   - about     usd_bn            fn09
bilateral_trade_usd_bn                   USA IND 2024        212.3   -   - -         usd_bn            fn09
bilateral_trade_growth_multiple          USA IND 2024           10   -   - more_than times             fn09
defence_acquisitions_usd_bn              IND USA 2025           20   -   - about     usd_bn            fn08
uav_order_count                          IND USA 2024           31   -   - -         count             fn08
foundational_defence_agreements_count    IND USA 2025            4   -   - -         count             article
partnership_duration_years               USA IND 2025           25   -   - -         years             article
# India-Pakistan crisis
terror_attack_deaths_count               IND -   2025-04-22     26   -   - -         count             fn10a
border_clash_deaths_count                IND PAK 2025-05         6   -   - -         count             fn10a
# India-China
years_since_last_leader_visit_years      IND CHN 2025-09-01      7   -   - -         years             fn02
leader_meeting_duration_minutes          IND CHN 2025-09-01     45   -   - about     minutes           fn20
years_relations_frozen_years             IND CHN 2025-09-01      5   -   - more_than years             fn20
disputed_border_length_km                IND CHN 2025         3488   -   - -         km                fn21
years_since_previous_deadly_clash_years  IND CHN 2020-06-15     45   -   - -         years             fn21
troops_deployed_count                    IND CHN 2025        50000   -   - more_than count             fn21
troops_deployed_count                    CHN IND 2025        50000   -   - more_than count             fn21
disengagement_area_share_pct             IND CHN 2024-10         3   -   - less_than percent           fn21
claimed_territory_km2                    CHN IND 2025        83000   -   - about     km2               fn21
trade_deficit_usd_bn                     IND CHN 2024         99.2   -   - -         usd_bn            fn22
share_of_trade_deficit_pct               IND CHN 2024           37   -   - -         percent           fn22
anti_dumping_duties_count                IND CHN 2025          382   -   - -         count             fn22
safeguard_measures_count                 IND CHN 2025           39   -   - -         count             fn22
untapped_export_potential_usd_bn         IND CHN 2025          161   -   - -         usd_bn            fn22
# India-Russia
defence_cooperation_duration_years       IND RUS 2025           70   -   - more_than years             fn23
military_equipment_share_pct             IND RUS 2025           65  60  70 about     percent           fn23
s400_regiments_in_service_count          IND RUS 2025            3   -   - -         count             fn24
s400_regiments_expected_count            IND RUS 2025-Q4         4   -   - -         count             fn24
s400_regiments_expected_count            IND RUS 2026-08         5   -   - -         count             fn24
crude_import_share_pct                   IND RUS 2021            2   -   - less_than percent           article
crude_import_share_pct                   IND RUS 2025           38  36  40 -         percent           article
urals_discount_usd_per_barrel            IND RUS 2025           10   8  12 -         usd_per_barrel    article
crude_import_savings_usd_bn              IND RUS 2025         12.6   -   - about     usd_bn            article
# India-Japan
investment_pledge_usd_bn                 JPN IND 2025-08-28     68   -   - about     usd_bn            fn05
annual_summit_count                      IND JPN 2025-08-28     15   -   - -         count             article
gpai_membership_count                    XGP -   2025           29   -   - -         count             fn26
gpai_membership_proposed_count           XGP -   2025           65   -   - -         count             fn26
# Implications for South Korea
trade_deficit_usd_bn                     IND KOR 2024         14.6   -   - about     usd_bn            article
arms_imports_usd_bn                      IND WLD 2025           14  13  15 about     usd_bn            article
arms_importer_rank                       IND WLD 2025            2   -   - -         rank              article
nuclear_tests_count                      PRK -   2017            6   -   - -         count             article
"""


def _cell(s: str) -> str:
    return "" if s == "-" else s


def _parse_coverage(table: str) -> list[tuple]:
    rows = []
    for line in table.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ind, ent, cp, per, v, lo, hi, q, unit, src = (_cell(x) for x in line.split())
        rows.append(
            (ind, ent, cp, per, float(v), _num(lo), _num(hi), q, unit, src),
        )
    return rows


COVERAGE = _parse_coverage(COVERAGE_TABLE)


@pytest.mark.parametrize(
    "indicator,entity,counterpart,period,value,low,high,qualifier,unit,source",
    COVERAGE,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in COVERAGE],
)
def test_article_figure_present(
    indicators, indicator, entity, counterpart, period, value, low, high, qualifier, unit, source
):
    row = _find(indicators, indicator, entity, counterpart, period)
    assert float(row["value"]) == value
    assert _num(row["low"]) == low
    assert _num(row["high"]) == high
    assert row["qualifier"] == qualifier
    assert row["unit"] == unit
    assert row["source"] == source
    assert row["note"].strip(), "every figure keeps the article's wording in note"


def test_no_figure_outside_the_coverage_list(indicators):
    """Every row is one of the article's statements listed above (and none is listed twice)."""
    listed = {c[:4] for c in COVERAGE}
    assert len(listed) == len(COVERAGE)
    keys = [(r["indicator"], r["entity"], r["counterpart"], r["period"]) for r in indicators]
    assert len(keys) == len(set(keys)), "duplicate observation keys"
    assert set(keys) == listed


def test_rows_are_well_formed(indicators, dictionary):
    entities = dictionary["entities"]
    for n, r in enumerate(indicators, start=2):
        where = f"data/indicators.csv:{n}"
        assert r["entity"] in entities, where
        assert r["counterpart"] == "" or r["counterpart"] in entities, where
        assert PERIOD.match(r["period"]), where
        assert r["qualifier"] in QUALIFIERS, where
        assert r["unit"] in UNITS, where
        assert r["unit"] == dictionary["indicators"][r["indicator"]]["unit"], where
        assert r["indicator"].endswith(UNIT_SUFFIX[r["unit"]]), where
        assert re.fullmatch(r"-?\d+(\.\d+)?", r["value"]), f"{where}: plain number"
        lo, hi, v = _num(r["low"]), _num(r["high"]), float(r["value"])
        assert (lo is None) == (hi is None), f"{where}: low and high both set or both empty"
        rng = dictionary["indicators"][r["indicator"]]["range"]
        assert rng[0] <= v <= rng[1], f"{where}: outside the indicator's plausible range"


def test_ranges_are_midpoints(indicators):
    ranges = [r for r in indicators if r["low"] or r["high"]]
    assert ranges, "the article states ranges (36-40 percent, $8-12, $13-15 billion, 60-70 percent)"
    for r in ranges:
        lo, hi, v = float(r["low"]), float(r["high"]), float(r["value"])
        assert lo < hi
        assert v == (lo + hi) / 2, f"{r['indicator']} {r['period']}: value must be the midpoint"


def test_all_footnotes_are_sources(sources):
    expected = {"article"}
    for n in range(1, 29):
        if n in (10, 18, 25):
            expected |= {f"fn{n:02d}a", f"fn{n:02d}b"}
        else:
            expected.add(f"fn{n:02d}")
    assert set(sources) == expected
    for sid, s in sources.items():
        assert s["title"].strip(), sid
        assert DATE.match(s["date"]), f"{sid}: date {s['date']!r} is not ISO 8601"
        assert not s["url"].endswith("."), f"{sid}: trailing punctuation in URL"
        if sid != "article":
            assert s["footnote"] == str(int(sid[2:4])), sid
    art = sources["article"]
    assert art["author"] == "Yoon Jung Choi"
    assert art["date"] == "2025-09-15"
    assert art["url"] == ""
    assert "Sejong" in art["publisher"]


def test_source_details(sources):
    """A few footnotes checked in detail: dates, URLs fixed, explanatory text kept."""
    assert sources["fn01"]["date"] == "2025-08-07"
    assert "$87 billion" in sources["fn01"]["title"]
    assert sources["fn08"]["date"] == "2025-05"
    assert sources["fn09"]["url"] == "https://ustr.gov/countries-regions/south-central-asia/india"
    assert sources["fn15"]["date"] == "2025-08-06"
    assert sources["fn22"]["title"].startswith("India–China Trade Deficit at USD 99.2 Bn")
    assert "Fourth Regiment Expected by Q4 2025, Fifth by August 2026" in sources["fn24"]["title"]
    assert "first combat use" in sources["fn24"]["note"]
    assert "participatory power" in sources["fn27"]["note"]
    assert sources["fn10a"]["publisher"] == "Al Jazeera"
    assert sources["fn10b"]["publisher"] == "The New York Times"


def test_every_source_used_exists(indicators, events, sources):
    used = {r["source"] for r in indicators} | {e["source"] for e in events.values()}
    assert used <= set(sources), used - set(sources)


def test_dictionary_matches_data(indicators, dictionary):
    defs = dictionary["indicators"]
    used = {r["indicator"] for r in indicators}
    assert used <= set(defs), f"not in the dictionary: {used - set(defs)}"
    non_derived = {k for k, d in defs.items() if not d["derived"]}
    assert non_derived == used, f"dictionary entries never used: {non_derived - used}"
    for k, d in defs.items():
        assert d["unit"] in dictionary["units"], k
        assert d["label"] and d["description"], k
        lo, hi = d["range"]
        assert lo < hi, k
        assert k.endswith(UNIT_SUFFIX[d["unit"]]), k
        if d["derived"]:
            assert d.get("derivation"), k
            assert k not in used, f"{k} is derived; it must not be entered by hand"


def test_derived_indicators_defined(dictionary):
    expected = {
        "us_tariff_rank": "rank",
        "us_tariff_gap_pp": "percentage_points",
        "trade_deficit_total_usd_bn": "usd_bn",
        "share_of_total_deficit_pct": "percent",
        "crude_import_share_change_pp": "percentage_points",
        "crude_import_share_multiple": "times",
        "bilateral_trade_multiple": "times",
        "bilateral_trade_cagr_pct": "percent",
    }
    from memo.derive.kinds import KINDS

    for k, unit in expected.items():
        d = dictionary["indicators"][k]
        assert d["derived"] is True and d["unit"] == unit and d["derivation"], k
        assert d["derive"]["kind"] in KINDS, k  # declared, computed by the engine


def test_dictionary_closed_lists(dictionary):
    assert set(dictionary["units"]) == UNITS
    for uid, u in dictionary["units"].items():
        assert u["label"] and u["symbol"], uid
    assert dictionary["units"]["percent"]["min"] == 0
    assert dictionary["units"]["percent"]["max"] == 100
    assert set(dictionary["qualifiers"]) == (QUALIFIERS - {""}) | {"exact"}
    for code, e in dictionary["entities"].items():
        assert re.fullmatch(r"[A-Z]{3}", code), code
        assert e["name"] and e["kind"] in {"country", "world", "organisation"}, code
        if e["kind"] == "country":
            assert re.fullmatch(r"[A-Z]{2}", e["alpha2"]), code
    assert dictionary["entities"]["WLD"]["kind"] == "world"
    assert dictionary["entities"]["XGP"]["kind"] == "organisation"


EXPECTED_EVENTS = {
    "trump_inauguration": "2025-01-20",
    "galwan_clash": "2020-06-15",
    "pahalgam_attack": "2025-04-22",
    "clashes_start": "2025-05-07",
    "clashes_end": "2025-05-10",
    "trump_modi_call": "2025-06-17",
    "munir_white_house": "2025-06-18",
    "pakistan_nobel_support": "2025-06-21",
    "rajnath_singh_parliament": "2025-07-27",
    "tariff_announcement": "2025-07",
    "executive_order": "2025-08-06",
    "india_japan_summit": "2025-08-28",
    "sco_summit_tianjin": "2025-09-01",
    "xi_modi_meeting": "2025-09-01",
    "india_china_border_agreement": "2024-10",
    "gsomia": "2002",
    "lemoa": "2016",
    "comcasa": "2018",
    "beca": "2020",
    "howdy_modi": "2019-09",
    "namaste_trump": "2020-02",
    "korea_india_cepa": "2010",
    "india_dprk_relations": "1973",
    "dprk_sixth_nuclear_test": "2017",
    "korea_india_naval_mou": "2017",
    "republic_day_2026": "2026-01-26",
    "unga_2025": "2025-09",
    "asean_summit_2025": "2025-10",
    "g20_summit_2025": "2025-11",
    "article_publication": "2025-09-15",
}


def test_events(events, sources):
    for eid, date in EXPECTED_EVENTS.items():
        assert eid in events, eid
        assert events[eid]["date"] == date, eid
    for eid, e in events.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", eid), eid
        assert DATE.match(e["date"]), eid
        assert e["title"].strip(), eid
        assert e["source"] in sources, f"{eid}: event without a known source"
    assert "late July" in events["tariff_announcement"]["note"]
    assert "29 August" in events["india_japan_summit"]["note"]
    for eid in ("unga_2025", "asean_summit_2025", "g20_summit_2025"):
        assert "late" in events[eid]["note"], eid
