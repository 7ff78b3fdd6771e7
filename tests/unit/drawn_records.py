"""Figure records drawn by hand, for the tests that compare editions (memo.render.changes,
memo.publish.diff, memo.publish.editions, memo.distribute.send).

A record is what ``memo render`` writes as ``<memo>.figures.json``: every figure the memo shows
(value, range, bound, period, sources, the text printed, how a reader names it) and every
data-dependent phrase with what it was chosen from. Tests build two of them, one per edition,
changing only what the test is about.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def fig(
    indicator: str,
    entity: str,
    text: str,
    value: float,
    *,
    counterpart: str = "",
    period: str = "2025-08-06",
    low: float | None = None,
    high: float | None = None,
    qualifier: str = "",
    unit: str = "percent",
    sources: tuple[str, ...] = ("fn15",),
    method: str = "",
    context: str = "text",
    label: str = "US tariff rate",
    who: str = "India",
    row: str = "data/indicators.csv:2",
    note: int = 1,
) -> dict[str, Any]:
    """One figure as a record lists it."""
    return {
        "text": text,
        "context": context,
        "indicator": indicator,
        "entity": entity,
        "counterpart": counterpart,
        "period": period,
        "value": value,
        "low": low,
        "high": high,
        "qualifier": qualifier,
        "unit": unit,
        "row": row,
        "inputs": [],
        "sources": list(sources),
        "method": method,
        "note": note,
        "label": label,
        "who": who,
    }


def standing(
    entity: str,
    text: str,
    rank: int,
    peers: tuple[str, ...] = (),
    peer_names: tuple[str, ...] = (),
    *,
    indicator: str = "us_tariff_rank",
    who: str = "India",
) -> dict[str, Any]:
    """A ``say.standing`` phrase as a record lists it."""
    return {
        "helper": "standing",
        "indicator": indicator,
        "entity": entity,
        "counterpart": "",
        "period": "2025-08-06",
        "text": text,
        "label": "Rank by US tariff rate",
        "who": who,
        "rank": rank,
        "peers": list(peers),
        "peer_names": list(peer_names),
    }


def record(
    memo: str,
    figures: list[dict[str, Any]],
    wording: list[dict[str, Any]] | None = None,
    *,
    language: str = "en",
    edition_date: str = "2025-09-15",
) -> dict[str, Any]:
    """A memo's figure record."""
    return {
        "memo": memo,
        "language": language,
        "edition_date": edition_date,
        "figures": figures,
        "wording": wording or [],
        "notes": [],
        "events": [],
        "stale": [],
    }


def write_record(folder: Path, rec: dict[str, Any]) -> Path:
    """Write a record as ``<folder>/<memo>.figures.json``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rec['memo']}.figures.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    return path


# The tariff figures of the article's data, before and after a cut of India's rate to 45%:
# India was tied with Brazil for the highest rate; after the cut it is second.
INDIA_50 = fig("us_tariff_rate_pct", "IND", "50%", 50)
INDIA_45 = fig("us_tariff_rate_pct", "IND", "45%", 45)
BRAZIL_50 = fig("us_tariff_rate_pct", "BRA", "50%", 50, who="Brazil", context="chart")
TIED = standing(
    "IND",
    "tied with Brazil for the highest US tariff rate on any country",
    1,
    ("BRA",),
    ("Brazil",),
)
SECOND = standing("IND", "the second-highest US tariff rate on any country", 2)
# Russia's share of India's crude imports: a range, from the article.
OIL = fig(
    "crude_import_share_pct",
    "IND",
    "36–40%",
    38,
    counterpart="RUS",
    period="2025",
    low=36,
    high=40,
    sources=("article",),
    label="Share of crude oil imports",
    who="India – Russia",
)
