"""SVG pieces the chart kinds draw with: the frame (with its alternative text), text kept as text,
bars, and the citation of every figure a chart draws. Numbers here are drawing geometry, not data.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from memo.core.records import Observation
from memo.render import fmt
from memo.render.facts import FactBook

WIDTH = 520
PAIR_WIDTH = 260  # templates/memo.css prints a small chart this many CSS px wide
INK = "#1b1f24"
MUTED = "#4d5966"  # contrast 7.0:1 on white
HIGHLIGHT = "#a3262a"  # contrast 6.6:1 on white
BAR = "#6b7785"  # contrast 4.6:1 on white


@dataclass(frozen=True)
class Chart:
    """A drawn chart: inline SVG (text as text), its title, caption (with note markers) and alt text."""

    id: str
    title: str
    svg: Markup
    caption: Markup
    alt: str
    beside: bool = False  # a small chart that stands beside the paragraph discussing it


def frame(
    chart_id: str, title: str, alt: str, height: int, body: list[str], width: int = WIDTH
) -> Markup:
    """The ``<svg>`` element around a chart's body; its title is the alternative text."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t" '
        f'font-family="Memo Sans, Memo Korean, Carlito, sans-serif" font-size="12">'
        # The title is the alternative text: PDF/UA readers and screen readers announce it.
        f'<title id="{chart_id}-t">{escape(alt)}</title><desc id="{chart_id}-d">{escape(title)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def text(
    x: float, y: float, s: str, *, anchor: str = "start", fill: str = INK, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(s)}</text>'
    )


def text_width(s: str, size: float = 12, em: float = 0.62) -> float:
    """About how wide a label is drawn, at most: a full em for wide (Hangul, CJK) characters,
    ``em`` for others (0.62 for words; figures in bold, with their wide digits and "%", take
    0.8). The bundled sans fonts are narrower; a browser without them draws with its own sans
    serif, which is not."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else em * size for c in s)


def bar(x: float, y: float, w: float, h: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{h:.1f}" fill="{fill}"/>'
    )


def cite_all(fb: FactBook, rows: list[Observation]) -> Markup:
    """Record every figure a chart draws and return the note markers for its caption."""
    numbers: list[int] = []
    for o in rows:
        n = fb.cite(o)
        fb.record(o, fb.text(o), n, "chart")
        if n not in numbers:
            numbers.append(n)
    return Markup("").join(fb.marker(n) for n in numbers)


def period_label(fb: FactBook, o: Observation) -> str:
    """An observation's period as a reader of the memo's language writes it ("2024", "2024년")."""
    return fmt.period(o.period, fb.language, fb.gettext)
