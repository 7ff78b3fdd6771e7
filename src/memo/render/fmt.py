"""Format figures, ranges, bounds and dates for a reader, in the memo's language, through Babel.

Patterns that differ between languages ("less than {x}", "{x} 미만") are gettext messages, so a new
language is a catalogue, not code. Numbers, dates and compact amounts are Babel's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_decimal, format_decimal

from memo.core.records import Observation, Unit

Gettext = Callable[[str], str]

# How a figure in an unknown unit is written: the plain number, one decimal at most.
PLAIN = Unit(id="", label="")


def _identity(s: str) -> str:
    return s


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a message for the catalogue (``memo catalogue``) without translating it here."""
    return message


def number(x: float, locale: str, decimals: int = 1) -> str:
    """Format a plain number with grouping and at most ``decimals`` decimals ("3,488", "10.6")."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return format_decimal(round(x, decimals), format=pattern, locale=locale)


def amount(x: float, unit: Unit, locale: str, _: Gettext = _identity) -> str:
    """Format a bare amount with its unit, no qualifier ("$212.3 billion", "50%", "3,488 km").

    The unit says how (data/dictionary.yaml ``units:``): its ``format`` ("{n}%", translated through
    the catalogue), ``decimals``, and for sums given in billions ``scale: 1e9``, which writes the
    number in the language's compact form ("212.3 billion", "2123억").
    """
    if unit.scale:
        # Translators: a sum in US dollars; {amount} is already "212.3 billion" / "2123억".
        return _(unit.format).format(n=_compact(x, locale, unit.decimals, unit.scale))
    return _(unit.format).format(n=number(x, locale, unit.decimals))


def _compact(x: float, locale: str, decimals: int, scale: float) -> str:
    """Babel's compact form of a sum given in billions ("212.3 billion", "2123억").

    The sum is rounded in billions first, so every language shows the same precision: 268.108
    is "268.1 billion" and "2681억", not "2681.1억".
    """
    long = "long" if locale.startswith("en") else "short"
    return format_compact_decimal(
        round(x, decimals) * scale, format_type=long, locale=locale, fraction_digits=decimals
    )


def _range_amount(low: float, high: float, unit: Unit, locale: str, _: Gettext) -> str:
    """Format a range, writing the unit once ("36–40%", "$8–12 per barrel", "$13–15 billion")."""
    d = unit.decimals
    if unit.scale:
        lo, hi = _compact(low, locale, d, unit.scale), _compact(high, locale, d, unit.scale)
        # Share the scale word when both ends have it: "13–15 billion", "130~150억".
        lo_num = re.match(r"[\d.,]+", lo)
        hi_num = re.match(r"[\d.,]+", hi)
        if lo_num and hi_num and lo[lo_num.end() :] == hi[hi_num.end() :]:
            span = _("{low}–{high}").format(low=lo_num.group(), high=hi_num.group())
            span += hi[hi_num.end() :]
        else:
            span = _("{low}–{high}").format(low=lo, high=hi)
        return _(unit.format).format(n=span)
    # Translators: a range of numbers; keep the dash form of your language.
    span = _("{low}–{high}").format(low=number(low, locale, d), high=number(high, locale, d))
    return _(unit.format).format(n=span)


QUALIFIER_PATTERNS = {
    # Translators: how a source bounds a figure; {x} is the formatted figure.
    "about": N_("about {x}"),
    "nearly": N_("nearly {x}"),
    "less_than": N_("less than {x}"),
    "more_than": N_("more than {x}"),
    "up_to": N_("up to {x}"),
}


def figure(obs: Observation, unit: Unit, locale: str, _: Gettext = _identity) -> str:
    """Format an observation's value, range or bound with its unit as a reader should see it.

    ``50%``; a range ``36–40%``; a bound ``less than 2%``; a bounded range ``more than 34–38
    percentage points``.
    """
    if obs.is_range:
        text = _range_amount(obs.low, obs.high, unit, locale, _)  # type: ignore[arg-type]
    else:
        text = amount(obs.value, unit, locale, _)
    if obs.qualifier:
        text = _(QUALIFIER_PATTERNS[obs.qualifier]).format(x=text)
    return text


_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2})(?:-(\d{2}))?)?$")


def period(value: str, locale: str, _: Gettext = _identity) -> str:
    """Format an ISO 8601 period for a reader ("15 September 2025", "July 2025", "Q2 2025", "2024")."""
    if "/" in value:
        start, end = value.split("/", 1)
        return _("{start}–{end}").format(start=period(start, locale, _), end=period(end, locale, _))
    m = _PERIOD.match(value)
    if not m:
        return value
    year, mid, day = m.groups()
    if mid is None:
        # Translators: a calendar year; {year} is "2024".
        return _("{year}").format(year=year)
    if mid.startswith("Q"):
        d = dt.date(int(year), 3 * int(mid[1]) - 2, 1)
        return format_skeleton("yQQQ", d, locale=locale)
    if day is None:
        return format_skeleton("yMMMM", dt.date(int(year), int(mid), 1), locale=locale)
    return date(dt.date(int(year), int(mid), int(day)), locale)


def date(d: dt.date, locale: str) -> str:
    """Format a day in the language's long form ("15 September 2025", "2025년 9월 15일")."""
    if locale.startswith("en"):
        # British order suits a policy memo; Babel's en_GB gives it.
        return format_date(d, "long", locale="en_GB")
    return format_date(d, "long", locale=locale)


_ORDINAL_WORDS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}


def ordinal(n: int, locale: str, *, words: bool = False) -> str:
    """A rank as a reader says it: "2nd" ("second" with ``words``) in English, "2위" in Korean.

    English suffixes follow the usual rule (1st, 2nd, 3rd, 4th, 11th-13th); other languages use
    their catalogue's "{n}th" pattern through :func:`ordinal_pattern`.
    """
    if not locale.startswith("en"):
        return ORDINAL_PATTERNS.get(locale.split("_")[0], "{n}").format(n=n)
    if words and n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# How a rank is written in languages whose ordinals are a pattern around the number.
ORDINAL_PATTERNS = {"ko": "{n}위", "ja": "{n}位"}
