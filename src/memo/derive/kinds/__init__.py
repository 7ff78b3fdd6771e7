"""The kinds of derivation a dictionary entry may declare, each a small pure function of tables.

A kind takes the figure tables of its inputs (``memo.derive.frame``) within one topic, and returns
the derived figures as a table: keys (``entity, counterpart, period``), the bounded figure as
:class:`~memo.core.quantity.Quantities`, and the provenance columns (``inputs``, ``sources``,
``method``). Nothing here reads files or modifies its inputs. Adding a kind is a function here, its
entry in :data:`KINDS` and a test with a drawn fixture; using it is a ``derive:`` block in
``data/dictionary.yaml``:

.. code-block:: yaml

    investor_rank:
      derive: {kind: rank, of: investment_usd_bn}      # 1 = highest; ties share a rank
    trade_multiple:
      derive: {kind: multiple, of: trade_usd_bn}       # latest / first, per series
"""

from __future__ import annotations

from memo.derive.kinds.base import Context, Inputs, Kind, Params, Result
from memo.derive.kinds.parts import difference, implied, share, total
from memo.derive.kinds.ranking import gap, rank
from memo.derive.kinds.series import cagr, change, multiple

__all__ = [
    "KINDS",
    "Context",
    "Inputs",
    "Kind",
    "Params",
    "Result",
    "cagr",
    "change",
    "difference",
    "gap",
    "implied",
    "multiple",
    "rank",
    "share",
    "total",
]

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
