"""The kinds of derivation a dictionary entry may declare, each a small pure function of tables.

A kind takes the figure tables of its inputs (``memo.derive.frame``) within one topic, and returns
the derived figures as a table: keys (``entity, counterpart, period``), the bounded figure as
:class:`~memo.core.quantity.Quantities`, and the provenance columns (``inputs``, ``sources``,
``method``). Nothing here reads files or modifies its inputs. Adding a kind is a function here, its
entry in :data:`KINDS` and a test with a drawn fixture; using it is a ``derive:`` block in
``data/dictionary.yaml``:

.. code-block:: yaml

    us_tariff_rank:
      derive: {kind: rank, of: us_tariff_rate_pct}        # 1 = highest; ties share a rank
    bilateral_trade_multiple:
      derive: {kind: multiple, of: bilateral_trade_usd_bn} # latest / first, per series
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memo.core.periods import period_end, years_between
from memo.core.quantity import Quantities, add, divide, increasing, scale, subtract
from memo.derive.frame import quantities, union

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
        """ "India" or "India with Russia", for method sentences."""
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


def _countries(frame: pd.DataFrame, ctx: Context, among: str) -> pd.DataFrame:
    """Drop aggregates (the world, groups) unless the spec ranks among all entities."""
    if among == "all":
        return frame
    return frame[~frame["entity"].isin(ctx.aggregates)]


def _as_of(frame: pd.DataFrame, params: Params) -> dt.date | None:
    """The date a ranking or gap is taken at: the spec's ``as_of``, else the latest period end."""
    if params.get("as_of"):
        return period_end(str(params["as_of"]))
    return max(frame["end"]) if len(frame) else None


def _latest(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Each series' latest row ending on or before ``as_of`` (ties on the end: the later text)."""
    cut = frame[frame["end"] <= as_of]
    ordered = cut.sort_values(["end", "period"], kind="stable")
    return ordered.groupby(["entity", "counterpart"], sort=False).tail(1)


def _first_last(frame: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per series (entity, counterpart): its first and its latest row, or the named periods."""
    ordered = frame.sort_values(["entity", "counterpart", "end", "period"], kind="stable")
    groups = ordered.groupby(["entity", "counterpart"], sort=True)
    first = (
        groups.head(1) if not params.get("from") else ordered[ordered["period"] == params["from"]]
    )
    last = groups.tail(1) if not params.get("to") else ordered[ordered["period"] == params["to"]]
    pairs = first.merge(last, on=["entity", "counterpart"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["period_a"] != pairs["period_b"]]
    return _side(pairs, "_a"), _side(pairs, "_b")


def _side(pairs: pd.DataFrame, suffix: str) -> pd.DataFrame:
    """One side of a merged table, with its own column names back."""
    cols = {c: c[: -len(suffix)] for c in pairs.columns if c.endswith(suffix)}
    out = pairs[["entity", "counterpart", *cols]].rename(columns=cols)
    return out.reset_index(drop=True)


def _keys(entity: Any, counterpart: Any, period: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {"entity": list(entity), "counterpart": list(counterpart), "period": list(period)},
        dtype=object,
    )


def _points(frame: pd.DataFrame, what: str) -> list[str]:
    """Rows a ranking cannot place: a range or a one-sided bound has no single place."""
    bad = frame[frame["low"].notna() | frame["qualifier"].isin(_RANGED_OR_BOUNDED)]
    return [
        f"{r.path}:{r.line}: cannot {what} {r.entity}'s figure ({q}): a range or bound has no "
        "single place in a ranking"
        for r, q in zip(bad.itertuples(), quantities(bad).describe(), strict=True)
    ]


# ---- the kinds ----------------------------------------------------------------------------------


def rank(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """Competition rank ("1224") of each entity's latest figure within each counterpart.

    1 = highest (``order: descending``, the default) or lowest (``ascending``); equal figures
    (to 9 decimals) share a rank and the next rank skips. Aggregates are left out unless
    ``among: all``. The rank is dated by the as-of date (latest period end in the topic, or
    ``as_of``); its inputs are every figure ranked beside it, since a rank depends on all of them.
    """
    of, descending = params["of"], params.get("order", "descending") == "descending"
    frame = _countries(inputs[of], ctx, params.get("among", "countries"))
    as_of = _as_of(frame, params)
    if as_of is None:
        return Result.empty()
    latest = _latest(frame, as_of).copy()
    problems = _points(latest, "rank")
    if problems:
        return Result.empty(problems)
    latest["key"] = latest["value"].round(9) * (-1 if descending else 1)
    latest = latest.sort_values(["counterpart", "key", "entity"], kind="stable")
    group = latest.groupby("counterpart", sort=False)
    latest["rank"] = group["key"].rank(method="min").astype(int)
    latest["size"] = group["key"].transform("size")
    latest["ties"] = latest.groupby(["counterpart", "key"])["key"].transform("size") - 1
    group_inputs = group["inputs"].agg(lambda s: tuple(dict.fromkeys(x for t in s for x in t)))
    group_sources = group["sources"].agg(lambda s: tuple(dict.fromkeys(x for t in s for x in t)))
    top = "highest" if descending else "lowest"
    day = as_of.isoformat()
    method = [
        f"Competition rank (1 = {top}) of {ctx.label(of)} for {ctx.pair(r.entity, r.counterpart)} "
        f"({q}, {r.period}) among the latest figures of {r.size} entities on or before {day}: "
        f"rank {r.rank}"
        + (f", tied with {r.ties} other" + ("s" if r.ties > 1 else "") if r.ties else "")
        + "."
        for r, q in zip(latest.itertuples(), quantities(latest).describe(), strict=True)
    ]
    return Result(
        _keys(latest["entity"], latest["counterpart"], [day] * len(latest)),
        Quantities.points(latest["rank"].to_numpy(dtype=float)),
        [group_inputs[c] for c in latest["counterpart"]],
        [group_sources[c] for c in latest["counterpart"]],
        method,
    )


def gap(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """How far each entity's latest figure exceeds each other entity's (same counterpart).

    Entity A, counterpart B: A's figure minus B's, both their latest on or before the as-of date,
    dated by it. Aggregates are left out unless ``among: all``.
    """
    of = params["of"]
    frame = _countries(inputs[of], ctx, params.get("among", "countries"))
    as_of = _as_of(frame, params)
    if as_of is None:
        return Result.empty()
    latest = _latest(frame, as_of).sort_values(["entity"], kind="stable")
    pairs = latest.merge(latest, on="counterpart", suffixes=("_a", "_b"))
    pairs = pairs[pairs["entity_a"] != pairs["entity_b"]].reset_index(drop=True)
    a, b = quantities(_side_pair(pairs, "_a")), quantities(_side_pair(pairs, "_b"))
    result = subtract(a, b)
    method = [
        f"{qa} − {qb} = {qr}: {ctx.label(of)} for {ctx.name(ea)} ({pa}) minus that for "
        f"{ctx.name(eb)} ({pb})."
        for qa, qb, qr, ea, eb, pa, pb in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            pairs["entity_a"],
            pairs["entity_b"],
            pairs["period_a"],
            pairs["period_b"],
            strict=True,
        )
    ]
    return Result(
        _keys(pairs["entity_a"], pairs["entity_b"], [as_of.isoformat()] * len(pairs)),
        result,
        union(pairs["inputs_a"], pairs["inputs_b"]),
        union(pairs["sources_a"], pairs["sources_b"]),
        method,
    )


def _side_pair(pairs: pd.DataFrame, suffix: str) -> pd.DataFrame:
    cols = {c: c[: -len(suffix)] for c in pairs.columns if c.endswith(suffix)}
    return pairs[list(cols)].rename(columns=cols)


def difference(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """``minuend - subtrahend`` for the same entity, counterpart and period."""
    m, s = params["minuend"], params["subtrahend"]
    pairs = inputs[m].merge(
        inputs[s], on=["entity", "counterpart", "period"], suffixes=("_a", "_b")
    )
    a, b = quantities(_side_pair(pairs, "_a")), quantities(_side_pair(pairs, "_b"))
    result = subtract(a, b)
    method = [
        f"{qa} − {qb} = {qr}: {ctx.label(m)} minus {ctx.label(s)}, {ctx.pair(e, c)}, {p}."
        for qa, qb, qr, e, c, p in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            pairs["entity"],
            pairs["counterpart"],
            pairs["period"],
            strict=True,
        )
    ]
    return Result(
        _keys(pairs["entity"], pairs["counterpart"], pairs["period"]),
        result,
        union(pairs["inputs_a"], pairs["inputs_b"]),
        union(pairs["sources_a"], pairs["sources_b"]),
        method,
    )


def _series(
    params: Params,
    inputs: Inputs,
    ctx: Context,
    compute: Callable[[Quantities, Quantities, pd.DataFrame, pd.DataFrame], Quantities],
    sentence: Callable[[str, str, str, str, str], str],
) -> Result:
    """A figure of each series from its first (or ``from``) to its latest (or ``to``) period."""
    of = params["of"]
    first, last = _first_last(inputs[of], params)
    a, b = quantities(last), quantities(first)
    result = compute(a, b, first, last)
    method = [
        sentence(qa, qb, qr, f"{ctx.label(of)} ({ctx.pair(e, c)}) in {p1}", p0)
        for qa, qb, qr, e, c, p0, p1 in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            last["entity"],
            last["counterpart"],
            first["period"],
            last["period"],
            strict=True,
        )
    ]
    periods = [f"{p0}/{p1}" for p0, p1 in zip(first["period"], last["period"], strict=True)]
    return Result(
        _keys(last["entity"], last["counterpart"], periods),
        result,
        union(first["inputs"], last["inputs"]),
        union(first["sources"], last["sources"]),
        method,
    )


def change(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """Latest minus first, in the input's own units (``in: points``, the default: percentage
    points for a percentage) or as a percentage of the first (``in: percent``)."""
    if params.get("in", "points") == "percent":
        return _series(
            params,
            inputs,
            ctx,
            lambda a, b, _f, _l: increasing(divide(a, b), lambda r: (r - 1) * 100),
            lambda qa, qb, qr, what, p0: (
                f"({qa} ÷ {qb} − 1) × 100 = {qr}: {what} as a percentage change on {p0}."
            ),
        )
    return _series(
        params,
        inputs,
        ctx,
        lambda a, b, _f, _l: subtract(a, b),
        lambda qa, qb, qr, what, p0: f"{qa} − {qb} = {qr}: {what} minus that in {p0}.",
    )


def multiple(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """Latest divided by first: how many times a figure grew."""
    return _series(
        params,
        inputs,
        ctx,
        lambda a, b, _f, _l: divide(a, b),
        lambda qa, qb, qr, what, p0: f"{qa} ÷ {qb} = {qr}: {what} divided by that in {p0}.",
    )


def cagr(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """Compound annual growth, in percent a year: ((latest / first) ^ (1 / years) − 1) × 100.

    Years run from the end of the first period to the end of the latest (whole months / 12 when
    both end on a month's last day). The rate rises with the multiple, so ranges and bounds carry.
    """

    def compute(a: Quantities, b: Quantities, first: pd.DataFrame, last: pd.DataFrame):
        years = np.array(
            [years_between(p0, p1) for p0, p1 in zip(first["period"], last["period"], strict=True)]
        )
        growth = increasing(divide(a, b), lambda r: (r ** (1 / years) - 1) * 100)
        for i in np.flatnonzero(years <= 0):
            growth.error[i] = f"{first['period'].iloc[i]} to {last['period'].iloc[i]} is no span"
        return growth

    return _series(
        params,
        inputs,
        ctx,
        compute,
        lambda qa, qb, qr, what, p0: (
            f"(({qa} ÷ {qb}) ^ (1/years) − 1) × 100 = {qr}: compound "
            f"annual growth, percent a year, of {what} over {p0}."
        ),
    )


def share(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """A part as a percentage of its whole: ``part`` ÷ ``whole`` × 100.

    The whole is matched on the part's entity and period (``match: entity``, the default: India's
    deficit with Korea over India's total deficit, whose counterpart is WLD) or on its counterpart
    and period (``match: counterpart``: one source's investment in a country over all inward
    investment, whose entity is WLD); every part other than the whole itself gets a share. When
    part and whole are one indicator, its rows for an aggregate (WLD, a group) are the wholes.
    """
    part, whole = params["part"], params["whole"]
    key = params.get("match", "entity")
    other = "counterpart" if key == "entity" else "entity"
    wholes, parts = inputs[whole], inputs[part]
    if part == whole:
        aggregate = wholes[other].isin(ctx.aggregates)
        wholes, parts = wholes[aggregate], parts[~aggregate]
    dupes = wholes[wholes.duplicated([key, "period"], keep=False)]
    if len(dupes):
        return Result.empty(
            [
                f"{len(dupes)} {whole} figures for the same {key} and period "
                f"({', '.join(sorted(set(dupes[key] + ' ' + dupes['period'])))}): "
                "the whole is ambiguous"
            ]
        )
    pairs = parts.merge(wholes, on=[key, "period"], suffixes=("_a", "_b"))
    pairs = pairs[pairs[f"{other}_a"] != pairs[f"{other}_b"]].reset_index(drop=True)
    pairs["entity_out"] = pairs["entity"] if key == "entity" else pairs["entity_a"]
    pairs["counterpart_out"] = pairs["counterpart_a"] if key == "entity" else pairs["counterpart"]
    a = quantities(_side_pair(pairs, "_a"))
    b = quantities(_side_pair(pairs, "_b"))
    result = scale(divide(a, b), 100)
    method = [
        f"{qa} ÷ {qb} × 100 = {qr}: {ctx.label(part)}, {ctx.pair(e, c)} ({p}), as a percentage "
        f"of {ctx.label(whole)}."
        for qa, qb, qr, e, c, p in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            pairs["entity_out"],
            pairs["counterpart_out"],
            pairs["period"],
            strict=True,
        )
    ]
    return Result(
        _keys(pairs["entity_out"], pairs["counterpart_out"], pairs["period"]),
        result,
        union(pairs["inputs_a"], pairs["inputs_b"]),
        union(pairs["sources_a"], pairs["sources_b"]),
        method,
    )


def implied(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """The whole a part implies from its stated share: ``part`` ÷ (``share`` / 100).

    Part and share are matched on entity, counterpart and period; the result is written for the
    ``counterpart`` the spec names (the aggregate the whole stands for, such as WLD).
    """
    part, pct, code = params["part"], params["share"], params["counterpart"]
    pairs = inputs[part].merge(
        inputs[pct], on=["entity", "counterpart", "period"], suffixes=("_a", "_b")
    )
    a = quantities(_side_pair(pairs, "_a"))
    fraction = scale(quantities(_side_pair(pairs, "_b")), 0.01)
    result = divide(a, fraction)
    clash = pairs[pairs.duplicated(["entity", "period"], keep=False)]
    problems = []
    if len(clash):
        problems.append(
            f"several {part} figures imply the whole for the same entity and period "
            f"({', '.join(sorted(set(clash['entity'] + ' ' + clash['period'])))}): keep one share"
        )
        return Result.empty(problems)
    method = [
        f"{qa} ÷ {qf} = {qr}: {ctx.label(part)}, {ctx.pair(e, c)} ({p}), divided by "
        f"{ctx.name(c)}'s share ({ctx.label(pct)})."
        for qa, qf, qr, e, c, p in zip(
            a.describe(),
            fraction.describe(),
            result.describe(),
            pairs["entity"],
            pairs["counterpart"],
            pairs["period"],
            strict=True,
        )
    ]
    return Result(
        _keys(pairs["entity"], [code] * len(pairs), pairs["period"]),
        result,
        union(pairs["inputs_a"], pairs["inputs_b"]),
        union(pairs["sources_a"], pairs["sources_b"]),
        method,
    )


def total(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """The sum over counterparts (``over: counterpart``, the default) or over entities
    (``over: entity``) for each entity (or counterpart) and period, aggregates left out; written
    for the code ``as`` names (such as WLD)."""
    of, over, code = params["of"], params.get("over", "counterpart"), params["as"]
    frame = inputs[of]
    frame = frame[~frame[over].isin(ctx.aggregates) & (frame[over] != "")]
    keep = "entity" if over == "counterpart" else "counterpart"
    rows, figures, ins, srcs, method = [], [], [], [], []
    for (key, period), group in frame.groupby([keep, "period"], sort=True):
        q = quantities(group)
        acc = q.take([0])
        for i in range(1, len(group)):
            acc = add(acc, q.take([i]))
        rows.append((key, code) if keep == "entity" else (code, key))
        figures.append(acc)
        ins.append(tuple(dict.fromkeys(x for t in group["inputs"] for x in t)))
        srcs.append(tuple(dict.fromkeys(x for t in group["sources"] for x in t)))
        parts = " + ".join(q.describe())
        method.append(
            f"{parts} = {acc.describe()[0]}: {ctx.label(of)} summed over {len(group)} "
            f"{'counterparts' if over == 'counterpart' else 'entities'}, {period}."
        )
        rows[-1] = (*rows[-1], period)
    if not rows:
        return Result.empty()
    stacked = Quantities(
        *(np.concatenate([getattr(f, c) for f in figures]) for c in Quantities.__dataclass_fields__)
    )
    return Result(
        _keys([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]),
        stacked,
        ins,
        srcs,
        method,
    )


KINDS: dict[str, Kind] = {
    "rank": Kind(
        rank,
        ("of",),
        {"order": ("descending", "ascending"), "among": ("countries", "all"), "as_of": str},
        summary="each entity's place by its latest figure (1 = highest); ties share a rank",
    ),
    "gap": Kind(
        gap,
        ("of",),
        {"among": ("countries", "all"), "as_of": str},
        summary="one entity's latest figure minus another's",
    ),
    "difference": Kind(
        difference,
        ("minuend", "subtrahend"),
        summary="one indicator minus another, same entity, counterpart and period",
    ),
    "change": Kind(
        change,
        ("of",),
        {"in": ("points", "percent"), "from": str, "to": str},
        summary="latest minus first, in points or percent",
    ),
    "multiple": Kind(
        multiple, ("of",), {"from": str, "to": str}, summary="latest divided by first"
    ),
    "cagr": Kind(
        cagr, ("of",), {"from": str, "to": str}, summary="compound annual growth, percent a year"
    ),
    "share": Kind(
        share,
        ("part", "whole"),
        {"match": ("entity", "counterpart")},
        summary="a part as a percentage of its whole",
    ),
    "implied": Kind(
        implied,
        ("part", "share"),
        {"counterpart": str},
        required=("counterpart",),
        summary="the whole a part implies from its share: part ÷ (share / 100)",
    ),
    "sum": Kind(
        total,
        ("of",),
        {"over": ("counterpart", "entity"), "as": str},
        required=("as",),
        summary="the sum over counterparts or entities",
    ),
}
