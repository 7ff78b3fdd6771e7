"""``memo derive``: load and check the project, derive every topic's figures, write the table.

The one job of the workflow that reads ``data/`` and ``config/`` in full: it checks them (all
problems at once, nothing written when there is any), computes the derived indicators for every
topic (``memo.derive.engine``), checks that every key figure a memo lists resolves to exactly one
figure of its topic, and writes ``build/derived/figures.csv`` for the renders (``memo.derive.store``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from memo.core.lookup import MissingFigure, describe, find
from memo.core.problems import Problem, format_problems
from memo.derive.engine import check_specs, derive_all
from memo.derive.frame import observations_frame, to_observations
from memo.derive.store import write_figures
from memo.ingest.edition import MEMOS
from memo.ingest.project import Project

# The last project derived in this process and its result: ``memo derive`` validates (which
# derives) and then writes, and must not derive twice.
_last: tuple[Project, tuple[pd.DataFrame, list[Problem]]] | None = None


def derive_project(project: Project) -> tuple[pd.DataFrame, list[Problem]]:
    """Every topic's derived figures, and the problems of the specs and of the memos' key figures."""
    global _last
    if _last is not None and _last[0] is project:
        return _last[1]
    topics = project.edition.topics or tuple({m.topic for m in project.edition.memos})
    derived, problems = derive_all(project.dataset, topics)
    if not problems:
        problems += key_figure_problems(project, derived)
    _last = (project, (derived, problems))
    return derived, problems


def topic_figures(project: Project, derived: pd.DataFrame, topic_id: str) -> list:
    """The figures a memo of a topic can show: the topic's stated and derived figures."""
    topic = next((t for t in project.edition.topics if t.id == topic_id), None)
    stated = project.in_topic(topic) if topic else project.dataset.observations
    mine = derived[derived["topic"] == topic_id] if len(derived) else derived
    return [*stated, *to_observations(mine)]


def key_figure_problems(project: Project, derived: pd.DataFrame) -> list[Problem]:
    """Each key figure a memo lists must resolve to exactly one figure of the memo's topic."""
    problems = []
    cache: dict[str, list] = {}
    for i, memo in enumerate(project.edition.memos):
        figures = cache.setdefault(memo.topic.id, topic_figures(project, derived, memo.topic.id))
        for j, kf in enumerate(memo.key_figures):
            try:
                find(figures, kf.indicator, kf.entity, kf.counterpart, kf.period)
            except MissingFigure as e:
                about = f" in topic {memo.topic.id}" if memo.topic.id else ""
                query = describe(kf.indicator, kf.entity, kf.counterpart, kf.period)
                what = str(e) if "ambiguous" in str(e) else f"no figure {query}{about}"
                hint = (
                    "name the entity, counterpart and period"
                    if "ambiguous" in str(e)
                    else "add the row to data/indicators.csv, or fix the entity, counterpart or period"
                )
                problems.append(Problem(MEMOS, kf.line, f"memos[{i}].key_figures[{j}]", what, hint))
    return problems


def check(root: Path, project: Project | None) -> list[Problem]:
    """``memo validate``'s part: the specs always, the derivations when the project loaded."""
    if project is None:
        from memo.ingest.dictionary import load_dictionary

        dictionary, _ = load_dictionary(Path(root))
        return check_specs(dictionary) if dictionary is not None else []
    return derive_project(project)[1]


def cli_derive(args: argparse.Namespace) -> int:
    """Run ``memo derive``: check, derive, write ``figures.csv`` into ``args.out`` (under --root)."""
    from memo.ingest.validate import summary, validate

    root = Path(args.root)
    # Every check ``memo validate`` runs, so that no render starts from input it would reject.
    project, problems = validate(root)
    derived = None
    if project is not None and not problems:
        derived, problems = derive_project(project)
    if problems or project is None or derived is None:
        print(format_problems(problems), file=sys.stderr)
        print(summary(problems), file=sys.stderr)
        return 1
    out = root / args.out
    topics = [t.id for t in project.edition.topics]
    write_figures(
        observations_frame(project.dataset.observations), derived, out / "figures.csv", topics
    )
    print(
        f"memo derive: {len(project.dataset.observations)} stated and {len(derived)} derived "
        f"figures in {len(project.edition.topics) or 1} topic(s) written to {out / 'figures.csv'}",
        file=sys.stderr,
    )
    return 0
