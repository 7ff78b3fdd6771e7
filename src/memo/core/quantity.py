"""Figures as their sources bound them, and arithmetic that carries ranges and bounds through.

A source may state a point ("212.3"), a range ("36 to 40 percent") or a bound ("less than 2",
"about 20"). :class:`Quantities` holds a column of such figures as the stated ends ``low..high``
plus a one-sided *bound direction*; every operation works on whole columns at once (numpy), so a
derivation over a table is one vectorised step, and :class:`Quantity` is the one-figure view of it.

Mapping from qualifiers: ``""`` exact; ``about`` and ``nearly`` approximate (``nearly`` is treated
like ``about``: its "just under" sense is not carried as a bound); ``more_than`` = strict lower
bound; ``less_than`` = strict upper bound; ``up_to`` = non-strict upper bound. For a range with a
bound, the bound holds for some point of the range: "more than 34-38" means the true value exceeds
a threshold between 34 and 38, so it certainly exceeds 34.

Rules (interval arithmetic on the stated ends, see each function):

* ``a - b`` spans ``[a.low - b.high, a.high - b.low]``; ``a / b`` (both above zero) spans
  ``[a.low / b.high, a.high / b.low]``; ``a + b`` spans ``[a.low + b.low, a.high + b.high]``.
* A bound keeps its direction on the left of ``-`` and ``/`` and on either side of ``+``, and flips
  on the right of ``-`` and ``/`` (subtracting something *less than* 2 leaves *more than* the
  difference). Agreeing directions give that bound, strict if any contributing one is; opposing
  directions leave the result unbounded, which is an error: the memo could not say it.
* A result is approximate when any input is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from memo.core.records import QUALIFIERS  # noqa: F401  (re-exported: the qualifiers this module reads)

# qualifier: (bound direction, strict, approximate)
_QUALIFIER_BOUNDS: dict[str, tuple[int, bool, bool]] = {
    "": (0, True, False),
    "about": (0, True, True),
    "nearly": (0, True, True),
    "more_than": (1, True, False),
    "less_than": (-1, True, False),
    "up_to": (-1, False, False),
}
_WORDS = {"": "", "about": "about ", "more_than": "more than ", "less_than": "less than "}
_WORDS["up_to"] = "up to "


class BoundsError(ValueError):
    """A computation whose result the qualifier list cannot bound or express."""


def num(x: float) -> str:
    """Format a number for a method sentence: 1 decimal from 1 up, else 3; no trailing zeros."""
    digits = 1 if abs(x) >= 1 else 3
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Quantities:
    """A column of bounded figures: stated ends, bound direction (-1, 0, +1), strictness, approx.

    ``error`` holds, per figure, why it cannot be expressed ("" when it can): operations never
    raise on one bad row, so a derivation can report every offending row at once.
    """

    low: np.ndarray
    high: np.ndarray
    bound: np.ndarray
    strict: np.ndarray
    approx: np.ndarray
    error: np.ndarray

    @classmethod
    def from_columns(
        cls,
        value: Sequence[float],
        low: Sequence[float | None],
        high: Sequence[float | None],
        qualifier: Sequence[str],
    ) -> Quantities:
        """Read the ``value, low, high, qualifier`` columns (a range when low and high are set)."""
        value = np.asarray(value, dtype=float)
        lo = np.asarray([np.nan if x is None else x for x in low], dtype=float).reshape(value.shape)
        hi = np.asarray([np.nan if x is None else x for x in high], dtype=float).reshape(
            value.shape
        )
        ranged = ~np.isnan(lo) & ~np.isnan(hi)
        parts = [_QUALIFIER_BOUNDS[q or ""] for q in qualifier]
        return cls(
            np.where(ranged, lo, value),
            np.where(ranged, hi, value),
            np.asarray([p[0] for p in parts], dtype=int).reshape(value.shape),
            np.asarray([p[1] for p in parts], dtype=bool).reshape(value.shape),
            np.asarray([p[2] for p in parts], dtype=bool).reshape(value.shape),
            np.full(value.shape, "", dtype=object),
        )

    @classmethod
    def points(cls, values: Sequence[float]) -> Quantities:
        """Exact point figures (ranks, counts)."""
        v = np.asarray(values, dtype=float)
        n = v.shape
        return cls(
            v, v.copy(), np.zeros(n, int), np.ones(n, bool), np.zeros(n, bool), _no_errors(n)
        )

    def __len__(self) -> int:
        return len(self.low)

    def take(self, index: Sequence[int] | np.ndarray) -> Quantities:
        """The figures at ``index`` (positions), in that order."""
        i = np.asarray(index, dtype=int)
        return Quantities(
            self.low[i], self.high[i], self.bound[i], self.strict[i], self.approx[i], self.error[i]
        )

    def __getitem__(self, i: int) -> Quantity:
        return Quantity(
            float(self.low[i]),
            float(self.high[i]),
            int(self.bound[i]),
            bool(self.strict[i]),
            bool(self.approx[i]),
            str(self.error[i]),
        )

    @property
    def value(self) -> np.ndarray:
        """The point figures: the midpoint of each range."""
        return np.where(self.low == self.high, self.low, (self.low + self.high) / 2)

    def qualifiers(self) -> list[str]:
        """The qualifier of each figure ("" where ``error`` says it has none)."""
        return [q[0] for q in self._qualified()]

    def errors(self) -> list[str]:
        """Why each figure cannot be written with a qualifier ("" when it can)."""
        return [q[1] for q in self._qualified()]

    def _qualified(self) -> list[tuple[str, str]]:
        out = []
        for i in range(len(self)):
            if self.error[i]:
                out.append(("", str(self.error[i])))
                continue
            out.append(_qualifier(int(self.bound[i]), bool(self.strict[i]), bool(self.approx[i])))
        return out

    def describe(self) -> list[str]:
        """Plain-text renderings for method sentences (``more than 34–38``)."""
        return [self[i].describe() for i in range(len(self))]


def _no_errors(shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, "", dtype=object)


def _qualifier(bound: int, strict: bool, approx: bool) -> tuple[str, str]:
    """The qualifier for one bound, or ("", why not)."""
    if bound and approx:
        return "", (
            "the result is a bound on an approximate figure ('more/less than about …'), "
            "which no single qualifier expresses"
        )
    if bound > 0:
        if not strict:
            return "", (
                "the result is a non-strict lower bound ('at least …'), "
                "which the qualifier list cannot express"
            )
        return "more_than", ""
    if bound < 0:
        return ("less_than" if strict else "up_to"), ""
    return ("about" if approx else ""), ""


@dataclass(frozen=True)
class Quantity:
    """One bounded figure (a row of :class:`Quantities`)."""

    low: float
    high: float
    bound: int = 0
    strict: bool = True
    approx: bool = False
    error: str = ""

    @classmethod
    def from_parts(
        cls, value: float, low: float | None, high: float | None, qualifier: str
    ) -> Quantity:
        """Make a quantity from the ``value, low, high, qualifier`` columns of a row."""
        if qualifier not in _QUALIFIER_BOUNDS:
            raise ValueError(f"unknown qualifier {qualifier!r}")
        return Quantities.from_columns([value], [low], [high], [qualifier])[0]

    @classmethod
    def point(cls, value: float) -> Quantity:
        return cls(value, value)

    def column(self) -> Quantities:
        """This figure as a column of one."""
        return Quantities(
            np.array([self.low]),
            np.array([self.high]),
            np.array([self.bound]),
            np.array([self.strict]),
            np.array([self.approx]),
            np.array([self.error], dtype=object),
        )

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    @property
    def value(self) -> float:
        """The point figure: the midpoint of the range (``low`` itself for a point)."""
        return self.low if self.low == self.high else (self.low + self.high) / 2

    @property
    def qualifier(self) -> str:
        """The qualifier expressing this quantity; raise BoundsError when none can."""
        if self.error:
            raise BoundsError(self.error)
        qualifier, why = _qualifier(self.bound, self.strict, self.approx)
        if why:
            raise BoundsError(why)
        return qualifier

    def fields(self) -> tuple[float, float | None, float | None, str]:
        """The ``value, low, high, qualifier`` columns for this quantity."""
        if self.is_range:
            return self.value, self.low, self.high, self.qualifier
        return self.value, None, None, self.qualifier

    def describe(self) -> str:
        """A plain-text rendering for method sentences (``more than 34–38``)."""
        try:
            prefix = _WORDS[self.qualifier]
        except BoundsError:
            prefix = "(unbounded) "
        figure = f"{num(self.low)}–{num(self.high)}" if self.is_range else num(self.low)
        return prefix + figure


# ---- operations on columns ---------------------------------------------------------------------


def _combine(
    da: np.ndarray, sa: np.ndarray, db: np.ndarray, sb: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Combine two bound directions (already oriented for the result): direction, strict, clash."""
    clash = (da != 0) & (db != 0) & (da != db)
    direction = np.where(da != 0, da, db)
    strict = np.where(
        direction == 0, True, ((da == direction) & sa) | ((db == direction) & sb)
    ).astype(bool)
    return np.where(clash, 0, direction), strict, clash


def _result(
    low: np.ndarray,
    high: np.ndarray,
    a: Quantities,
    b: Quantities,
    db: np.ndarray,
    what: Callable[[int], str],
    extra_error: np.ndarray | None = None,
) -> Quantities:
    direction, strict, clash = _combine(a.bound, a.strict, db, b.strict)
    approx = a.approx | b.approx
    error = np.where(a.error != "", a.error, b.error).astype(object)
    for i in np.flatnonzero(clash & (error == "")):
        error[i] = (
            f"cannot bound {what(int(i))}: one input pushes the result up and another pulls it "
            "down, so the result has neither an upper nor a lower bound"
        )
    if extra_error is not None:
        error = np.where(error == "", extra_error, error).astype(object)
    out = Quantities(low, high, direction, strict, approx, error)
    # A result no qualifier can express is an error now rather than when it is written.
    for i, why in enumerate(out.errors()):
        if why and not out.error[i]:
            out.error[i] = why
    return out


def subtract(a: Quantities, b: Quantities) -> Quantities:
    """``a - b`` figure by figure, ranges and bounds carried (see the module notes)."""
    return _result(
        a.low - b.high,
        a.high - b.low,
        a,
        b,
        -b.bound,
        lambda i: f"({a[i].describe()}) − ({b[i].describe()})",
    )


def add(a: Quantities, b: Quantities) -> Quantities:
    """``a + b`` figure by figure: ends added, bounds kept in their directions."""
    return _result(
        a.low + b.low,
        a.high + b.high,
        a,
        b,
        b.bound,
        lambda i: f"({a[i].describe()}) + ({b[i].describe()})",
    )


def divide(a: Quantities, b: Quantities) -> Quantities:
    """``a / b`` for figures above zero (shares, trade values, rates), ranges and bounds carried.

    Every stated end must be above zero; otherwise the sign, or a division by zero, would be
    unknown, and the figure gets an error.
    """
    positive = (a.low > 0) & (b.low > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(positive, a.low / np.where(b.high == 0, 1, b.high), 0.0)
        high = np.where(positive, a.high / np.where(b.low == 0, 1, b.low), 0.0)
    extra = np.full(len(a), "", dtype=object)
    for i in np.flatnonzero(~positive):
        extra[i] = (
            f"cannot bound ({a[int(i)].describe()}) ÷ ({b[int(i)].describe()}): "
            "division needs figures above zero"
        )
    return _result(
        low, high, a, b, -b.bound, lambda i: f"({a[i].describe()}) ÷ ({b[i].describe()})", extra
    )


def scale(q: Quantities, factor: float) -> Quantities:
    """``q * factor`` for an exact non-zero factor; a negative factor flips the bound."""
    if factor == 0:
        raise ValueError("scale factor must not be zero")
    ends = np.sort(np.stack([q.low * factor, q.high * factor]), axis=0)
    bound = q.bound if factor > 0 else -q.bound
    return Quantities(ends[0], ends[1], bound, q.strict, q.approx, q.error.copy())


def increasing(q: Quantities, func: Callable[[np.ndarray], np.ndarray]) -> Quantities:
    """``func(q)`` for a strictly increasing ``func``: ends mapped, bound kept."""
    return Quantities(func(q.low), func(q.high), q.bound, q.strict, q.approx, q.error.copy())


# ---- reading figures for wording ---------------------------------------------------------------


def direction(old: Quantity | float, new: Quantity | float) -> str:
    """Return ``'rose'``, ``'fell'`` or ``'unchanged'`` for a change from ``old`` to ``new``.

    Numbers: equal within a relative 1e-9 is unchanged. Quantities (ranges, bounds) are compared
    through ``new - old``: the change must certainly be above zero (rose) or below it (fell), or be
    exactly zero (unchanged); "less than 2" -> "36–40" rose. When the sign of the change is unknown
    (ranges overlapping, a bound pointing the wrong way, "about" figures that are equal)
    BoundsError is raised: the memo should not say either.
    """
    if not isinstance(old, Quantity) and not isinstance(new, Quantity):
        if math.isclose(old, new, rel_tol=1e-9, abs_tol=0.0):
            return "unchanged"
        return "rose" if new > old else "fell"
    a = old if isinstance(old, Quantity) else Quantity.point(float(old))
    b = new if isinstance(new, Quantity) else Quantity.point(float(new))
    change = subtract(b.column(), a.column())[0]
    if change.error:
        raise BoundsError(change.error)
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


def significant_digits(text: str) -> int:
    """Significant digits of a number as written: ``20`` -> 1, ``212.3`` -> 4, ``0.50`` -> 2."""
    digits = text.strip().lstrip("+-")
    if "e" in digits.lower():
        digits = digits.lower().split("e")[0]
    if "." in digits:
        whole, frac = digits.split(".", 1)
        return max(len((whole + frac).lstrip("0")), 1)
    return max(len(digits.lstrip("0").rstrip("0")), 1)


def supported_floor(x: float, digits: int) -> float:
    """Round ``x`` down to ``digits`` significant digits: what a claim "more than …" may say."""
    if x <= 0 or not math.isfinite(x):
        return x
    magnitude = 10 ** (math.floor(math.log10(x)) - digits + 1)
    return math.floor(x / magnitude + 1e-9) * magnitude
