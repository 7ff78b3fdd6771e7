"""What every derivation kind shares: its context, its result, and helpers on figure tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from memo.core.periods import period_end
from memo.core.quantity import Quantities
from memo.derive.frame import quantities

_RANGED_OR_BOUNDED = ("more_than", "less_than", "up_to")


@dataclass(frozen=True)
class Context:
    """What a kind may know besides its inputs: names for method sentences, aggregates."""

    labels: Mapping[str, str]
    names: Mapping[str, str]
    aggregates: frozenset[str]

    def label(self, indicator: str) -> str:
        return self.labels.get(indicator, indicator)

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def pair(self, entity: str, counterpart: str) -> str:
        """ "Borduria" or "Borduria with Arcadia", for method sentences."""
        return self.name(entity) + (f" with {self.name(counterpart)}" if counterpart else "")


@dataclass
class Result:
    """Derived figures: keys, figures and provenance, plus per-row errors ("" when none)."""

    keys: pd.DataFrame  # entity, counterpart, period
    figures: Quantities
    inputs: list[tuple[str, ...]]
    sources: list[tuple[str, ...]]
    method: list[str]
    problems: list[str] = field(default_factory=list)  # whole-derivation problems

    @classmethod
    def empty(cls, problems: list[str] | None = None) -> Result:
        keys = pd.DataFrame({"entity": [], "counterpart": [], "period": []}, dtype=object)
        return cls(keys, Quantities.points([]), [], [], [], problems or [])


Inputs = Mapping[str, pd.DataFrame]
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Kind:
    """A derivation kind: its function and the parameters it takes.

    ``indicators`` are parameters naming input indicators (all required); ``options`` maps other
    parameters to their allowed values (a tuple) or to ``str`` for free text, with ``required``
    naming those that must be given.
    """

    compute: Callable[[Params, Inputs, Context], Result]
    indicators: tuple[str, ...]
    options: Mapping[str, tuple[str, ...] | type] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    summary: str = ""


# ---- helpers on tables --------------------------------------------------------------------------


def countries_only(frame: pd.DataFrame, ctx: Context, among: str) -> pd.DataFrame:
    """Drop aggregates (the world, groups) unless the spec ranks among all entities."""
    if among == "all":
        return frame
    return frame[~frame["entity"].isin(ctx.aggregates)]


def as_of_date(frame: pd.DataFrame, params: Params) -> dt.date | None:
    """The date a ranking or gap is taken at: the spec's ``as_of``, else the latest period end."""
    if params.get("as_of"):
        return period_end(str(params["as_of"]))
    return max(frame["end"]) if len(frame) else None


def latest_rows(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Each series' latest row ending on or before ``as_of`` (ties on the end: the later text)."""
    cut = frame[frame["end"] <= as_of]
    ordered = cut.sort_values(["end", "period"], kind="stable")
    return ordered.groupby(["entity", "counterpart"], sort=False).tail(1)


def first_and_last(frame: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per series (entity, counterpart): its first and its latest row, or the named periods;
    a series whose two rows are of one period is left out."""
    ordered = frame.sort_values(["entity", "counterpart", "end", "period"], kind="stable")
    start, stop = params.get("from"), params.get("to")
    earliest: dict[tuple[str, str], int] = {}
    latest: dict[tuple[str, str], int] = {}
    for i, key in enumerate(zip(ordered["entity"], ordered["counterpart"], strict=True)):
        earliest.setdefault(key, i)
        latest[key] = i
    first = ordered[ordered["period"] == start] if start else ordered.iloc[list(earliest.values())]
    last = ordered[ordered["period"] == stop] if stop else ordered.iloc[list(latest.values())]
    return paired(first, last, ["entity", "counterpart"], differ="period")


def paired(
    left: pd.DataFrame, right: pd.DataFrame, on: list[str], differ: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each row of ``left`` (in order) beside each row of ``right`` (in order) that agrees with it
    on the columns ``on``, as two tables of equal length: the pairs, in the order, of pandas'
    inner merge (since pandas 2.2), without its cost (a merge took most of a small derivation's
    time). Pairs whose rows agree on the column ``differ`` too are left out. Keys are the text
    codes and periods ingest gives; a missing value (None, NaN) is no key here."""
    index: dict[tuple[object, ...], list[int]] = {}
    for j, key in enumerate(zip(*(right[c] for c in on), strict=True)):
        index.setdefault(key, []).append(j)
    keys = zip(*(left[c] for c in on), strict=True)
    pairs = [(i, j) for i, key in enumerate(keys) for j in index.get(key, ())]
    if differ is not None:
        ours, theirs = left[differ].tolist(), right[differ].tolist()
        pairs = [(i, j) for i, j in pairs if ours[i] != theirs[j]]
    return (
        left.iloc[[i for i, _ in pairs]].reset_index(drop=True),
        right.iloc[[j for _, j in pairs]].reset_index(drop=True),
    )


def keys_frame(entity: Any, counterpart: Any, period: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {"entity": list(entity), "counterpart": list(counterpart), "period": list(period)},
        dtype=object,
    )


def unrankable(frame: pd.DataFrame, what: str) -> list[str]:
    """Rows a ranking cannot place: a range or a one-sided bound has no single place."""
    bad = frame[frame["low"].notna() | frame["qualifier"].isin(_RANGED_OR_BOUNDED)]
    if not len(bad):
        return []
    return [
        f"{r.path}:{r.line}: cannot {what} {r.entity}'s figure ({q}): a range or bound has no "
        "single place in a ranking"
        for r, q in zip(bad.itertuples(), quantities(bad).describe(), strict=True)
    ]
