"""Kinds that combine figures of the same moment: ``difference``, ``share``, ``implied`` and
``sum``."""

from __future__ import annotations

import numpy as np

from memo.core.quantity import Quantities, add, divide, scale, subtract
from memo.derive.frame import quantities, union
from memo.derive.kinds.base import Context, Inputs, Params, Result, keys_frame, paired


def difference(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """``minuend - subtrahend`` for the same entity, counterpart and period."""
    m, s = params["minuend"], params["subtrahend"]
    left, right = paired(inputs[m], inputs[s], ["entity", "counterpart", "period"])
    a, b = quantities(left), quantities(right)
    result = subtract(a, b)
    method = [
        f"{qa} − {qb} = {qr}: {ctx.label(m)} minus {ctx.label(s)}, {ctx.pair(e, c)}, {p}."
        for qa, qb, qr, e, c, p in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            left["entity"],
            left["counterpart"],
            left["period"],
            strict=True,
        )
    ]
    return Result(
        keys_frame(left["entity"], left["counterpart"], left["period"]),
        result,
        union(left["inputs"], right["inputs"]),
        union(left["sources"], right["sources"]),
        method,
    )


def share(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """A part as a percentage of its whole: ``part`` ÷ ``whole`` × 100.

    The whole is matched on the part's entity and period (``match: entity``, the default: a country's
    deficit with one partner over its total deficit, whose counterpart is the world) or on its counterpart
    and period (``match: counterpart``: one source's investment in a country over all inward
    investment, whose entity is the world); every part other than the whole itself gets a share. When
    part and whole are one indicator, its rows for an aggregate (the world, a group) are the wholes.
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
    # The part's entity and counterpart name the share: one of them is the key, the same on both.
    part_rows, whole_rows = paired(parts, wholes, [key, "period"], differ=other)
    a, b = quantities(part_rows), quantities(whole_rows)
    result = scale(divide(a, b), 100)
    method = [
        f"{qa} ÷ {qb} × 100 = {qr}: {ctx.label(part)}, {ctx.pair(e, c)} ({p}), as a percentage "
        f"of {ctx.label(whole)}."
        for qa, qb, qr, e, c, p in zip(
            a.describe(),
            b.describe(),
            result.describe(),
            part_rows["entity"],
            part_rows["counterpart"],
            part_rows["period"],
            strict=True,
        )
    ]
    return Result(
        keys_frame(part_rows["entity"], part_rows["counterpart"], part_rows["period"]),
        result,
        union(part_rows["inputs"], whole_rows["inputs"]),
        union(part_rows["sources"], whole_rows["sources"]),
        method,
    )


def implied(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """The whole a part implies from its stated share: ``part`` ÷ (``share`` / 100).

    Part and share are matched on entity, counterpart and period; the result is written for the
    ``counterpart`` the spec names (the aggregate the whole stands for, such as the world).
    """
    part, pct, code = params["part"], params["share"], params["counterpart"]
    parts, shares = paired(inputs[part], inputs[pct], ["entity", "counterpart", "period"])
    a = quantities(parts)
    fraction = scale(quantities(shares), 0.01)
    result = divide(a, fraction)
    clash = parts[parts.duplicated(["entity", "period"], keep=False)]
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
            parts["entity"],
            parts["counterpart"],
            parts["period"],
            strict=True,
        )
    ]
    return Result(
        keys_frame(parts["entity"], [code] * len(parts), parts["period"]),
        result,
        union(parts["inputs"], shares["inputs"]),
        union(parts["sources"], shares["sources"]),
        method,
    )


def total(params: Params, inputs: Inputs, ctx: Context) -> Result:
    """The sum over counterparts (``over: counterpart``, the default) or over entities
    (``over: entity``) for each entity (or counterpart) and period, aggregates left out; written
    for the code ``as`` names (such as the world)."""
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
        keys_frame([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]),
        stacked,
        ins,
        srcs,
        method,
    )
