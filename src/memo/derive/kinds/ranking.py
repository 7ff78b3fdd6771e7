"""Kinds that place entities beside each other: ``rank`` and ``gap``."""

from __future__ import annotations

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
    latest = latest_rows(frame, as_of).copy()
    problems = unrankable(latest, "rank")
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
        keys_frame(latest["entity"], latest["counterpart"], [day] * len(latest)),
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
