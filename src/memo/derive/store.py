"""Write the figure table rule ``derive`` hands to the renders, and read it back.

``build/derived/figures.csv`` holds every derived figure (with its topic, inputs, sources and
method) followed by every stated figure (with the ``data/indicators.csv`` line it came from), one
row each. Derived rows come first so that the line a derived figure is cited by
(``build/derived/figures.csv:N`` in a memo's figure record) does not move when a row is added to
data/indicators.csv: a row outside a memo's topic reruns no render, and the records stay right;
they come topic by topic in the order config/memos.yaml declares the topics, so that a topic added
after the others moves none of their lines either. (A derived figure added within a topic does
move the lines after it: the memos citing them are rendered again, memo.workflow.digest.) It is
written whole or not at all, deterministically (floats as their shortest exact text, lists
``;``-separated, LF line ends, UTF-8 without BOM), and read back with the standard library only,
so that a render on a cluster node does not pay for pandas (this module imports no pandas).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memo.core.files import write_atomic
from memo.core.records import Observation

# Where rule derive writes the figure table: derived rows name it (and their line in it).
FIGURES = "build/derived/figures.csv"
# The figure table's columns (memo.derive.frame builds its DataFrames with these).
FIGURE_COLUMNS = (
    "topic",
    "indicator",
    "entity",
    "counterpart",
    "period",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "source",
    "note",
    "path",
    "line",
    "inputs",
    "sources",
    "method",
)


def cell(x: Any) -> str:
    """One value as CSV text: '' for None or NaN, '.12g' floats, ';'-joined lists."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        # The shortest text that reads back as the same float: renders show exactly what was
        # derived, as if they had computed it themselves.
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    if isinstance(x, tuple | list):
        return ";".join(cell(i) for i in x)
    return str(x)


def figures_text(stated: Any, derived: Any, topics: Sequence[str] = ()) -> str:
    """The figure table as CSV text: derived rows by topic, in the order ``topics`` lists them
    (config/memos.yaml's; any other after them, by name), then by key; then stated rows in file
    order.

    A derived row's ``line`` is its own line in this file, so a note or an error can point at it;
    it depends on the derived rows alone, never on how many rows data/indicators.csv has, and a
    topic added after the others moves no line of theirs.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIGURE_COLUMNS)
    order = {topic: i for i, topic in enumerate(topics)}
    derived_rows = derived.assign(
        _order=[order.get(t, len(order)) for t in derived["topic"]] if len(derived) else []
    ).sort_values(
        ["_order", "topic", "indicator", "entity", "counterpart", "period"], kind="stable"
    )
    line = 2
    for row in derived_rows[list(FIGURE_COLUMNS)].itertuples(index=False):
        values = row._asdict()
        values["line"] = line
        writer.writerow(cell(values[c]) for c in FIGURE_COLUMNS)
        line += 1
    stated_rows = stated.sort_values(["path", "line"], kind="stable")
    for row in stated_rows[list(FIGURE_COLUMNS)].itertuples(index=False):
        writer.writerow(cell(v) for v in row)
    return buf.getvalue()


def write_figures(stated: Any, derived: Any, path: Path, topics: Sequence[str] = ()) -> None:
    """Write the figure table atomically (``topics``: their order, see :func:`figures_text`)."""
    write_atomic(path, figures_text(stated, derived, topics))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _items(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(";") if part)


def read_figures(path: Path | str) -> tuple[Observation, ...]:
    """Read the figure table back into records (stated rows keep their own file and line)."""
    # The table is memo's own: a method sentence quoting long labels may exceed the csv module's
    # default field limit (which guards the files analysts edit), so lift it while reading.
    limit = csv.field_size_limit(1 << 30)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return tuple(_observation(row) for row in csv.DictReader(f))
    finally:
        csv.field_size_limit(limit)


def _observation(row: dict[str, str]) -> Observation:
    derived = bool(row["method"])
    return Observation(
        indicator=row["indicator"],
        entity=row["entity"],
        counterpart=row["counterpart"],
        period=row["period"],
        value=float(row["value"]),
        low=_number(row["low"]),
        high=_number(row["high"]),
        qualifier=row["qualifier"],
        unit=row["unit"],
        source=row["source"],
        note=row["note"],
        path=row["path"],
        line=int(row["line"]),
        inputs=_items(row["inputs"]) if derived else (),
        sources=_items(row["sources"]) if derived else (),
        method=row["method"],
        topic=row["topic"],
    )
