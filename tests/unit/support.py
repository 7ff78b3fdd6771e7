"""Small drawn fixtures for the unit tier: a tiny project on disk, figure tables from CSV text typed
in a test, and a FactBook over them.

The project is a fictional slice of the article's data (tariffs, US-India trade, Russia's share of
India's crude imports), small enough that every expected figure in a test can be worked out by hand.
Tests change one file at a time (``make_project(tmp_path, indicators=...)``) and name lines by
finding them in the text they wrote, never by trusting the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

DICTIONARY = """\
units:
  percent:
    label: percent
    symbol: "%"
    min: 0
    max: 100
    format: "{n}%"
    decimals: 1
  percentage_points:
    label: percentage points
    symbol: pp
    format: "{n} percentage points"
    decimals: 1
  usd_bn:
    label: billion US dollars
    symbol: US$ bn
    min: 0
    format: "${n}"
    decimals: 1
    scale: 1.0e+9
  rank:
    label: rank
    symbol: "#"
    min: 1
    format: "{n}"
    decimals: 0
    ordinal: true
  times:
    label: times
    symbol: "x"
    min: 0
    format: "{n} times"
    decimals: 1
qualifiers:
  exact: as stated
  about: approximately
  nearly: just below
  less_than: below
  more_than: above
  up_to: at most
entities:
  USA: {name: United States, alpha2: US, kind: country}
  IND: {name: India, alpha2: IN, kind: country}
  BRA: {name: Brazil, alpha2: BR, kind: country}
  PAK: {name: Pakistan, alpha2: PK, kind: country}
  RUS: {name: Russia, alpha2: RU, kind: country}
  CHN: {name: China, alpha2: CN, kind: country}
  WLD: {name: World, kind: world}
indicators:
  us_tariff_rate_pct:
    label: US tariff rate
    unit: percent
    description: Tariff the United States applies to goods from the entity.
    range: [0, 60]
  bilateral_trade_usd_bn:
    label: Bilateral trade
    unit: usd_bn
    description: Trade between the entity and the counterpart in a year.
  crude_import_share_pct:
    label: Share of crude oil imports
    unit: percent
    description: Share of the entity's crude imports from the counterpart.
  us_tariff_rank:
    label: Rank by US tariff rate
    unit: rank
    description: Rank by the US tariff rate on the entity's goods.
    derived: true
    derivation: Countries ranked by the US tariff rate, highest first.
    derive: {kind: rank, of: us_tariff_rate_pct}
    wording: {superlative: highest, subject: US tariff rate on any country}
  us_tariff_gap_pp:
    label: Gap in US tariff rates
    unit: percentage_points
    description: The entity's US tariff rate minus the counterpart's.
    derived: true
    derivation: One country's rate minus another's.
    derive: {kind: gap, of: us_tariff_rate_pct}
  bilateral_trade_multiple:
    label: Growth of bilateral trade
    unit: times
    description: Trade in the latest year over trade in the first.
    derived: true
    derivation: Trade in the latest year divided by trade in the first year.
    derive: {kind: multiple, of: bilateral_trade_usd_bn}
  crude_import_share_change_pp:
    label: Change in share of crude oil imports
    unit: percentage_points
    description: Latest share minus the first.
    derived: true
    derivation: The latest share minus the first.
    derive: {kind: change, of: crude_import_share_pct}
"""

SOURCES = """\
id,footnote,author,title,publisher,date,url,note
article,,Yoon Jung Choi,The article,Sejong Institute,2025-09-15,,
fn01,1,,Exports under threat,CNBC,2025-08-07,https://example.org/a,
fn09,9,,Trade facts,USTR,2025,https://example.org/b,
"""

EVENTS = """\
id,date,title,source,note
tariff_order,2025-08-06,Executive order adds a 25 point tariff,fn01,
"""

HEADER = "indicator,entity,counterpart,period,value,low,high,qualifier,unit,source,note\n"
INDICATORS = (
    HEADER
    + """\
us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,
us_tariff_rate_pct,IND,,2025-08-06,50,,,,percent,fn01,
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,percent,fn01,
us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn01,
bilateral_trade_usd_bn,USA,IND,2000,20,,,about,usd_bn,fn09,
bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09,
crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article,
crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article,"36 to 40 percent, 관세율"
"""
)

CONFIG = """\
edition:
  date: "2025-09-15"
  publisher: "Policy Memo Unit"
freshness:
  max_age_days: 730
marking: "For official use"
"""

MEMOS = """\
audiences:
  officials:
    label: Officials
topics:
  us-india:
    entities: [USA, IND, BRA, PAK, RUS, WLD]
charts:
  tariffs:
    kind: ranked_bars
    indicator: us_tariff_rate_pct
    highlight: IND
    title: US tariff rates by country
    caption: "Latest rate; {highlight} highlighted."
    alt: "Bar chart of US tariff rates: {listing}."
  oil:
    kind: paired_periods
    indicator: crude_import_share_pct
    entity: IND
    counterpart: RUS
    title: Russia's share of India's crude imports
    alt: "Russia's share: {listing}."
memos:
  - id: tariff-brief
    audience: officials
    title: "Tariffs on India"
    topic: us-india
    template: tariff_brief.html.j2
    languages: [en]
    sections: [bottom_line, key_figures, charts]
    key_figures:
      - {indicator: us_tariff_rate_pct, entity: IND, period: "2025-08-06"}
      - {indicator: us_tariff_rank, entity: IND}
    charts: [tariffs]
    pages: [1, 2]
  - id: trade-brief
    audience: officials
    title: "US-India trade"
    topic: us-india
    template: trade_brief.html.j2
    languages: [en, ko]
    sections: [bottom_line, key_figures, charts]
    key_figures:
      - {indicator: bilateral_trade_usd_bn, entity: USA, counterpart: IND, period: "2024"}
    charts: [oil]
    pages: [1, 2]
"""

TARIFF_TEMPLATE = """\
{% extends "base.html.j2" %}
{% block bottom_line %}
<section class="bottom-line">
  <h2>{{ _("Bottom line") }}</h2>
  <p id="bottom-line">{% trans rate=fact("us_tariff_rate_pct", "IND", period="2025-08-06"), standing=say.standing("us_tariff_rank", "IND") %}The United States charges {{ rate }} on Indian goods, {{ standing }}.{% endtrans %}</p>
</section>
{% endblock %}
"""

TRADE_TEMPLATE = """\
{% extends "base.html.j2" %}
{% block bottom_line %}
<section class="bottom-line">
  <h2>{{ _("Bottom line") }}</h2>
  <p id="bottom-line">{% trans fold=say.fold("bilateral_trade_multiple", "USA", "IND"), oil=say.change("crude_import_share_pct", "IND", "RUS") %}Trade grew {{ fold }}; Russia's share of India's crude imports {{ oil }}.{% endtrans %}</p>
</section>
{% endblock %}
"""

# Korean for the messages of this small project that the project's own catalogue does not hold: a
# Korean edition never shows a message without a confirmed translation.
KOREAN = {
    "Officials": "담당자",
    "US-India trade": "미·인도 교역",
    "Trade grew %(fold)s; Russia's share of India's crude imports %(oil)s.": (
        "교역은 %(fold)s 늘었고, 인도의 원유 수입에서 러시아산이 차지하는 비중은 %(oil)s."
    ),
    "Russia's share of India's crude imports": "인도 원유 수입 중 러시아산 비중",
    "Russia's share: {listing}.": "러시아산 비중: {listing}.",
    "US tariff rate": "미국 관세율",
    "Countries ranked by the US tariff rate, highest first.": "미국 관세율이 높은 순으로 매긴 국가 순위.",
    "One country's rate minus another's.": "한 나라의 세율에서 다른 나라의 세율을 뺀 값.",
    "The latest share minus the first.": "최근 비중에서 처음 비중을 뺀 값.",
    "Executive order adds a 25 point tariff": "행정명령으로 25%p 관세 추가",
}

FILES = {
    "data/dictionary.yaml": DICTIONARY,
    "data/sources.csv": SOURCES,
    "data/events.csv": EVENTS,
    "data/indicators.csv": INDICATORS,
    "config/config.yaml": CONFIG,
    "config/memos.yaml": MEMOS,
    "templates/tariff_brief.html.j2": TARIFF_TEMPLATE,
    "templates/trade_brief.html.j2": TRADE_TEMPLATE,
}
# Shared templates copied from the project: the base every memo extends, the stylesheets and the
# Korean catalogue.
SHARED = ("base.html.j2", "index.html.j2", "changes.html.j2", "memo.css", "screen.css", "print.css")


def write(path: Path, text: str | bytes) -> Path:
    """Write a fixture file (text dedented, UTF-8, as typed), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8", newline="")
    return path


def make_project(
    root: Path, *, shared: bool = True, korean: bool = True, **replace: str | bytes | None
) -> Path:
    """Write the small project into ``root``, some files replaced.

    Keys of ``replace`` are file stems (``indicators``, ``dictionary``, ``memos``, ``config``,
    ``sources``, ``events``, ``recipients``); ``None`` leaves the file out. ``shared`` copies the
    project's base template, stylesheets and Korean catalogue into ``root/templates`` and links its
    bundled fonts as ``root/assets``; ``korean`` adds the Korean of this project's own messages
    (:data:`KOREAN`) to that catalogue.
    """
    stems = {Path(name).name.split(".")[0]: name for name in FILES}
    unknown = set(replace) - set(stems) - {"recipients"}
    assert not unknown, f"no fixture file {unknown}"
    for stem, name in stems.items():
        text = replace.get(stem, FILES[name])
        if text is not None:
            write(root / name, text)
    if replace.get("recipients") is not None:
        write(root / "config/recipients.csv", replace["recipients"])  # type: ignore[arg-type]
    if shared:
        for name in SHARED:
            shutil.copy2(REPO / "templates" / name, root / "templates" / name)
        shutil.copytree(REPO / "templates/locale", root / "templates/locale", dirs_exist_ok=True)
        # The bundled fonts (the HTML embeds part of the Korean one), shared, not copied.
        if not (root / "assets").exists():
            (root / "assets").symlink_to(REPO / "assets")
        po = root / "templates/locale/ko/LC_MESSAGES/memo.po"
        with po.open("a", encoding="utf-8") as f:
            if not korean:
                return root
            for msgid, msgstr in KOREAN.items():
                f.write(f"\nmsgid {json.dumps(msgid, ensure_ascii=False)}\n")
                f.write(f"msgstr {json.dumps(msgstr, ensure_ascii=False)}\n")
    return root


def derived(root: Path) -> Path:
    """Run ``memo derive`` on a project folder (it must succeed); return the folder."""
    import argparse

    from memo.derive.run import cli_derive

    assert cli_derive(argparse.Namespace(root=str(root), out="build/derived")) == 0
    return root


def line_of(text: str, start: str, after: str | None = None) -> int:
    """Editor line (1-based) of the one line of ``text`` starting with ``start`` (the first after
    the line starting with ``after``, when given)."""
    lines = text.splitlines()
    begin = 0
    if after is not None:
        begin = next(i for i, line in enumerate(lines) if line.startswith(after)) + 1
    hits = [i + 1 for i, line in enumerate(lines) if i >= begin and line.startswith(start)]
    assert hits, f"no line starts with {start!r}"
    if after is None:
        assert len(hits) == 1, f"{len(hits)} lines start with {start!r}"
    return hits[0]


# ---- figure tables drawn as CSV text -----------------------------------------------------------

DRAWN_HEADER = "indicator,entity,counterpart,period,value,low,high,qualifier,source"


def observations(text: str, path: str = "data/indicators.csv"):
    """Records of a CSV table typed in a test (header ``DRAWN_HEADER``, unit optional); the first
    row is line 2, as an editor shows it."""
    from memo.core.records import Observation

    reader = csv.DictReader(io.StringIO(textwrap.dedent(text).strip() + "\n"))
    out = []
    for line, r in enumerate(reader, start=2):
        out.append(
            Observation(
                indicator=r["indicator"],
                entity=r["entity"],
                counterpart=r["counterpart"],
                period=r["period"],
                value=float(r["value"]),
                low=float(r["low"]) if r["low"] else None,
                high=float(r["high"]) if r["high"] else None,
                qualifier=r["qualifier"],
                unit=r.get("unit") or "",
                source=r["source"],
                path=path,
                line=line,
            )
        )
    return out


def tables(text: str) -> dict:
    """The figure tables of a drawn CSV, by indicator (what a derivation kind receives)."""
    from memo.derive.frame import observations_frame

    frame = observations_frame(observations(text))
    return {name: group for name, group in frame.groupby("indicator", sort=False)}


def context(aggregates: tuple[str, ...] = ("WLD",)):
    from memo.derive.kinds import Context

    names = {
        "IND": "India",
        "BRA": "Brazil",
        "PAK": "Pakistan",
        "USA": "the United States",
        "RUS": "Russia",
        "CHN": "China",
        "KOR": "South Korea",
        "JPN": "Japan",
        "WLD": "the world",
    }
    return Context(labels={}, names=names, aggregates=frozenset(aggregates))


def results(result) -> list[dict]:
    """A derivation's figures as plain rows: keys, value, low, high, qualifier, error, provenance."""
    from memo.derive.frame import figure_columns

    cols = figure_columns(result.figures)
    out = []
    for i in range(len(result.keys)):
        low, high = cols["low"][i], cols["high"][i]
        out.append(
            {
                "entity": result.keys["entity"].iloc[i],
                "counterpart": result.keys["counterpart"].iloc[i],
                "period": result.keys["period"].iloc[i],
                "value": float(cols["value"][i]),
                "low": None if low != low else float(low),
                "high": None if high != high else float(high),
                "qualifier": cols["qualifier"][i],
                "error": cols["error"][i],
                "inputs": tuple(result.inputs[i]),
                "sources": tuple(result.sources[i]),
                "method": result.method[i],
            }
        )
    return out


def one(rows: list[dict], entity: str, counterpart: str = "") -> dict:
    found = [r for r in rows if (r["entity"], r["counterpart"]) == (entity, counterpart)]
    assert len(found) == 1, found
    return found[0]


# ---- a FactBook over a small project ------------------------------------------------------------

EDITION = dt.date(2025, 9, 15)


def only_derived(text: str, *keep: str) -> str:
    """A dictionary's text with only the derived indicators named (a test derives what it reads)."""
    import yaml

    data = yaml.safe_load(text)
    data["indicators"] = {
        k: v for k, v in data["indicators"].items() if not v.get("derived") or k in keep
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_dictionary_text(tmp_path: Path, text: str = DICTIONARY):
    """The dictionary of ``text`` as memo reads it (problems must be none)."""
    from memo.ingest.dictionary import load_dictionary

    write(tmp_path / "data/dictionary.yaml", text)
    dictionary, problems = load_dictionary(tmp_path)
    assert problems == [], [str(p) for p in problems]
    return dictionary


# Derived figures of a drawn table, by (table, dictionary, topic): books are built anew for each
# test (they collect notes), the derivation they read is the same.
_DERIVED: dict = {}


def derived_book(
    stated_text: str,
    dictionary,
    *,
    language: str = "en",
    gettext=None,
    topic=None,
    sources=None,
    max_age_days: int = 730,
):
    """A FactBook holding the drawn stated figures and what the engine derives from them."""
    from memo.core.records import EVERYTHING, Dataset, Source
    from memo.derive.engine import derive_topic
    from memo.derive.frame import observations_frame, to_observations
    from memo.render.facts import FactBook

    stated = observations(stated_text)
    key = (stated_text, id(dictionary), topic)
    if key not in _DERIVED:
        frame, problems = derive_topic(observations_frame(stated), dictionary, topic or EVERYTHING)
        assert problems == [], [str(p) for p in problems]
        # The dictionary is kept with the figures, so that its id is not reused while cached.
        _DERIVED[key] = (dictionary, to_observations(frame))
    derived = _DERIVED[key][1]
    ids = {o.source for o in stated}
    if sources is None:
        sources = {
            s: Source(
                s, "", "", f"Title {s}", "Publisher", "2025-08-06", f"https://example.org/{s}"
            )
            for s in ids
        }
    dataset = Dataset(dictionary, tuple(stated), sources, {}, derived)
    return FactBook(dataset, language, gettext or (lambda s: s), EDITION, max_age_days)


def korean():
    """The project's Korean catalogue, as a render uses it."""
    from memo.render import i18n

    return i18n.translations(REPO / "templates", "ko").gettext


@contextmanager
def zombie() -> Iterator[int]:
    """The process id of a child that has exited and is not reaped yet (a zombie, as a process
    killed with its parent is until something reaps it); reaped on leaving."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z":
            assert time.monotonic() < deadline, f"child {pid} did not exit"
            time.sleep(0.01)
        os.kill(pid, 0)  # signal 0 still reaches it
        yield pid
    finally:
        os.waitpid(pid, 0)


# The memo editions make_project's config defines.
STAND_IN_IDS = ["tariff-brief-en", "trade-brief-en", "trade-brief-ko"]


def write_memos(root: Path, content: str) -> None:
    """Stand-ins for rendered memos in build/memos, and the input edit that made them (a new
    edition is published only when its inputs changed)."""
    with (root / "templates/screen.css").open("a", encoding="utf-8") as css:
        css.write(f"\n/* {content} */\n")
    memos = root / "build/memos"
    memos.mkdir(parents=True, exist_ok=True)
    for oid in STAND_IN_IDS:
        (memos / f"{oid}.html").write_text(f"<p>{oid} {content}</p>", encoding="utf-8")
        (memos / f"{oid}.pdf").write_bytes(f"%PDF-1.7 {oid} {content}".encode())
        (memos / f"{oid}.figures.json").write_text(json.dumps({"memo": oid}), encoding="utf-8")
        meta = {
            "id": oid,
            "memo": oid.rsplit("-", 1)[0],
            "audience": "officials",
            "audience_label": "Officials",
            "language": oid.rsplit("-", 1)[1],
            "title": f"Title of {oid}",
            "bottom_line": "b",
            "pages": 2,
            "edition_date": "2025-09-15",
            "edition_date_text": "15 September 2025",
            "stale_figures": 0,
        }
        (memos / f"{oid}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
