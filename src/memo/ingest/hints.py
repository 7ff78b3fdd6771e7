"""Hints for problems: the closest known ids, how to write a number, a number as typed."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
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
