"""Kinds that place entities beside each other: ``rank`` and ``gap``."""

from __future__ import annotations

import itertools

from memo.core.quantity import Quantities, subtract
from memo.derive.frame import quantities, union
from memo.derive.kinds.base import (
    Context,
    Inputs,
    Params,
    Result,
    as_of_date,
    countries_only,
    keys_frame,
    latest_rows,
    paired,
    unrankable,
)


def rank(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """Competition rank ("1224") of each entity's latest figure within each counterpart.

    1 = highest (``order: descending``, the default) or lowest (``ascending``); equal figures
    (to 9 decimals) share a rank and the next rank skips. Aggregates are left out unless
    ``among: all``. The rank is dated by the as-of date (latest period end in the topic, or
    ``as_of``); its inputs are every figure ranked beside it, since a rank depends on all of them.
    """
    of, descending = params["of"], params.get("order", "descending") == "descending"
    frame = countries_only(inputs[of], ctx, params.get("among", "countries"))
    as_of = as_of_date(frame, params)
    if as_of is None:
        return Result.empty()
    latest = latest_rows(frame, as_of)
    problems = unrankable(latest, "rank")
    if problems:
        return Result.empty(problems)
    # Sorted by counterpart, then figure (to 9 decimals, highest first when descending), then
    # entity: each counterpart's rows run together, equal figures beside each other.
    keys = (latest["value"].round(9) * (-1 if descending else 1)).tolist()
    counterparts, entities = latest["counterpart"].tolist(), latest["entity"].tolist()
    order = sorted(range(len(keys)), key=lambda i: (counterparts[i], keys[i], entities[i]))
    latest = latest.iloc[order].reset_index(drop=True)
    keys, counterparts = [keys[i] for i in order], [counterparts[i] for i in order]
    ranks: list[int] = []
    sizes: list[int] = []
    ties: list[int] = []
    group_inputs: dict[str, tuple[str, ...]] = {}
    group_sources: dict[str, tuple[str, ...]] = {}
    inputs_of, sources_of = latest["inputs"].tolist(), latest["sources"].tolist()
    for counterpart, grouped in itertools.groupby(range(len(keys)), key=counterparts.__getitem__):
        rows = list(grouped)
        group = [keys[i] for i in rows]
        ranks += [group.index(k) + 1 for k in group]  # "1224": after a tie the next rank skips
        sizes += [len(group)] * len(group)
        ties += [group.count(k) - 1 for k in group]
        group_inputs[counterpart] = tuple(dict.fromkeys(x for i in rows for x in inputs_of[i]))
        group_sources[counterpart] = tuple(dict.fromkeys(x for i in rows for x in sources_of[i]))
    top = "highest" if descending else "lowest"
    day = as_of.isoformat()
    method = [
        f"Competition rank (1 = {top}) of {ctx.label(of)} for {ctx.pair(e, c)} "
        f"({q}, {p}) among the latest figures of {n} entities on or before {day}: rank {k}"
        + (f", tied with {t} other" + ("s" if t > 1 else "") if t else "")
        + "."
        for e, c, p, q, n, k, t in zip(
            latest["entity"],
            latest["counterpart"],
            latest["period"],
            quantities(latest).describe(),
            sizes,
            ranks,
            ties,
            strict=True,
        )
    ]
    return Result(
        keys_frame(latest["entity"], latest["counterpart"], [day] * len(latest)),
        Quantities.points([float(k) for k in ranks]),
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
    frame = countries_only(inputs[of], ctx, params.get("among", "countries"))
    as_of = as_of_date(frame, params)
    if as_of is None:
        return Result.empty()
    latest = latest_rows(frame, as_of).sort_values(["entity"], kind="stable")
    first, second = paired(latest, latest, ["counterpart"], differ="entity")
    a, b = quantities(first), quantities(second)
    result = subtract(a, b)
    method = [
        f"{qa} − {qb} = {qr}: {ctx.label(of)} for {ctx.name(ea)} ({pa}) minus that for "
        f"{ctx.name(eb)} ({pb})."
        for qa, qb, qr, ea, eb, pa, pb in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            first["entity"],
            second["entity"],
            first["period"],
            second["period"],
            strict=True,
        )
    ]
    return Result(
        keys_frame(first["entity"], second["entity"], [as_of.isoformat()] * len(first)),
        result,
        union(first["inputs"], second["inputs"]),
        union(first["sources"], second["sources"]),
        method,
    )
