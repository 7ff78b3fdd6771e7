"""A memo's charts, declared in ``config/memos.yaml`` and drawn as inline SVG with text as text.

``draw(spec, book)`` draws one declared chart with its kind (:data:`~memo.render.charts.kinds.
CHART_KINDS`); ``check`` is ``memo validate``'s part: kinds, parameters and the figures each chart
of each memo needs, reported at the chart's line, and that the memo's template shows each of them.

A memo lists the charts it shows (``charts:``); its template places each beside the text that
discusses it, ``{{ chart("tariff_ranking") }}``, and the text refers to it with
``{{ chart_ref("tariff_ranking") }}`` ("Figure 1"). Charts are numbered in the order the memo
places them (:class:`Figures`). A chart the template does not place goes into the ``charts``
section, when the memo lists that section.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from memo.core.periods import PERIOD_FORMS, period_error
from memo.core.problems import Problem
from memo.core.records import Dictionary
from memo.ingest.edition import MEMOS, ChartSpec, MemoDef
from memo.ingest.hints import choices, period_hint
from memo.render.charts.kinds import CHART_KINDS, ChartError
from memo.render.charts.svg import Chart
from memo.render.facts import FactBook

__all__ = ["Chart", "ChartError", "Figures", "check", "draw", "placed_in", "spec_problems"]

# The section that shows the charts a template does not place itself.
CHARTS_SECTION = "charts"


def draw(spec: ChartSpec, book: FactBook, beside: bool = False) -> Chart:
    """Draw a declared chart for one memo (small, when it stands beside the text and its kind can
    be drawn small); ChartError when its figures are missing."""
    return CHART_KINDS[spec.kind].draw(spec, book, beside)


@lru_cache(maxsize=64)
def _placed_in_source(source: str, filename: str | None = None) -> tuple[str, ...]:
    import jinja2  # here: memo validate imports this module, and need not load Jinja for it
    from jinja2 import nodes

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    out = []
    # Named, so that a syntax error says which file and line (memo.render.locate.template_location).
    name = Path(filename).name if filename else None
    for call in env.parse(source, name, filename).find_all(nodes.Call):
        if (
            isinstance(call.node, nodes.Name)
            and call.node.name == "chart"
            and call.args
            and isinstance(call.args[0], nodes.Const)
        ):
            out.append(str(call.args[0].value))
    return tuple(out)


def placed_in(template: Path) -> tuple[str, ...]:
    """Ids of the charts a template places itself (``{{ chart("id") }}``), in source order."""
    return _placed_in_source(template.read_text(encoding="utf-8"), str(template))


class Figures:
    """One rendering's charts: drawn where the template places them, numbered in the order placed.

    ``order`` is the placing order found by a first rendering (None: the memo's list), so that a
    reference to a chart placed further on ("see Figure 2") already has its number.
    """

    def __init__(
        self,
        memo: MemoDef,
        book: FactBook,
        in_template: tuple[str, ...],
        order: list[str] | None = None,
    ) -> None:
        self.memo = memo
        self.book = book
        self.specs = {spec.id: spec for spec in memo.chart_specs}
        self.in_template = in_template
        self.order = [c for c in (order or []) if c in self.specs] + [
            c for c in self.specs if c not in (order or [])
        ]
        self.placed: list[str] = []

    def _spec(self, chart_id: str) -> ChartSpec:
        if chart_id not in self.specs:
            raise ChartError(
                f'chart "{chart_id}" is not among the charts of memo {self.memo.id} '
                f"({MEMOS}: charts: [{', '.join(self.memo.charts)}])"
            )
        return self.specs[chart_id]

    def number(self, chart_id: str) -> int:
        self._spec(chart_id)
        return self.order.index(chart_id) + 1

    def ref(self, chart_id: str) -> Markup:
        """A reference to a chart from the text: "Figure 2", linked to the chart."""
        label = self.book.gettext("Figure {n}").format(n=self.number(chart_id))
        return Markup('<a class="figref" href="#chart-{}">{}</a>').format(chart_id, label)

    def place(self, chart_id: str, beside: bool = False) -> Markup:
        """The chart as a numbered figure: title, drawing, caption with its note calls; with
        ``beside``, drawn small to stand beside the paragraph that follows (kinds that can be)."""
        spec = self._spec(chart_id)
        if chart_id in self.placed:
            raise ChartError(f'chart "{chart_id}" is placed twice in memo {self.memo.id}')
        self.placed.append(chart_id)
        chart = draw(spec, self.book, beside)
        heading = self.book.gettext("Figure {n}: {title}").format(
            n=self.number(chart_id), title=chart.title
        )
        return Markup(
            '<figure class="chart{beside}" id="chart-{id}" aria-labelledby="chart-{id}-h">'
            '<div class="chart-box"><p class="chart-title" id="chart-{id}-h">{heading}</p>{svg}'
            "<figcaption>{caption}</figcaption></div></figure>"
        ).format(
            beside=" beside" if chart.beside else "",
            id=chart_id,
            heading=heading,
            svg=chart.svg,
            caption=chart.caption,
        )

    def rest(self) -> list[str]:
        """The memo's charts its template does not place (for the charts section)."""
        return [c for c in self.memo.charts if c not in self.in_template]

    def check_all_placed(self) -> None:
        """Every chart the memo lists is shown: else say how to place it."""
        missing = [c for c in self.memo.charts if c not in self.placed]
        if missing:
            raise ChartError(
                f"memo {self.memo.id} lists chart(s) {', '.join(missing)} but never shows them: "
                f'place each with {{{{ chart("{missing[0]}") }}}} in a section of '
                f"templates/{self.memo.template}, or add the section {CHARTS_SECTION} to its sections"
            )


def placement_problems(root: Path, memo: MemoDef) -> list[Problem]:
    """What stops a memo's charts from being shown where its template and sections say."""
    template = root / "templates" / memo.template
    if not template.is_file():
        return []  # reported by the config check
    from jinja2 import TemplateSyntaxError

    try:
        placed = placed_in(template)
    except TemplateSyntaxError:
        return []  # reported when the memo is rendered, with its line
    where = f"memos.{memo.id}.charts"
    out = []
    for chart_id in placed:
        if chart_id not in memo.charts:
            out.append(
                Problem(
                    MEMOS,
                    memo.line,
                    where,
                    f'templates/{memo.template} places chart "{chart_id}", which memo {memo.id} '
                    "does not list",
                    f"add {chart_id} to its charts",
                )
            )
    if CHARTS_SECTION not in memo.sections:
        for chart_id in memo.charts:
            if chart_id not in placed:
                out.append(
                    Problem(
                        MEMOS,
                        memo.line,
                        where,
                        f'memo {memo.id} lists chart "{chart_id}" but templates/{memo.template} '
                        "never places it",
                        f'add {{{{ chart("{chart_id}") }}}} beside the text that discusses it, '
                        f"or the section {CHARTS_SECTION} to its sections",
                    )
                )
    return out


def spec_problems(spec: ChartSpec) -> list[Problem]:
    """What is wrong with one chart's declaration: its kind and parameters."""
    where = f"charts.{spec.id}"

    def problem(key: str, what: str, hint: str = "") -> Problem:
        return Problem(MEMOS, spec.line_of(key), f"{where}.{key}", what, hint)

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


# Parameters of any chart kind that name an entity, or one or several periods.
ENTITY_PARAMS = ("entity", "counterpart", "highlight")
PERIOD_PARAMS = ("period", "periods")


def reference_problems(spec: ChartSpec, dictionary: Dictionary) -> list[Problem]:
    """The entities and periods a chart names must exist: an unknown highlight would draw no bar
    highlighted, and a period out of the calendar would fail only when the memo is rendered."""
    out = []
    for key in ENTITY_PARAMS:
        code = spec.params.get(key)
        if isinstance(code, str) and code and code not in dictionary.entities:
            hint = choices(code, dictionary.entities, fallback="an entity code from entities:")
            what = f"unknown entity code '{code}'"
            out.append(Problem(MEMOS, spec.line_of(key), f"charts.{spec.id}.{key}", what, hint))
    for key in PERIOD_PARAMS:
        value = spec.params.get(key)
        for period in value if isinstance(value, list) else [value] if value else []:
            error = (
                period_error(period, span=dictionary.periods)
                if isinstance(period, str)
                else f'expected a period in quotes, found {period!r} (write "{period}")'
            )
            if error:
                hint = period_hint(str(period), PERIOD_FORMS, error)
                out.append(
                    Problem(MEMOS, spec.line_of(key), f"charts.{spec.id}.{key}", error, hint)
                )
    return out


def check(root: Path, project: object | None) -> list[Problem]:
    """``memo validate``'s part: every declared chart's kind and parameters, and that the figures
    each memo's charts draw exist in its topic."""
    if project is None:
        return []
    edition = project.edition  # type: ignore[attr-defined]
    dictionary = project.dataset.dictionary  # type: ignore[attr-defined]
    problems = [p for spec in edition.charts for p in spec_problems(spec)]
    problems += [p for spec in edition.charts for p in reference_problems(spec, dictionary)]
    for memo in edition.memos:
        problems += placement_problems(root, memo)
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
    if not problems:
        problems += drawing_problems(project)
    return list(dict.fromkeys(problems))


def drawing_problems(project: Any) -> list[Problem]:
    """Draw every chart of every memo as its render will, once per topic, and report what fails
    at the chart's line: periods the series lacks, a log scale over a zero, … (found here, not
    in a render job)."""
    from memo.core.lookup import MissingFigure
    from memo.core.records import Dataset
    from memo.derive.frame import to_observations
    from memo.derive.run import derive_project

    derived, derive_problems = derive_project(project)
    if derive_problems:
        return []  # reported by the derive check; the charts of its figures can't be drawn
    edition, ds = project.edition, project.dataset
    problems: list[Problem] = []
    drawn: set[tuple[str, str]] = set()
    for memo in edition.memos:
        todo = [s for s in memo.chart_specs if (memo.topic.id, s.id) not in drawn]
        if not todo:
            continue
        mine = derived[derived["topic"] == memo.topic.id] if len(derived) else derived
        dataset = Dataset(
            ds.dictionary,
            project.in_topic(memo.topic),
            ds.sources,
            ds.events,
            to_observations(mine),
        )
        book = FactBook(dataset, "en", lambda s: s, memo.edition_date, edition.max_age_days)
        for spec in todo:
            drawn.add((memo.topic.id, spec.id))
            try:
                draw(spec, book)
            except (ChartError, MissingFigure, KeyError, ValueError, ArithmeticError) as e:
                about = f" in topic {memo.topic.id}" if memo.topic.id else ""
                problems.append(
                    Problem(
                        MEMOS,
                        spec.line,
                        f"charts.{spec.id}",
                        f"cannot be drawn for memo {memo.id}{about}: {e}",
                        "fix the chart's parameters, or add the figures it needs",
                    )
                )
    return problems
