"""Text as memo compares it and as it may show it: one normal form for ids, and no control
characters in anything read from data/ or config/ or printed to a terminal.

Two spellings of one id (``IND`` and full-width ``ＩＮＤ``, ``2025`` and ``２０２５``, a trailing
no-break space) must not pass the duplicate check as two keys and then collide when a memo looks a
figure up; so ids, codes, periods, units, qualifiers and sources are compared in Unicode NFKC form,
stripped (:func:`normal`). Free text a reader sees (notes, titles, labels) is kept as written.

A control character (C0 or C1, DEL, Word's manual line break, a line or paragraph separator) in a
field is never wanted: an ESC starts a terminal escape sequence when a message echoes it, a NUL cuts
a C string, and none of them belongs in a published page. :func:`control_character` names the first
one; :func:`printable` writes text for a terminal with every such character escaped visibly.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab, line feed and carriage return (which free text may hold), DEL, C1 controls,
# and the Unicode line and paragraph separators.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# In an id, code, date or number: every one of them, tab and line breaks included.
_CONTROL_IN_ID = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What a terminal must not receive raw: every control character, format character (bidi
# overrides, zero-width characters, the byte-order mark), line and paragraph separator, and any
# code point with no character (unassigned, surrogates, private use); and every space but the
# plain one, so that a no-break space in "2 123" shows where it is.
_UNPRINTABLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"))
_NAMES = {
    "\x00": "null character",
    "\x09": "tab",
    "\x0a": "line break",
    "\x0b": "vertical tab (a line break pasted from Word)",
    "\x0d": "carriage return",
    "\x1b": "escape character",
    "\x7f": "delete character",
    "\x85": "next-line control character",
}


def normal(text: str) -> str:
    """The form ids are compared in: Unicode NFKC, surrounding white space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def control_character(text: str, *, free_text: bool = False) -> str:
    """Describe the first control character in ``text`` ("escape character (U+001B)"), or return
    "" if there is none. ``free_text`` allows tabs and line breaks (a note may span lines)."""
    found = (_CONTROL_IN_TEXT if free_text else _CONTROL_IN_ID).search(text)
    if not found:
        return ""
    ch = found.group()
    name = _NAMES.get(ch) or unicodedata.name(ch, "control character").lower()
    return f"{name} (U+{ord(ch):04X})"


def article(what: str) -> str:
    """ "a" or "an" before a description ("an escape character", "a null character")."""
    return "an" if what[:1].lower() in "aeiou" else "a"


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on written as a visible escape
    (``\\x1b``, ``\\n``, ``\\u202e``), so a message never moves the cursor, changes colours,
    reorders the line or hides part of itself. Letters of every script pass unchanged."""
    if text.isprintable():  # the common case: nothing to escape (spaces count as printable)
        return text
    out = []
    for ch in text:
        if ch != " " and unicodedata.category(ch) in _UNPRINTABLE:
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
