"""A memo's charts, declared in ``config/memos.yaml`` and drawn as inline SVG with text as text.

``draw(spec, book)`` draws one declared chart with its kind (:data:`~memo.render.charts.kinds.
CHART_KINDS`); ``check`` is ``memo validate``'s part: kinds, parameters and the figures each chart
of each memo needs, reported at the chart's line.
"""

from __future__ import annotations

from pathlib import Path

from memo.core.problems import Problem
from memo.ingest.config import MEMOS, ChartSpec
from memo.ingest.hints import choices
from memo.render.charts.kinds import CHART_KINDS, ChartError
from memo.render.charts.svg import Chart
from memo.render.facts import FactBook

__all__ = ["Chart", "ChartError", "check", "draw", "spec_problems"]


def draw(spec: ChartSpec, book: FactBook) -> Chart:
    """Draw a declared chart for one memo; ChartError when its figures are missing."""
    return CHART_KINDS[spec.kind].draw(spec, book)


def spec_problems(spec: ChartSpec) -> list[Problem]:
    """What is wrong with one chart's declaration: its kind and parameters."""
    where = f"charts.{spec.id}"

    def problem(key: str, what: str, hint: str = "") -> Problem:
        return Problem(MEMOS, spec.line, f"{where}.{key}", what, hint)

    kind = CHART_KINDS.get(spec.kind)
    if kind is None:
        return [
            problem("kind", f"unknown chart kind '{spec.kind}'", choices(spec.kind, CHART_KINDS))
        ]
    out = []
    for key, value in spec.params.items():
        allowed = kind.options.get(key)
        if allowed is None:
            out.append(
                problem(
                    key, f"'{key}' is not a parameter of {spec.kind}", choices(key, kind.options)
                )
            )
        elif isinstance(allowed, tuple) and value not in allowed:
            out.append(
                problem(key, f"'{value}' is not allowed here", "allowed: " + ", ".join(allowed))
            )
        elif isinstance(allowed, type) and not isinstance(value, allowed):
            out.append(problem(key, f"expected {allowed.__name__}, found {value!r}"))
    for key in kind.required:
        if key not in spec.params:
            out.append(problem(key, f"chart kind {spec.kind} needs '{key}'", f"add {key}:"))
    for key in ("title", "caption", "alt"):
        try:
            getattr(spec, key).format(listing="", highlight="", entity="", counterpart="")
        except (KeyError, IndexError, ValueError) as e:
            out.append(
                problem(
                    key,
                    f"unknown placeholder {e} in {key}",
                    "use {listing}, {highlight}, {entity} or {counterpart}",
                )
            )
    return out


def check(root: Path, project: object | None) -> list[Problem]:
    """``memo validate``'s part: every declared chart's kind and parameters, and that the figures
    each memo's charts draw exist in its topic."""
    if project is None:
        return []
    edition = project.edition  # type: ignore[attr-defined]
    problems = [p for spec in edition.charts for p in spec_problems(spec)]
    dictionary = project.dataset.dictionary  # type: ignore[attr-defined]
    for memo in edition.memos:
        figures = project.in_topic(memo.topic)  # type: ignore[attr-defined]
        for spec in memo.chart_specs:
            indicator = spec.params.get("indicator")
            ind = dictionary.indicators.get(indicator)
            if ind is None or ind.spec is not None:
                continue  # unknown (reported by config) or derived (derive checks its inputs)
            series = [
                o
                for o in figures
                if o.indicator == indicator
                and (not spec.params.get("entity") or o.entity == spec.params["entity"])
            ]
            needed = 2 if spec.kind in ("paired_periods", "time_series") else 1
            if len(series) < needed:
                problems.append(
                    Problem(
                        MEMOS,
                        spec.line,
                        f"charts.{spec.id}",
                        f"memo {memo.id} draws {spec.id} but its topic has {len(series)} "
                        f"{indicator} figure(s) for it, and the chart needs {needed}",
                        "add rows to data/indicators.csv or fix the chart's entity",
                    )
                )
    return list(dict.fromkeys(problems))
