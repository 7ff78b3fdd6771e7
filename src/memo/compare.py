"""Derived comparisons: pure functions from observations to new, derived observations and tables.

Nothing here reads or writes files, and nothing modifies its inputs: records are frozen and every
function returns new ones. ``memo.derive`` calls these functions and saves what they return.

Rules chosen here (see each function for details):

* **Periods** stand for their *last day* (``2024`` -> 2024-12-31, ``2025-Q2`` -> 2025-06-30,
  ``2025-07`` -> 2025-07-31, an interval ``2021/2025`` -> the end of ``2025``). A figure counts as
  "on or before" an as-of date only when its whole period has ended by then, so a July figure never
  stands for mid-July, when it may not yet have been in force.
* **Qualifiers and ranges** propagate through arithmetic by interval arithmetic on the stated ends
  plus a one-sided "bound direction"; see :class:`Quantity`, :func:`subtract`, :func:`divide`.
* **Approximation**: a derived figure is ``about`` when any input is ``about`` or ``nearly``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memo.model import INDICATOR_COLUMNS, Observation

DERIVED_PATH = "build/derived/derived.csv"

# Unit ids of derived figures (data/dictionary.yaml `units:`).
UNIT_PERCENT = "percent"
UNIT_PP = "percentage_points"
UNIT_RANK = "rank"
UNIT_TIMES = "times"

# Input indicator ids.
TARIFF = "us_tariff_rate_pct"
DEFICIT = "trade_deficit_usd_bn"
DEFICIT_SHARE = "share_of_trade_deficit_pct"
CRUDE_SHARE = "crude_import_share_pct"
BILATERAL_TRADE = "bilateral_trade_usd_bn"

# Derived indicator ids.
TARIFF_RANK = "us_tariff_rank"
TARIFF_GAP = "us_tariff_gap_pp"
DEFICIT_TOTAL = "trade_deficit_total_usd_bn"
SHARE_OF_TOTAL = "share_of_total_deficit_pct"
CRUDE_CHANGE = "crude_import_share_change_pp"
CRUDE_MULTIPLE = "crude_import_share_multiple"
TRADE_MULTIPLE = "bilateral_trade_multiple"
TRADE_CAGR = "bilateral_trade_cagr_pct"

WORLD = "WLD"


# ---- bounded quantities ---------------------------------------------------------------------


class BoundsError(ValueError):
    """A computation whose result the qualifier list cannot bound or express."""


_QUALIFIER_BOUNDS: dict[str, tuple[int, bool, bool]] = {
    # qualifier: (bound direction, strict, approximate)
    "": (0, True, False),
    "about": (0, True, True),
    "nearly": (0, True, True),
    "more_than": (1, True, False),
    "less_than": (-1, True, False),
    "up_to": (-1, False, False),
}


@dataclass(frozen=True)
class Quantity:
    """A figure as a source bounds it: stated ends ``low..high`` plus an optional one-sided bound.

    ``low == high`` for a point figure. ``bound`` says where the true value lies relative to the
    stated figure: ``0`` at it (exactly, or roughly when ``approx``), ``+1`` above it
    (``more_than``), ``-1`` below it (``less_than``, strict; ``up_to``, not strict). For a range
    with a bound, the bound holds for some point of the range: "more than 34-38" means the true
    value exceeds a threshold that lies between 34 and 38, so it certainly exceeds 34.

    Mapping from qualifiers: ``""`` exact; ``about`` and ``nearly`` approximate (``nearly`` is
    treated like ``about``: its "just under" sense is not carried as a bound); ``more_than`` =
    strict lower bound; ``less_than`` = strict upper bound; ``up_to`` = non-strict upper bound.
    """

    low: float
    high: float
    bound: int = 0
    strict: bool = True
    approx: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        if self.bound not in (-1, 0, 1):
            raise ValueError(f"bound must be -1, 0 or 1, not {self.bound}")

    @classmethod
    def point(cls, value: float) -> Quantity:
        """Make an exact point figure."""
        return cls(value, value)

    @classmethod
    def from_parts(
        cls, value: float, low: float | None, high: float | None, qualifier: str
    ) -> Quantity:
        """Make a quantity from the ``value, low, high, qualifier`` columns of a row."""
        if qualifier not in _QUALIFIER_BOUNDS:
            raise ValueError(f"unknown qualifier {qualifier!r}")
        bound, strict, approx = _QUALIFIER_BOUNDS[qualifier]
        if low is not None and high is not None:
            return cls(low, high, bound, strict, approx)
        return cls(value, value, bound, strict, approx)

    @classmethod
    def of(cls, obs: Observation) -> Quantity:
        """Make the quantity an observation states (its range or value, and its qualifier)."""
        return cls.from_parts(obs.value, obs.low, obs.high, obs.qualifier)

    @property
    def is_range(self) -> bool:
        """Whether the stated figure is a range rather than a point."""
        return self.low != self.high

    @property
    def value(self) -> float:
        """Return the point figure: the midpoint of the range (``low`` itself for a point)."""
        return self.low if self.low == self.high else (self.low + self.high) / 2

    @property
    def qualifier(self) -> str:
        """Return the qualifier expressing this quantity; raise BoundsError when none can."""
        if self.bound and self.approx:
            raise BoundsError(
                "the result is a bound on an approximate figure ('more/less than about …'), "
                "which no single qualifier expresses"
            )
        if self.bound > 0:
            if not self.strict:
                raise BoundsError(
                    "the result is a non-strict lower bound ('at least …'), "
                    "which the qualifier list cannot express"
                )
            return "more_than"
        if self.bound < 0:
            return "less_than" if self.strict else "up_to"
        return "about" if self.approx else ""

    def fields(self) -> tuple[float, float | None, float | None, str]:
        """Return the ``value, low, high, qualifier`` columns for this quantity."""
        if self.is_range:
            return self.value, self.low, self.high, self.qualifier
        return self.value, None, None, self.qualifier

    def describe(self) -> str:
        """Return a plain-text rendering for method sentences (``more than 34–38``)."""
        words = {
            "": "",
            "about": "about ",
            "more_than": "more than ",
            "less_than": "less than ",
            "up_to": "up to ",
        }
        try:
            prefix = words[self.qualifier]
        except BoundsError:
            prefix = "(unbounded) "
        figure = f"{num(self.low)}–{num(self.high)}" if self.is_range else num(self.low)
        return prefix + figure


def _combine_bounds(parts: Sequence[tuple[int, bool]], what: str) -> tuple[int, bool]:
    """Combine bound directions (already oriented for the result); return (direction, strict)."""
    directions = {d for d, _ in parts if d}
    if len(directions) > 1:
        raise BoundsError(
            f"cannot bound {what}: one input pushes the result up and another pulls it down, "
            "so the result has neither an upper nor a lower bound"
        )
    if not directions:
        return 0, True
    direction = directions.pop()
    # One strict contribution makes the sum of inequalities strict.
    strict = any(s for d, s in parts if d == direction)
    return direction, strict


def _expressible(q: Quantity) -> Quantity:
    """Return ``q`` if a qualifier can express it; raise BoundsError now rather than on output."""
    _ = q.qualifier
    return q


def subtract(a: Quantity, b: Quantity) -> Quantity:
    """Return ``a - b`` with its range, bound and approximation propagated.

    Rule (interval arithmetic): the stated ends give ``[a.low - b.high, a.high - b.low]``. Bounds:
    ``a``'s bound keeps its direction and ``b``'s flips (subtracting something that is *less than*
    2 leaves *more than* the difference). When the two resulting directions agree (or only one is
    set), the result has that bound, strict if either contributing bound is strict. When they
    disagree (``more_than - more_than``, ``less_than - less_than``, ``more_than - up_to`` …), the
    result is unbounded and BoundsError is raised. The result is approximate when either input is.
    """
    direction, strict = _combine_bounds(
        [(a.bound, a.strict), (-b.bound, b.strict)],
        f"({a.describe()}) − ({b.describe()})",
    )
    return _expressible(
        Quantity(a.low - b.high, a.high - b.low, direction, strict, a.approx or b.approx)
    )


def divide(a: Quantity, b: Quantity) -> Quantity:
    """Return ``a / b`` for positive quantities, with range, bound and approximation propagated.

    Rule: both true values must be positive (shares, trade values, rates), so every stated end must
    be above zero; otherwise BoundsError (the sign, or a division by zero, would be unknown). The
    stated ends give ``[a.low / b.high, a.high / b.low]``. Bounds: ``a``'s keeps its direction and
    ``b``'s flips (dividing by something *less than* 2 gives *more than* the quotient); agreeing
    directions give that bound (strict if any contributing bound is strict), opposing directions
    raise BoundsError. The result is approximate when either input is.
    """
    what = f"({a.describe()}) ÷ ({b.describe()})"
    if a.low <= 0 or b.low <= 0:
        raise BoundsError(f"cannot bound {what}: division needs figures above zero")
    direction, strict = _combine_bounds([(a.bound, a.strict), (-b.bound, b.strict)], what)
    return _expressible(
        Quantity(a.low / b.high, a.high / b.low, direction, strict, a.approx or b.approx)
    )


def scale(q: Quantity, factor: float) -> Quantity:
    """Return ``q * factor`` for an exact non-zero factor; a negative factor flips the bound."""
    if factor == 0:
        raise ValueError("scale factor must not be zero")
    ends = sorted((q.low * factor, q.high * factor))
    bound = q.bound if factor > 0 else -q.bound
    return Quantity(ends[0], ends[1], bound, q.strict, q.approx)


def apply_increasing(q: Quantity, func: Callable[[float], float]) -> Quantity:
    """Return ``func(q)`` for a strictly increasing ``func``: ends mapped, bound kept."""
    return Quantity(func(q.low), func(q.high), q.bound, q.strict, q.approx)


# ---- periods ------------------------------------------------------------------------------------


def period_end(period: str | dt.date) -> dt.date:
    """Return the last day an ISO 8601 period covers; an interval ``A/B`` ends where ``B`` ends.

    ``2024`` -> 2024-12-31, ``2025-Q2`` -> 2025-06-30, ``2025-07`` -> 2025-07-31,
    ``2025-08-06`` -> itself. Raises ValueError for anything else.
    """
    if isinstance(period, dt.date):
        return period
    text = period.split("/")[-1].strip()
    parts = text.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1 and len(parts[0]) == 4:
            return dt.date(year, 12, 31)
        if len(parts) == 2 and parts[1][:1] in ("Q", "q"):
            quarter = int(parts[1][1:])
            if not 1 <= quarter <= 4:
                raise ValueError
            month = 3 * quarter
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 2:
            month = int(parts[1])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 3:
            return dt.date(year, int(parts[1]), int(parts[2]))
    except ValueError:
        pass
    raise ValueError(f"not an ISO 8601 period: {period!r}")


def years_between(start: str, end: str) -> float:
    """Return the years from the end of ``start`` to the end of ``end`` (``2000``, ``2024`` -> 24).

    When both periods end on a month's last day (years, quarters, months) the count is whole
    months / 12; otherwise days / 365.2425.
    """
    d1, d2 = period_end(start), period_end(end)

    def month_end(d: dt.date) -> bool:
        return d.day == calendar.monthrange(d.year, d.month)[1]

    if month_end(d1) and month_end(d2):
        return ((d2.year - d1.year) * 12 + (d2.month - d1.month)) / 12
    return (d2 - d1).days / 365.2425


# ---- shared helpers -------------------------------------------------------------------------


def num(x: float) -> str:
    """Format a number for a method sentence: 1 decimal from 1 up, else 3; no trailing zeros."""
    digits = 1 if abs(x) >= 1 else 3
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _provenance(rows: Iterable[Observation]) -> dict[str, tuple[str, ...]]:
    """Return the ``inputs`` and ``sources`` fields for a figure computed from ``rows``."""
    rows = list(rows)
    return {
        "inputs": _unique(o.ref for o in rows),
        "sources": _unique(s for o in rows for s in o.all_sources),
    }


def _derived(
    indicator: str,
    entity: str,
    counterpart: str,
    period: str,
    q: Quantity,
    unit: str,
    rows: Iterable[Observation],
    method: str,
    note: str = "",
) -> Observation:
    value, low, high, qualifier = q.fields()
    return Observation(
        indicator=indicator,
        entity=entity,
        counterpart=counterpart,
        period=period,
        value=float(value),
        low=None if low is None else float(low),
        high=None if high is None else float(high),
        qualifier=qualifier,
        unit=unit,
        source="",
        note=note,
        path=DERIVED_PATH,
        line=0,
        method=method,
        **_provenance(rows),
    )


def select(
    observations: Iterable[Observation], indicator: str, entity: str, counterpart: str = ""
) -> list[Observation]:
    """Return the rows of one series, oldest period end first; raise LookupError when none."""
    rows = [
        o
        for o in observations
        if o.indicator == indicator and o.entity == entity and o.counterpart == counterpart
    ]
    if not rows:
        pair = f"{entity}/{counterpart}" if counterpart else entity
        raise LookupError(f"no {indicator} rows for {pair} in the data")
    return sorted(rows, key=lambda o: (period_end(o.period), o.period))


def _name(names: Mapping[str, str], code: str) -> str:
    return names.get(code, code)


@dataclass(frozen=True)
class Table:
    """A tidy table: one row per record, values in ``columns`` order."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """Return the rows as dicts keyed by column (fresh dicts: safe to modify)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Comparison:
    """What one comparison produces: derived observations and one tidy table."""

    observations: tuple[Observation, ...]
    table: Table


# ---- 1. tariff ranking ----------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    """One country's place in the tariff ranking."""

    rank: int
    entity: str
    rate: float
    tied: bool
    tied_with: tuple[str, ...]
    period: str
    as_of: str
    input: str
    source: str


RANKING_COLUMNS = (
    "rank",
    "entity",
    "rate",
    "tied",
    "tied_with",
    "period",
    "as_of",
    "input",
    "source",
)


def latest_by_entity(
    observations: Iterable[Observation], as_of: str | dt.date | None = None
) -> tuple[Observation, ...]:
    """Return each entity's latest row (by period end, on or before ``as_of`` if given).

    Meant for one series (e.g. every ``us_tariff_rate_pct`` row); rows come back sorted by entity.
    A row counts when its period's last day is on or before ``as_of``; ties on the period end
    go to the later period text, so the choice is deterministic.
    """
    rows = tuple(observations)
    if not rows:
        return ()
    cutoff = period_end(as_of) if as_of is not None else None
    latest: dict[str, Observation] = {}
    for o in rows:
        end = period_end(o.period)
        if cutoff is not None and end > cutoff:
            continue
        best = latest.get(o.entity)
        if best is None or (end, o.period) > (period_end(best.period), best.period):
            latest[o.entity] = o
    return tuple(latest[e] for e in sorted(latest))


def latest_as_of(
    observations: Iterable[Observation],
    indicator: str = TARIFF,
    as_of: str | dt.date | None = None,
) -> tuple[dt.date, dict[str, Observation]]:
    """Return the as-of date and, per entity, its latest row of ``indicator`` on or before it.

    ``as_of`` defaults to the latest period end in the data. A row qualifies when its period's
    last day is on or before the as-of date (see the module notes); among those, the one with the
    latest period end wins (ties broken by the period text, so the choice is deterministic).
    """
    rows = [o for o in observations if o.indicator == indicator]
    if not rows:
        raise LookupError(f"no {indicator} rows in the data")
    cutoff = period_end(as_of) if as_of is not None else max(period_end(o.period) for o in rows)
    latest = {o.entity: o for o in latest_by_entity(rows, cutoff)}
    if not latest:
        raise LookupError(f"no {indicator} rows on or before {cutoff.isoformat()}")
    return cutoff, latest


def tariff_ranking(
    observations: Iterable[Observation],
    as_of: str | dt.date | None = None,
    indicator: str = TARIFF,
) -> tuple[RankRow, ...]:
    """Rank countries by their latest tariff rate on or before ``as_of`` (1 = highest).

    Competition ranking ("1224"): tied rates share a rank and the next rank skips, so IND 50,
    BRA 50, SYR 41 rank 1, 1, 3. Rates tie when equal after rounding to 9 decimals. Only point
    figures (qualifier ``""``, ``about`` or ``nearly``) can be ranked; a range or a one-sided bound
    raises BoundsError. Rows are ordered by rank, then entity code.
    """
    cutoff, latest = latest_as_of(observations, indicator, as_of)
    for o in latest.values():
        q = Quantity.of(o)
        if q.is_range or q.bound:
            raise BoundsError(
                f"{o.ref}: cannot rank {o.entity}'s {indicator} "
                f"({q.describe()}): a range or bound has no single place in a ranking"
            )

    def rate(o: Observation) -> float:
        return round(o.value, 9)

    ordered = sorted(latest.values(), key=lambda o: (-rate(o), o.entity))
    rows = []
    for o in ordered:
        rank = 1 + sum(1 for other in ordered if rate(other) > rate(o))
        tied_with = tuple(
            other.entity for other in ordered if other is not o and rate(other) == rate(o)
        )
        rows.append(
            RankRow(
                rank=rank,
                entity=o.entity,
                rate=o.value,
                tied=bool(tied_with),
                tied_with=tied_with,
                period=o.period,
                as_of=cutoff.isoformat(),
                input=o.ref,
                source=o.source,
            )
        )
    return tuple(rows)


def compare_tariffs(
    observations: Iterable[Observation],
    as_of: str | dt.date | None = None,
    focus: str = "IND",
    names: Mapping[str, str] | None = None,
) -> Comparison:
    """Derive ``us_tariff_rank`` for every country and ``us_tariff_gap_pp`` of ``focus`` vs each.

    Both are dated by the as-of date (``period`` = ``YYYY-MM-DD``). A rank's inputs are every row
    in the ranking (a rank depends on all of them); a gap's inputs are the two rows compared.
    The tidy table is ``tariff_ranking`` (columns :data:`RANKING_COLUMNS`).
    """
    names = names or {}
    observations = tuple(observations)
    ranking = tariff_ranking(observations, as_of)
    as_of_text = ranking[0].as_of
    _, latest = latest_as_of(observations, TARIFF, as_of)
    used = [latest[r.entity] for r in ranking]
    out: list[Observation] = []
    for r in ranking:
        if r.tied:
            tie = ", tied with " + ", ".join(_name(names, c) for c in r.tied_with)
        else:
            tie = ""
        method = (
            f"Competition rank (1 = highest) of the US tariff rate on goods from "
            f"{_name(names, r.entity)} ({num(r.rate)}%, {r.period}) among the latest rates of "
            f"{len(ranking)} countries on or before {as_of_text}: rank {r.rank}{tie}."
        )
        out.append(
            _derived(
                TARIFF_RANK,
                r.entity,
                "",
                as_of_text,
                Quantity.point(r.rank),
                UNIT_RANK,
                used,
                method,
            )
        )
    if focus in latest:
        mine = latest[focus]
        for r in ranking:
            if r.entity == focus:
                continue
            other = latest[r.entity]
            gap = subtract(Quantity.of(mine), Quantity.of(other))
            method = (
                f"{Quantity.of(mine).describe()} − {Quantity.of(other).describe()} = "
                f"{gap.describe()}: the US tariff rate on goods from {_name(names, focus)} "
                f"({mine.period}) minus that on goods from {_name(names, r.entity)} "
                f"({other.period}), in percentage points."
            )
            out.append(
                _derived(
                    TARIFF_GAP, focus, r.entity, as_of_text, gap, UNIT_PP, [mine, other], method
                )
            )
    table = Table(
        "tariff_ranking",
        RANKING_COLUMNS,
        tuple(tuple(getattr(r, c) for c in RANKING_COLUMNS) for r in ranking),
    )
    return Comparison(tuple(out), table)


# ---- 2. deficit shares ----------------------------------------------------------------------

DEFICIT_COLUMNS = (
    "entity",
    "counterpart",
    "period",
    "deficit_usd_bn",
    "deficit_qualifier",
    "share_pct",
    "share_low",
    "share_high",
    "share_qualifier",
    "basis",
    "total_usd_bn",
    "total_period",
    "inputs",
)


def compare_deficits(
    observations: Iterable[Observation],
    entity: str = "IND",
    anchor: str = "CHN",
    names: Mapping[str, str] | None = None,
) -> Comparison:
    """Derive the total trade deficit implied by one partner's share, and the others' shares.

    ``trade_deficit_total_usd_bn`` (entity, counterpart WLD) = deficit with ``anchor`` ÷ (anchor's
    stated share / 100), for the latest period in which both are stated; full precision is kept.
    ``share_of_total_deficit_pct`` (entity, partner) = deficit with partner ÷ total × 100 for every
    other partner with a ``trade_deficit_usd_bn`` row, using its row for the total's period when
    there is one, else its latest row (the ``note`` then says the periods differ). Qualifiers and
    ranges propagate by :func:`divide`: "about" on any input makes the result "about"; a one-sided
    bound on an input gives a one-sided result.

    The anchor's own share is *not* derived again (it would equal the stated share by
    construction); it appears in the tidy table ``deficit_shares`` with ``basis`` = ``stated``,
    next to the derived shares (``basis`` = ``derived``).
    """
    names = names or {}
    observations = tuple(observations)
    deficits = select(observations, DEFICIT, entity, anchor)
    shares = select(observations, DEFICIT_SHARE, entity, anchor)
    share_periods = {o.period: o for o in shares}
    pairs = [(d, share_periods[d.period]) for d in deficits if d.period in share_periods]
    if not pairs:
        raise LookupError(
            f"no period with both {DEFICIT} and {DEFICIT_SHARE} for {entity}/{anchor}"
        )
    anchor_deficit, anchor_share = pairs[-1]
    period = anchor_deficit.period
    share_fraction = scale(Quantity.of(anchor_share), 0.01)
    total = divide(Quantity.of(anchor_deficit), share_fraction)
    who, partner = _name(names, entity), _name(names, anchor)
    method = (
        f"{Quantity.of(anchor_deficit).describe()} ÷ {share_fraction.describe()} = "
        f"{total.describe()}: {who}'s trade deficit with {partner} ({period}) divided by "
        f"{partner}'s share of {who}'s total trade deficit."
    )
    total_rows = [anchor_deficit, anchor_share]
    out = [
        _derived(
            DEFICIT_TOTAL, entity, WORLD, period, total, anchor_deficit.unit, total_rows, method
        )
    ]
    table_rows: list[tuple[Any, ...]] = []
    share_q = Quantity.of(anchor_share)
    table_rows.append(
        (
            entity,
            anchor,
            period,
            anchor_deficit.value,
            anchor_deficit.qualifier,
            share_q.value,
            anchor_share.low,
            anchor_share.high,
            anchor_share.qualifier,
            "stated",
            total.value,
            period,
            _provenance([anchor_deficit, anchor_share])["inputs"],
        )
    )
    partners = sorted(
        {
            o.counterpart
            for o in observations
            if o.indicator == DEFICIT
            and o.entity == entity
            and o.counterpart not in ("", anchor, WORLD)
        }
    )
    for code in partners:
        rows = select(observations, DEFICIT, entity, code)
        same = [o for o in rows if o.period == period]
        row = same[-1] if same else rows[-1]
        share = scale(divide(Quantity.of(row), total), 100)
        note = "" if row.period == period else f"periods differ: {row.period} vs total {period}"
        method = (
            f"{Quantity.of(row).describe()} ÷ {total.describe()} × 100 = {share.describe()}: "
            f"{who}'s trade deficit with {_name(names, code)} ({row.period}) as a percentage of "
            f"{who}'s total trade deficit ({period}) implied by {partner}'s share."
        )
        used = [row, *total_rows]
        out.append(
            _derived(
                SHARE_OF_TOTAL, entity, code, row.period, share, UNIT_PERCENT, used, method, note
            )
        )
        value, low, high, qualifier = share.fields()
        table_rows.append(
            (
                entity,
                code,
                row.period,
                row.value,
                row.qualifier,
                value,
                low,
                high,
                qualifier,
                "derived",
                total.value,
                period,
                _provenance(used)["inputs"],
            )
        )
    table_rows.sort(key=lambda r: (-r[5], r[1]))
    return Comparison(tuple(out), Table("deficit_shares", DEFICIT_COLUMNS, tuple(table_rows)))


# ---- 3. oil dependence, 4. trade growth -----------------------------------------------------

# A series table: the role of a row (input or derived), the figure's columns, and its inputs.
SERIES_COLUMNS = ("role", *INDICATOR_COLUMNS[: INDICATOR_COLUMNS.index("unit") + 1], "inputs")


def _series_table(
    name: str, inputs: Sequence[Observation], derived: Sequence[Observation]
) -> Table:
    rows = []
    for role, group in (("input", inputs), ("derived", derived)):
        for o in group:
            refs = (o.ref,) if role == "input" else o.inputs
            rows.append(
                (
                    role,
                    o.indicator,
                    o.entity,
                    o.counterpart,
                    o.period,
                    o.value,
                    o.low,
                    o.high,
                    o.qualifier,
                    o.unit,
                    refs,
                )
            )
    return Table(name, SERIES_COLUMNS, tuple(rows))


def _first_and_last(
    observations: Iterable[Observation], indicator: str, entity: str, counterpart: str
) -> tuple[Observation, Observation]:
    """The earliest and the latest observation of a series; a comparison needs two periods."""
    rows = select(tuple(observations), indicator, entity, counterpart)
    if len(rows) < 2:
        raise LookupError(f"{indicator} for {entity}/{counterpart} needs two periods")
    return rows[0], rows[-1]


def compare_oil(
    observations: Iterable[Observation],
    entity: str = "IND",
    counterpart: str = "RUS",
    names: Mapping[str, str] | None = None,
) -> Comparison:
    """Derive the change (pp) and multiple of a crude-import share from its first to latest period.

    ``crude_import_share_change_pp`` = latest − first by :func:`subtract`; ``…_multiple`` (times)
    = latest ÷ first by :func:`divide`; both dated by the ISO interval ``first/latest``. With 2021
    "less than 2" and 2025 "36–40" these are "more than 34–38" pp and "more than 18–20" times.
    Tidy table ``oil_dependence`` lists the two inputs and the two derived figures.
    """
    names = names or {}
    first, last = _first_and_last(observations, CRUDE_SHARE, entity, counterpart)
    a, b = Quantity.of(last), Quantity.of(first)
    period = f"{first.period}/{last.period}"
    what = (
        f"{_name(names, entity)}'s share of crude imports from {_name(names, counterpart)} "
        f"in {last.period}"
    )
    change = subtract(a, b)
    multiple = divide(a, b)
    derived = (
        _derived(
            CRUDE_CHANGE,
            entity,
            counterpart,
            period,
            change,
            UNIT_PP,
            [first, last],
            f"{a.describe()} − {b.describe()} = {change.describe()}: {what} minus that in "
            f"{first.period}, in percentage points.",
        ),
        _derived(
            CRUDE_MULTIPLE,
            entity,
            counterpart,
            period,
            multiple,
            UNIT_TIMES,
            [first, last],
            f"{a.describe()} ÷ {b.describe()} = {multiple.describe()}: {what} divided by that in "
            f"{first.period}.",
        ),
    )
    return Comparison(derived, _series_table("oil_dependence", [first, last], derived))


def compare_trade_growth(
    observations: Iterable[Observation],
    entity: str = "USA",
    counterpart: str = "IND",
    names: Mapping[str, str] | None = None,
) -> Comparison:
    """Derive the multiple and compound annual growth of bilateral trade, first to latest period.

    ``bilateral_trade_multiple`` (times) = latest ÷ first; ``bilateral_trade_cagr_pct`` =
    ((latest ÷ first) ** (1 / years) − 1) × 100 with years from :func:`years_between`; both dated
    ``first/latest``. The CAGR is increasing in the multiple, so ranges and bounds carry over.
    Tidy table ``trade_growth`` lists the two inputs and the two derived figures.
    """
    names = names or {}
    first, last = _first_and_last(observations, BILATERAL_TRADE, entity, counterpart)
    a, b = Quantity.of(last), Quantity.of(first)
    years = years_between(first.period, last.period)
    if years <= 0:
        raise ValueError(f"{first.period} to {last.period} is not a positive span")
    period = f"{first.period}/{last.period}"
    multiple = divide(a, b)
    cagr = apply_increasing(multiple, lambda r: (r ** (1 / years) - 1) * 100)
    trade = f"trade between {_name(names, entity)} and {_name(names, counterpart)}"
    what = f"{trade} in {last.period}"
    derived = (
        _derived(
            TRADE_MULTIPLE,
            entity,
            counterpart,
            period,
            multiple,
            UNIT_TIMES,
            [first, last],
            f"{a.describe()} ÷ {b.describe()} = {multiple.describe()}: {what} divided by that in "
            f"{first.period}.",
        ),
        _derived(
            TRADE_CAGR,
            entity,
            counterpart,
            period,
            cagr,
            UNIT_PERCENT,
            [first, last],
            f"(({a.describe()} ÷ {b.describe()}) ^ (1/{num(years)}) − 1) × 100 = "
            f"{cagr.describe()}: compound annual growth of {trade} "
            f"from {first.period} to {last.period}, in percent a year.",
        ),
    )
    return Comparison(derived, _series_table("trade_growth", [first, last], derived))


# ---- wording helpers for memos --------------------------------------------------------------


def _as_bool(x: Any) -> bool:
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    return bool(x)


def _as_codes(x: Any) -> tuple[str, ...]:
    if isinstance(x, str):
        return tuple(c for c in x.split(";") if c)
    return tuple(x or ())


def rank_standing(ranking: Iterable[RankRow | Mapping[str, Any]], entity: str) -> dict[str, Any]:
    """Return where ``entity`` stands: ``rank``, ``tied``, ``tied_with``, ``is_top``, ``out_of``.

    ``ranking`` is :func:`tariff_ranking`'s rows, ``Table.records()``, or rows read back from
    ``tariff_ranking.csv`` (strings: ``"1"``, ``"true"``, ``"BRA;SYR"``). Raises KeyError when
    ``entity`` is not ranked.
    """
    rows = [r if isinstance(r, Mapping) else dataclasses.asdict(r) for r in ranking]
    for r in rows:
        if r["entity"] == entity:
            rank = int(float(r["rank"]))
            return {
                "rank": rank,
                "tied": _as_bool(r["tied"]),
                "tied_with": _as_codes(r["tied_with"]),
                "is_top": rank == 1,
                "out_of": len(rows),
            }
    raise KeyError(f"{entity} is not in the ranking")


def multiple_band(x: float) -> tuple[str, int]:
    """Return the whole-number band of a multiple: ``('more_than', n)`` with n the largest x > n.

    10.615 -> ``('more_than', 10)`` ("more than tenfold"). A whole number (within 1e-9) gives
    ``('exactly', n)``. Multiples of 1 or less have no "n-fold" wording: ValueError.
    """
    if not math.isfinite(x) or x <= 1:
        raise ValueError(f"multiple_band needs a finite multiple above 1, not {x}")
    nearest = round(x)
    if abs(x - nearest) <= 1e-9:
        return ("exactly", int(nearest))
    return ("more_than", math.floor(x))


Comparable = float | int | Observation | Quantity


def _quantity(x: Comparable) -> Quantity:
    if isinstance(x, Quantity):
        return x
    if isinstance(x, Observation):
        return Quantity.of(x)
    return Quantity.point(float(x))


def direction(old: Comparable, new: Comparable) -> str:
    """Return ``'rose'``, ``'fell'`` or ``'unchanged'`` for a change from ``old`` to ``new``.

    Numbers: equal within a relative 1e-9 is unchanged. Observations or quantities (ranges,
    bounds) are compared through ``subtract(new, old)``: the change must certainly be above zero
    (rose) or below it (fell), or be exactly zero (unchanged); "less than 2" -> "36–40" rose.
    When the sign of the change is unknown (ranges overlapping, a bound pointing the wrong way,
    "about" figures that are equal) BoundsError is raised: the memo should not say either.
    """
    if not isinstance(old, Observation | Quantity) and not isinstance(new, Observation | Quantity):
        if math.isclose(old, new, rel_tol=1e-9, abs_tol=0.0):
            return "unchanged"
        return "rose" if new > old else "fell"
    a, b = _quantity(old), _quantity(new)
    change = subtract(b, a)
    if change.bound >= 0 and change.low > 0:
        return "rose"
    if change.bound > 0 and change.low == 0 and change.strict:
        return "rose"
    if change.bound <= 0 and change.high < 0:
        return "fell"
    if change.bound < 0 and change.high == 0 and change.strict:
        return "fell"
    if change.bound == 0 and not change.approx and change.low == change.high == 0:
        return "unchanged"
    raise BoundsError(
        f"cannot tell whether {a.describe()} -> {b.describe()} rose or fell "
        f"(change: {change.describe()})"
    )
