"""Draw a memo's charts as inline SVG, with text kept as text, and their captions and alt text.

Each chart reads its figures through the memo's FactBook, so they are recorded and cited like figures
in the prose. Layout numbers here are drawing geometry, not data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from memo import compare, fmt
from memo.facts import FactBook
from memo.model import Observation

WIDTH = 520
PAIR_WIDTH = 300
INK = "#1b1f24"
MUTED = "#4d5966"  # contrast 7.0:1 on white
HIGHLIGHT = "#a3262a"  # contrast 6.6:1 on white
BAR = "#6b7785"  # contrast 4.6:1 on white


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    caption: Markup
    alt: str
    pair: bool = False  # a small chart that can sit beside another


def _svg(
    chart_id: str, title: str, alt: str, height: int, body: list[str], width: int = WIDTH
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t" '
        f'font-family="Memo Sans, Memo Korean, Carlito, sans-serif" font-size="12">'
        # The title is the alternative text: PDF/UA readers and screen readers announce it.
        f'<title id="{chart_id}-t">{escape(alt)}</title><desc id="{chart_id}-d">{escape(title)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(
    x: float, y: float, s: str, *, anchor: str = "start", fill: str = INK, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(s)}</text>'
    )


def _bar(x: float, y: float, w: float, h: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{h:.1f}" fill="{fill}"/>'
    )


def _cite_all(fb: FactBook, rows: list[Observation]) -> Markup:
    """Record every figure a chart draws and return the note markers for its caption."""
    numbers: list[int] = []
    for o in rows:
        n = fb.cite(o)
        fb.record(o, fb.text(o), n, "chart")
        if n not in numbers:
            numbers.append(n)
    return Markup("").join(fb.marker(n) for n in numbers)


def tariff_ranking(fb: FactBook, highlight: str = "IND") -> Chart:
    """Horizontal bars of US tariff rates by country, latest rate each, the highlighted country in red."""
    _ = fb.gettext
    latest = compare.latest_by_entity(fb.series("us_tariff_rate_pct"))
    rows = sorted(latest, key=lambda o: (-o.value, fb.name(o.entity)))
    top = max(o.value for o in rows)
    left, right, bar_h, gap = 170, 50, 18, 8
    height = 30 + len(rows) * (bar_h + gap)
    scale = (WIDTH - left - right) / top
    body = []
    # A rate from another date than most (Pakistan's July rate) says so in its label.
    usual = Counter(o.period for o in rows).most_common(1)[0][0]

    def label(o: Observation) -> str:
        if o.period == usual:
            return fb.name(o.entity)
        return _("{country} ({period})").format(
            country=fb.name(o.entity), period=fmt.period(o.period, fb.language, _)
        )

    for i, o in enumerate(rows):
        y = 20 + i * (bar_h + gap)
        colour = HIGHLIGHT if o.entity == highlight else BAR
        weight = "bold" if o.entity == highlight else "normal"
        body.append(_text(left - 8, y + 13, label(o), anchor="end", weight=weight))
        body.append(_bar(left, y, o.value * scale, bar_h, colour))
        value = fb.text(o) + fb.stale_mark(o)
        body.append(_text(left + o.value * scale + 6, y + 13, value, weight=weight))
    title = _("US tariff rates by country")
    listing = "; ".join(f"{label(o)} {fb.text(o)}" for o in rows)
    alt = _("Bar chart of US tariff rates, highest first: {listing}.").format(listing=listing)
    markers = _cite_all(fb, rows)
    caption = Markup("{} {}").format(
        _("Latest US tariff rate on each country's goods; {country} highlighted.").format(
            country=fb.name(highlight)
        ),
        markers,
    )
    return Chart(
        "tariff_ranking", title, _svg("tariff_ranking", title, alt, height, body), caption, alt
    )


def _pair_chart(
    fb: FactBook,
    chart_id: str,
    title: str,
    rows: list[Observation],
    describe: Callable[[str], str],
    caption_text: str,
) -> Chart:
    """Two vertical bars (then and now), drawing ranges as whiskers and bounds as open-ended bars."""
    top = max((o.high if o.high is not None else o.value) for o in rows) * 1.15
    height, base, plot_h = 230, 190, 160
    width = PAIR_WIDTH
    body = [f'<line x1="20" y1="{base}" x2="{width - 20}" y2="{base}" stroke="{MUTED}"/>']
    slot = (width - 40) / len(rows)
    for i, o in enumerate(rows):
        cx = 20 + slot * (i + 0.5)  # centred on the axis, which runs from 20 to width - 20
        h = o.value / top * plot_h
        colour = HIGHLIGHT if i == len(rows) - 1 else BAR
        body.append(_bar(cx - 40, base - h, 80, h, colour))
        if o.is_range:
            y_lo, y_hi = base - o.low / top * plot_h, base - o.high / top * plot_h  # type: ignore[operator]
            body.append(
                f'<path d="M{cx:.1f} {y_lo:.1f}V{y_hi:.1f}M{cx - 10:.1f} {y_lo:.1f}h20M{cx - 10:.1f} {y_hi:.1f}h20" '
                f'stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
        if o.qualifier in ("less_than", "up_to"):
            # An upper bound: the bar's top is a dashed ceiling, not a measured height.
            body.append(
                f'<line x1="{cx - 40:.1f}" y1="{base - h:.1f}" x2="{cx + 40:.1f}" y2="{base - h:.1f}" '
                f'stroke="{INK}" stroke-dasharray="4 3" stroke-width="1.5"/>'
            )
        label_top = base - (o.high if o.high is not None else o.value) / top * plot_h
        value = fb.text(o) + fb.stale_mark(o)
        body.append(_text(cx, label_top - 8, value, anchor="middle", weight="bold"))
        body.append(
            _text(
                cx,
                base + 18,
                _period(fb, o),
                anchor="middle",
            )
        )
    alt = describe("; ".join(f"{_period(fb, o)}: {fb.text(o)}" for o in rows))
    markers = _cite_all(fb, rows)
    caption = Markup("{} {}").format(caption_text, markers)
    svg = _svg(chart_id, title, alt, height, body, width)
    return Chart(chart_id, title, svg, caption, alt, pair=True)


def _period(fb: FactBook, o: Observation) -> str:
    """An observation's period as a reader of the memo's language writes it ("2024", "2024년")."""
    return fmt.period(o.period, fb.language, fb.gettext)


def oil_dependence(fb: FactBook) -> Chart:
    """Russia's share of India's crude imports, then and now, with the range and the bound drawn."""
    _ = fb.gettext
    rows = sorted(
        fb.series("crude_import_share_pct", entity="IND", counterpart="RUS"), key=lambda o: o.period
    )
    return _pair_chart(
        fb,
        "oil_dependence",
        _("Russia's share of India's crude oil imports"),
        rows,
        lambda listing: _(
            "Bar chart of Russia's share of India's crude oil imports: {listing}."
        ).format(listing=listing),
        _(
            "A dashed top marks an upper bound; a whisker marks a range; the bar stands at its midpoint."
        ),
    )


def trade_growth(fb: FactBook) -> Chart:
    """US–India trade, first year against latest, as two bars."""
    _ = fb.gettext
    rows = sorted(
        fb.series("bilateral_trade_usd_bn", entity="USA", counterpart="IND"), key=lambda o: o.period
    )
    return _pair_chart(
        fb,
        "trade_growth",
        _("US–India trade"),
        rows,
        lambda listing: _("Bar chart of US–India trade in goods and services: {listing}.").format(
            listing=listing
        ),
        _("Bilateral trade between the United States and India, in US dollars."),
    )


CHARTS: dict[str, Callable[[FactBook], Chart]] = {
    "tariff_ranking": tariff_ranking,
    "oil_dependence": oil_dependence,
    "trade_growth": trade_growth,
}
