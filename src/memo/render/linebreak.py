"""Korean line breaking for the PDF: no line break inside a word (CSS ``word-break: keep-all``).

Korean separates words (eojeol) with spaces, and readers expect lines to break only there. Browsers
do this with ``word-break: keep-all`` (templates/screen.css), but WeasyPrint accepts only ``normal``
and ``break-all`` and otherwise breaks between any two Hangul syllables. So, for the PDF only, every
space-delimited word that holds Hangul is wrapped in ``<span class="kw">``, which print.css sets
``white-space: nowrap``; lines then break only at the spaces between words. The spaces themselves
stay outside the spans, so text extracted from the PDF reads as before.

A word may run across inline markup, as a figure with its note call and a particle does
(``<span class="fig">50%</span><a class="noteref"><sup>1</sup></a>를``): the wrapped range then grows
to whole elements so that the added span nests properly (the whole figure is kept on one line). A
range that would grow beyond ``MAX_CHARS`` characters is left alone rather than risk overflowing the
line.
"""

from __future__ import annotations

import re

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
# Inline elements a word may run across; any other tag ends a word.
INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub sup time u var".split()
)
# Elements whose content is never reflowed text: each is kept whole and ends a word.
OPAQUE = ("svg", "style", "script", "pre", "textarea", "math")
MAX_CHARS = 40
OPEN = '<span class="kw">'
CLOSE = "</span>"

_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_SPACE = re.compile(r"(\s+)")
_BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", re.S | re.I)


def _units(body: str) -> list[tuple[str, str]]:
    """Split the body into units: ("text", word or spaces), ("open"/"close", inline tag), ("bar", other)."""
    units: list[tuple[str, str]] = []
    pos = 0
    opaque_end: re.Pattern[str] | None = None
    for m in _TAG.finditer(body):
        text = body[pos : m.start()]
        tag = m.group()
        if opaque_end is not None:
            # Inside an opaque element: everything up to its end tag is one barrier.
            units[-1] = ("bar", units[-1][1] + text + tag)
            if opaque_end.match(tag):
                opaque_end = None
            pos = m.end()
            continue
        for piece in _SPACE.split(text):
            if piece:
                units.append(("text", piece))
        name_m = _TAG_NAME.match(tag)
        name = name_m.group(1).lower() if name_m else ""
        if tag.startswith("<!--") or not name:
            units.append(("bar", tag))
        elif name in OPAQUE and not tag.startswith("</"):
            units.append(("bar", tag))
            if not tag.endswith("/>"):
                opaque_end = re.compile(rf"</\s*{name}\s*>", re.I)
        elif name in INLINE and not tag.endswith("/>"):
            units.append(("close" if tag.startswith("</") else "open", tag))
        else:
            units.append(("bar", tag))
        pos = m.end()
    tail = body[pos:]
    if opaque_end is not None:
        units[-1] = ("bar", units[-1][1] + tail)
    else:
        units.extend(("text", p) for p in _SPACE.split(tail) if p)
    return units


def _is_space(unit: tuple[str, str]) -> bool:
    return unit[0] == "text" and unit[1].isspace()


def _ranges(units: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Unit ranges [start, end] to wrap: words holding Hangul, grown to whole elements, merged."""
    # Match inline open and close tags; a tag left unmatched (broken markup) pins its word.
    partner: dict[int, int] = {}
    stack: list[int] = []
    for i, (kind, _) in enumerate(units):
        if kind == "bar":
            stack.clear()
        elif kind == "open":
            stack.append(i)
        elif kind == "close" and stack:
            j = stack.pop()
            partner[i], partner[j] = j, i

    # Words: maximal runs of units without spaces or barriers.
    words: list[tuple[int, int]] = []
    start = None
    for i, unit in enumerate(units):
        if unit[0] == "bar" or _is_space(unit):
            if start is not None:
                words.append((start, i - 1))
                start = None
        elif start is None:
            start = i
    if start is not None:
        words.append((start, len(units) - 1))
    word_of = {i: w for w in words for i in range(w[0], w[1] + 1)}

    ranges: list[tuple[int, int]] = []
    for s, e in words:
        if not any(k == "text" and HANGUL.search(t) for k, t in units[s : e + 1]):
            continue
        ok = True
        while ok:
            grown = (s, e)
            for i in range(s, e + 1):
                kind = units[i][0]
                if kind in ("open", "close") and i not in partner:
                    ok = False
                    break
                if kind == "close" and partner[i] < s:
                    s = partner[i]
                elif kind == "open" and partner[i] > e:
                    e = partner[i]
            # A grown range that now starts or ends inside another word takes in that word too.
            if s in word_of:
                s = min(s, word_of[s][0])
            if e in word_of:
                e = max(e, word_of[e][1])
            if any(units[i][0] == "bar" for i in range(s, e + 1)):
                ok = False
            if (s, e) == grown:
                break
        if ok:
            ranges.append((s, e))

    merged: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return [
        (s, e)
        for s, e in merged
        if sum(len(t) for k, t in units[s : e + 1] if k == "text") <= MAX_CHARS
    ]


def keep_words(html: str) -> str:
    """Wrap every Hangul word of the document body in ``<span class="kw">`` (see the module notes)."""
    m = _BODY.search(html)
    if not m:
        return html
    units = _units(m.group(2))
    out = [u[1] for u in units]
    for s, e in _ranges(units):
        out[s] = OPEN + out[s]
        out[e] = out[e] + CLOSE
    return html[: m.start(2)] + "".join(out) + html[m.end(2) :]


def for_pdf(html: str, language: str) -> str:
    """The HTML to give WeasyPrint for a memo in ``language``."""
    if language.split("-")[0] == "ko":
        return keep_words(html)
    return html
