"""The figure table: observations as a pandas DataFrame that keeps each row's provenance.

Columns: the figure (``indicator, entity, counterpart, period, value, low, high, qualifier, unit``),
its source (``source, note``), where it came from (``path, line``; ``inputs`` and ``sources`` for a
derived figure, with its ``method``), the ``topic`` it was derived for, and ``end`` (the last day of
its period, for ordering). Derivation kinds compute the provenance columns in the same vectorised
step as the value: the inputs of a derived row are the union of its operands' inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from memo.core.periods import period_end
from memo.core.quantity import Quantities
from memo.core.records import Observation
from memo.derive.store import FIGURE_COLUMNS


def observations_frame(observations: Iterable[Observation]) -> pd.DataFrame:
    """The figure table of stated observations (``inputs`` is each row's own reference)."""
    rows = [
        {
            "topic": o.topic,
            "indicator": o.indicator,
            "entity": o.entity,
            "counterpart": o.counterpart,
            "period": o.period,
            "value": o.value,
            "low": np.nan if o.low is None else o.low,
            "high": np.nan if o.high is None else o.high,
            "qualifier": o.qualifier,
            "unit": o.unit,
            "source": o.source,
            "note": o.note,
            "path": o.path,
            "line": o.line,
            "inputs": o.inputs or (o.ref,),
            "sources": o.all_sources,
            "method": o.method,
        }
        for o in observations
    ]
    frame = pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
    return with_end(frame)


def with_end(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the ``end`` column (last day of each period) used to order and cut series."""
    frame = frame.copy()
    frame["end"] = [period_end(p) for p in frame["period"]] if len(frame) else []
    return frame


def quantities(frame: pd.DataFrame) -> Quantities:
    """The bounded figures of a table's rows, in row order."""
    low = [None if pd.isna(x) else float(x) for x in frame["low"]]
    high = [None if pd.isna(x) else float(x) for x in frame["high"]]
    return Quantities.from_columns(
        frame["value"].to_numpy(dtype=float), low, high, list(frame["qualifier"].fillna(""))
    )


def figure_columns(q: Quantities) -> dict[str, Sequence]:
    """The ``value, low, high, qualifier`` columns (and ``error``) for computed figures."""
    ranged = q.low != q.high
    return {
        "value": q.value,
        "low": np.where(ranged, q.low, np.nan),
        "high": np.where(ranged, q.high, np.nan),
        "qualifier": q.qualifiers(),
        "error": q.errors(),
    }


def union(*columns: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Row by row, the union (in first-seen order) of tuple columns: provenance of a combination."""
    return [
        tuple(dict.fromkeys(x for col in row for x in col)) for row in zip(*columns, strict=True)
    ]


def to_observations(frame: pd.DataFrame) -> tuple[Observation, ...]:
    """Records for lookups (memo.render.facts) from a figure table."""
    out = []
    for r in frame.itertuples(index=False):
        out.append(
            Observation(
                indicator=r.indicator,
                entity=r.entity,
                counterpart=r.counterpart,
                period=r.period,
                value=float(r.value),
                low=None if pd.isna(r.low) else float(r.low),
                high=None if pd.isna(r.high) else float(r.high),
                qualifier=r.qualifier or "",
                unit=r.unit,
                source=r.source or "",
                note=r.note or "",
                path=r.path,
                line=int(r.line),
                # A stated row's provenance is itself (its ``ref`` and ``source``).
                inputs=tuple(r.inputs) if r.method else (),
                sources=tuple(r.sources) if r.method else (),
                method=r.method or "",
                topic=r.topic or "",
            )
        )
    return tuple(out)
