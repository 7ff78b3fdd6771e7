"""Find the one figure a memo asks for: ``fact(indicator, entity, counterpart, period)``.

One rule for every stage that resolves a figure (the renderer, ``memo validate``, the planner):
an entity of None matches any entity, the counterpart must match exactly ("" for none), and a
period of None means the latest period of what matched. Exactly one figure must remain.
"""

from __future__ import annotations

from collections.abc import Iterable

from memo.core.periods import normal_period, period_end
from memo.core.records import Observation
from memo.core.text import normal


class MissingFigure(LookupError):
    """A memo asked for a figure the data do not hold, or hold more than once."""


def describe(
    indicator: str, entity: str | None, counterpart: str = "", period: str | None = None
) -> str:
    """The query as a reader of an error message wants it: ``"x" (entity=XBB, period=2024)``."""
    query = ", ".join(
        f"{k}={v}"
        for k, v in (("entity", entity), ("counterpart", counterpart), ("period", period))
        if v
    )
    return f'"{indicator}"' + (f" ({query})" if query else "")


def find(
    observations: Iterable[Observation],
    indicator: str,
    entity: str | None = None,
    counterpart: str = "",
    period: str | None = None,
) -> Observation:
    """Return the one observation matching the query; raise MissingFigure naming what went wrong.

    The query is taken in the normal form the data are read in (``memo.core.text.normal``; a
    period's ``q`` in capitals), so ``2025-q2`` in a template finds the figure of ``2025-Q2``."""
    indicator, counterpart = normal(indicator), normal(counterpart or "")
    entity = normal(entity) if entity is not None else None
    period = normal_period(period) if period is not None else None
    rows = [
        o
        for o in observations
        if o.indicator == indicator
        and (entity is None or o.entity == entity)
        and o.counterpart == (counterpart or "")
        and (period is None or o.period == period)
    ]
    if not rows:
        raise MissingFigure(
            f"no figure for indicator {describe(indicator, entity, counterpart, period)}"
        )
    if period is None:
        latest = max(period_end(o.period) for o in rows)
        rows = [o for o in rows if period_end(o.period) == latest]
    if len(rows) > 1:
        found = "; ".join(f"{o.entity}/{o.counterpart}/{o.period}" for o in rows)
        raise MissingFigure(
            f'figure for "{indicator}" is ambiguous ({found}): name the entity and period'
        )
    return rows[0]
