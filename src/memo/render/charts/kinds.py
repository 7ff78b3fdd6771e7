"""The chart kinds a memo config may declare, each drawing from the memo's FactBook.

A kind is a function ``(spec, book) -> Chart``; its parameters come from the chart's entry in
``config/memos.yaml`` ``charts:``, its words (title, caption, alternative text) from the same entry,
translated through the catalogue, with ``{listing}``, ``{highlight}``, ``{entity}`` and
``{counterpart}`` filled from the data. Every figure drawn is read, recorded and cited through the
book, like a figure in the prose.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from memo.core.periods import period_end, sort_key
from memo.core.records import Observation
from memo.ingest.edition import ChartSpec
from memo.render import fmt
from memo.render.charts.svg import (
    BAR,
    HIGHLIGHT,
    INK,
    MUTED,
    PAIR_WIDTH,
    WIDTH,
    Chart,
    bar,
    cite_all,
    frame,
    period_label,
    text,
    text_width,
)
from memo.render.facts import FactBook


class ChartError(LookupError):
    """A chart that cannot be drawn from the data (no figures, too few periods)."""


@dataclass(frozen=True)
class ChartKind:
    """A chart kind: its drawing function and its parameters (allowed values, or ``str``).

    The function takes the spec, the book and ``beside``: whether the memo places the chart beside
    its text, where a kind that can be drawn small (:data:`PAIR_WIDTH` wide) is.
    """

    draw: Callable[[ChartSpec, FactBook, bool], Chart]
    options: Mapping[str, tuple[str, ...] | type] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    summary: str = ""


def _words(spec: ChartSpec, fb: FactBook, **values: str) -> tuple[str, str, Callable[[str], str]]:
    """The chart's title and caption in the memo's language, and a filler for its alt text."""
    _ = fb.gettext
    names = {
        k: fb.name(spec.params[k])
        for k in ("highlight", "entity", "counterpart")
        if spec.params.get(k)
    }
    fill = {**names, **values}

    def alt(listing: str) -> str:
        return _(spec.alt).format(listing=listing, **fill) if spec.alt else listing

    caption = _(spec.caption).format(**fill) if spec.caption else ""
    return _(spec.title).format(**fill), caption, alt


def _series(spec: ChartSpec, fb: FactBook) -> list[Observation]:
    """The rows of one series (indicator, entity, counterpart), oldest first."""
    rows = fb.series(
        spec.params["indicator"],
        entity=spec.params["entity"],
        counterpart=spec.params.get("counterpart", ""),
    )
    return sorted(rows, key=lambda o: sort_key(o.period))


# ---- ranked bars --------------------------------------------------------------------------------


def ranked_bars(spec: ChartSpec, fb: FactBook, beside: bool = False) -> Chart:
    """Horizontal bars of each entity's latest figure, largest first, one entity highlighted;
    small when placed beside the text.

    Parameters: ``indicator``; ``counterpart`` (default none); ``period`` (only figures ending on
    or before it; default all); ``highlight`` (an entity drawn in red and bold); ``among``
    (``countries``, the default, leaves out the world and groups; ``all``).
    """
    _ = fb.gettext
    highlight = spec.params.get("highlight", "")
    cutoff = period_end(spec.params["period"]) if spec.params.get("period") else None
    latest: dict[str, Observation] = {}
    aggregates = {c for c, e in fb.dataset.dictionary.entities.items() if e.is_aggregate}
    for o in fb.series(spec.params["indicator"], counterpart=spec.params.get("counterpart", "")):
        if spec.params.get("among", "countries") == "countries" and o.entity in aggregates:
            continue
        if cutoff is not None and period_end(o.period) > cutoff:
            continue
        best = latest.get(o.entity)
        if best is None or sort_key(o.period) > sort_key(best.period):
            latest[o.entity] = o
    if not latest:
        raise ChartError(f"chart {spec.id}: no {spec.params['indicator']} figures to draw")
    rows = sorted(latest.values(), key=lambda o: (-o.value, fb.name(o.entity)))
    top = max(o.value for o in rows)
    values = {id(o): fb.text(o) + fb.stale_mark(o) for o in rows}
    # A figure from another date than most (one country's rate of the month before) says so in its label.
    usual = Counter(o.period for o in rows).most_common(1)[0][0]

    def label(o: Observation) -> str:
        if o.period == usual:
            return fb.name(o.entity)
        return _("{country} ({period})").format(
            country=fb.name(o.entity), period=fmt.period(o.period, fb.language, _)
        )

    width = PAIR_WIDTH if beside else WIDTH
    # Room on the left for the longest name and on the right for the longest figure (bold), at the
    # size they may be drawn: a page-wide chart's labels grow to 15 px on a phone (screen.css).
    size = 12 if beside else 15
    left = 10 + max(text_width(label(o), size) for o in rows)
    right = 10 + max(text_width(v, size, em=0.8) for v in values.values())
    bar_h, gap = (14, 5) if beside else (16, 6)
    height = 24 + len(rows) * (bar_h + gap)
    scale = (width - left - right) / top
    body = []

    for i, o in enumerate(rows):
        y = 12 + i * (bar_h + gap)
        baseline = y + bar_h / 2 + 4  # 12-unit text centred on the bar
        colour = HIGHLIGHT if o.entity == highlight else BAR
        weight = "bold" if o.entity == highlight else "normal"
        body.append(text(left - 8, baseline, label(o), anchor="end", weight=weight))
        body.append(bar(left, y, o.value * scale, bar_h, colour))
        body.append(text(left + o.value * scale + 6, baseline, values[id(o)], weight=weight))
    title, caption_text, alt = _words(spec, fb)
    listing = "; ".join(f"{label(o)} {fb.text(o)}" for o in rows)
    markers = cite_all(fb, rows)
    caption = Markup("{} {}").format(caption_text, markers)
    svg = frame(spec.id, title, alt(listing), height, body, width)
    return Chart(spec.id, title, svg, caption, alt(listing), beside=beside)


# ---- paired periods -----------------------------------------------------------------------------


def paired_periods(spec: ChartSpec, fb: FactBook, beside: bool = True) -> Chart:
    """Vertical bars of one series in two (or a few) periods, then against now: ranges drawn as
    whiskers, an upper bound as a dashed top, every bar labelled. Always small (it stands beside
    the text when placed in it).

    Parameters: ``indicator``, ``entity``, ``counterpart``; ``periods`` (the periods to draw;
    default the first and the latest); ``scale`` (``linear``, the default, or ``log``, for a first
    figure too small to see beside the latest).
    """
    _ = fb.gettext
    rows = _series(spec, fb)
    wanted = spec.params.get("periods")
    # The first and the latest: one figure alone is not a pair (it would be drawn twice).
    rows = [o for o in rows if o.period in wanted] if wanted else rows[:1] + rows[1:][-1:]
    if len(rows) < 2:
        raise ChartError(
            f"chart {spec.id}: needs two periods of {spec.params['indicator']} for "
            f"{spec.params['entity']}/{spec.params.get('counterpart') or '-'}, found {len(rows)}"
        )
    log = spec.params.get("scale", "linear") == "log"
    if log and min(o.low if o.low is not None else o.value for o in rows) <= 0:
        raise ChartError(
            f"chart {spec.id}: a log scale cannot show a figure of 0 or below; use scale: linear"
        )
    top_value = max((o.high if o.high is not None else o.value) for o in rows) * 1.15
    floor = min(o.low if o.low is not None else o.value for o in rows) / 2 if log else 0.0

    def y_of(value: float) -> float:
        if not log:
            return value / top_value * plot_h
        return (
            (math.log10(value) - math.log10(floor))
            / (math.log10(top_value) - math.log10(floor))
            * plot_h
        )

    height, base, plot_h = 165, 133, 105
    width = PAIR_WIDTH
    body = [f'<line x1="20" y1="{base}" x2="{width - 20}" y2="{base}" stroke="{MUTED}"/>']
    slot = (width - 40) / len(rows)
    for i, o in enumerate(rows):
        cx = 20 + slot * (i + 0.5)  # centred on the axis, which runs from 20 to width - 20
        h = y_of(o.value)
        colour = HIGHLIGHT if i == len(rows) - 1 else BAR
        body.append(bar(cx - 40, base - h, 80, h, colour))
        if o.is_range:
            y_lo, y_hi = base - y_of(o.low), base - y_of(o.high)  # type: ignore[arg-type]
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
        label_top = base - y_of(o.high if o.high is not None else o.value)
        value = fb.text(o) + fb.stale_mark(o)
        body.append(text(cx, label_top - 8, value, anchor="middle", weight="bold"))
        body.append(text(cx, base + 18, period_label(fb, o), anchor="middle"))
    if log:
        body.append(text(width - 20, base + 34, _("logarithmic scale"), anchor="end", fill=MUTED))
    title, caption_text, alt = _words(spec, fb)
    listing = "; ".join(f"{period_label(fb, o)}: {fb.text(o)}" for o in rows)
    markers = cite_all(fb, rows)
    caption = Markup("{} {}").format(caption_text, markers)
    svg = frame(spec.id, title, alt(listing), height + (16 if log else 0), body, width)
    return Chart(spec.id, title, svg, caption, alt(listing), beside=True)


# ---- time series --------------------------------------------------------------------------------


def time_series(spec: ChartSpec, fb: FactBook, beside: bool = False) -> Chart:
    """A line through every period of one series, each point labelled with its figure; always
    page-wide.

    Parameters: ``indicator``, ``entity``, ``counterpart``.
    """
    rows = _series(spec, fb)
    if len(rows) < 2:
        raise ChartError(f"chart {spec.id}: a time series needs two periods, found {len(rows)}")
    left, right, height, base, plot_h = 40, 40, 220, 180, 140
    ends = [period_end(o.period).toordinal() for o in rows]
    x0, x1 = min(ends), max(ends)
    top = max((o.high if o.high is not None else o.value) for o in rows) * 1.15

    def x_of(day: int) -> float:
        return left + (day - x0) / (x1 - x0) * (WIDTH - left - right)

    points = [(x_of(d), base - o.value / top * plot_h) for d, o in zip(ends, rows, strict=True)]
    body = [f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="{MUTED}"/>']
    path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
    body.append(f'<path d="{path}" stroke="{HIGHLIGHT}" stroke-width="2" fill="none"/>')
    for (x, y), o in zip(points, rows, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{HIGHLIGHT}"/>')
        body.append(text(x, y - 8, fb.text(o) + fb.stale_mark(o), anchor="middle", weight="bold"))
        body.append(text(x, base + 18, period_label(fb, o), anchor="middle"))
    title, caption_text, alt = _words(spec, fb)
    listing = "; ".join(f"{period_label(fb, o)}: {fb.text(o)}" for o in rows)
    markers = cite_all(fb, rows)
    caption = Markup("{} {}").format(caption_text, markers)
    return Chart(
        spec.id, title, frame(spec.id, title, alt(listing), height, body), caption, alt(listing)
    )


# ---- share bar ----------------------------------------------------------------------------------


def share_bar(spec: ChartSpec, fb: FactBook, beside: bool = False) -> Chart:
    """One bar of 100%: each counterpart's share (latest period) as a segment, the rest in grey;
    always page-wide.

    Parameters: ``indicator`` (a share in percent), ``entity``; ``highlight`` (a counterpart drawn
    in red).
    """
    _ = fb.gettext
    highlight = spec.params.get("highlight", "")
    latest: dict[str, Observation] = {}
    for o in fb.series(spec.params["indicator"], entity=spec.params["entity"]):
        best = latest.get(o.counterpart)
        if best is None or sort_key(o.period) > sort_key(best.period):
            latest[o.counterpart] = o
    rows = sorted(latest.values(), key=lambda o: (-o.value, fb.name(o.counterpart)))
    if not rows:
        raise ChartError(f"chart {spec.id}: no {spec.params['indicator']} figures to draw")
    left, width, y, h = 20, WIDTH - 40, 30, 28
    body, x = [], float(left)
    for i, o in enumerate(rows):
        w = max(o.value, 0) / 100 * width
        colour = HIGHLIGHT if o.counterpart == highlight else (BAR if i % 2 == 0 else MUTED)
        body.append(bar(x, y, w, h, colour))
        body.append(text(x, y + h + 18, fb.name(o.counterpart), weight="bold"))
        body.append(text(x, y + h + 34, fb.text(o) + fb.stale_mark(o)))
        x += w
    body.append(
        f'<rect x="{x:.1f}" y="{y}" width="{max(left + width - x, 0):.1f}" height="{h}" fill="#d9dde2"/>'
    )
    title, caption_text, alt = _words(spec, fb)
    listing = "; ".join(f"{fb.name(o.counterpart)} {fb.text(o)}" for o in rows)
    markers = cite_all(fb, rows)
    caption = Markup("{} {}").format(caption_text, markers)
    return Chart(
        spec.id, title, frame(spec.id, title, alt(listing), 110, body), caption, alt(listing)
    )


_SERIES = {"indicator": str, "entity": str, "counterpart": str}
CHART_KINDS: dict[str, ChartKind] = {
    "ranked_bars": ChartKind(
        ranked_bars,
        {
            "indicator": str,
            "counterpart": str,
            "period": str,
            "highlight": str,
            "among": ("countries", "all"),
        },
        required=("indicator",),
        summary="each entity's latest figure as a bar, largest first",
    ),
    "paired_periods": ChartKind(
        paired_periods,
        {**_SERIES, "periods": list, "scale": ("linear", "log")},
        required=("indicator", "entity"),
        summary="one series in two periods, ranges and bounds drawn",
    ),
    "time_series": ChartKind(
        time_series, _SERIES, required=("indicator", "entity"), summary="one series over time"
    ),
    "share_bar": ChartKind(
        share_bar,
        {"indicator": str, "entity": str, "highlight": str},
        required=("indicator", "entity"),
        summary="counterparts' shares as segments of one bar",
    ),
}
