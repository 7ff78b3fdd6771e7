"""Kinds that follow one series over time: ``change``, ``multiple`` and ``cagr``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from memo.core.periods import years_between
from memo.core.quantity import Quantities, divide, increasing, subtract
from memo.derive.frame import quantities, union
from memo.derive.kinds.base import Context, Inputs, Params, Result, first_and_last, keys_frame


def _series(
    params: Params,
    inputs: Inputs,
    ctx: Context,
    compute: Callable[[Quantities, Quantities, pd.DataFrame, pd.DataFrame], Quantities],
    sentence: Callable[[str, str, str, str, str], str],
) -> Result:
    """A figure of each series from its first (or ``from``) to its latest (or ``to``) period."""
    of = params["of"]
    first, last = first_and_last(inputs[of], params)
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
        keys_frame(last["entity"], last["counterpart"], periods),
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
