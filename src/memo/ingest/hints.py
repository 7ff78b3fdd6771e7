"""Hints for problems: the closest known ids, how to write a number, a number as typed."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable

from memo.core.periods import period_error

# ASCII digits only: ``\d`` also matches full-width and Arabic-Indic digits, which float() reads but
# other tools reading the file do not.
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
# Words that say what unit a figure is in; typed next to a number they belong in the unit column.
UNIT_WORDS = frozenset("% percent pct $ us$ usd bn billion mn million km km2".split())


def number_hint(text: str, unit: str) -> str:
    """Suggest how to write a figure that isn't a plain number (``50%``, ``1,234``, ``about 5``)."""
    if THOUSANDS.fullmatch(text):
        return f"write {text.replace(',', '')} without separators"
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return f"write {text.replace(',', '.')} with a decimal point"
    if NUMBER.fullmatch(text.replace("\u2212", "-")):
        return f"write {text.replace(chr(0x2212), '-')} with a plain minus sign"
    found = NUMBER.search(text.replace(",", ""))
    if found is None:
        return "write a plain number such as 212.3"
    number = found.group()
    rest = (
        text.replace(",", "")[: found.start()] + " " + text.replace(",", "")[found.end() :]
    ).strip()
    # "US$" is one unit word; a bare "%" or "$" may touch the number ("50%", "$87").
    words = re.findall(r"us\$|[%$]|[^\s%$]+", rest.lower())
    if words and all(w in UNIT_WORDS for w in words):
        return (
            f"write {number}; the unit column says {unit}"
            if unit
            else f"write {number} and set unit"
        )
    return f'write {number} and put "{rest}" in note'


def within(number: float, low: float | None, high: float | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def bounds(low: float | None, high: float | None) -> str:
    return f"{fmt_number(low) if low is not None else '-inf'}..{fmt_number(high) if high is not None else 'inf'}"


def fmt_number(number: float) -> str:
    """Write a number without a spurious '.0' (50, not 50.0; 212.3 stays 212.3)."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def choices(word: str, known: Iterable[str], *, what: str = "", fallback: str = "") -> str:
    """Suggest the known ids closest to a mistyped one (difflib), or list them if there are few."""
    known = list(known)
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    if fallback:
        return fallback
    return f"known {what or 'ids'}: " + ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")


_SERIAL = re.compile(r"[0-9]{5}(\.0+)?")
_YMD = re.compile(r"([0-9]{4})[/.\s_-]([0-9]{1,2})(?:[/.\s_-]([0-9]{1,2}))?")
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9:.]+Z?")
_QUARTER = re.compile(r"(?:([0-9]{4})\s*-?\s*Q([1-4]))|(?:Q([1-4])\s*[-/ ]?\s*([0-9]{4}))", re.I)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
_MONTH_NAME = re.compile(r"([A-Za-z]+)\.?[\s/-]*([0-9]{4}|[0-9]{2})")


def period_hint(text: str, forms: str, error: str = "") -> str:
    """Suggest how to fix a period: for one outside the span of years (``error`` says so), where
    the span is set; for one a spreadsheet or a hurried hand mangled, how to write it; else the
    forms."""
    if "outside the years" in error:
        return "check the year, or widen periods: in data/dictionary.yaml"
    fixed = _mended_period(text.strip())
    return fixed if fixed else f"write {forms}"


def _mended_period(t: str) -> str:
    """The hint for a period written in a form memo can mend, or "" (see ``period_hint``)."""

    def write(period: str, note: str = "") -> str:
        # Only a suggestion that is itself a real period (2025-13 is not).
        return "" if period == t or period_error(period) else f"write {period}{note}"

    if _SERIAL.fullmatch(t) and 20000 <= float(t) <= 80000:
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(t)))
        return (
            f"a spreadsheet turned a date into its day number ({t} is {day.isoformat()}): format "
            f"the column as text and type {day.isoformat()}"
        )
    if re.fullmatch(r"[0-9]{4}\.0+", t):
        return write(t[:4])
    m = _TIME.fullmatch(t)
    if m:
        return write(m.group(1), ", without the time")
    m = _QUARTER.fullmatch(t)
    if m:
        year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return write(f"{year}-Q{quarter}")
    m = _YMD.fullmatch(t)
    if m:
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        return write(f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else ""))
    m = _DMY.fullmatch(t)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if a > 12 or b > 12:
            day, month = (a, b) if a > 12 else (b, a)
            return write(f"{year}-{month:02d}-{day:02d}", " (year-month-day)")
        one, other = f"{year}-{b:02d}-{a:02d}", f"{year}-{a:02d}-{b:02d}"
        if period_error(one) or period_error(other):
            return ""
        return f"write year-month-day: {one} or {other}, whichever it means"
    m = _MONTH_NAME.fullmatch(t)
    if m and m.group(1).lower() in _MONTHS:
        year = m.group(2) if len(m.group(2)) == 4 else f"20{m.group(2)}"
        return write(f"{year}-{_MONTHS[m.group(1).lower()]:02d}")
    return ""
