"""``memo validate``: check everything a build reads, print every problem, stamp the inputs if all
is well, before any job runs.

The data and config are loaded once (``memo.ingest.project``); then each later stage checks what
it owns against them: derivation specs and key figures (``memo.derive.run``), chart specs
(``memo.render.charts``), templates (``memo.render.templates``), translations
(``memo.render.catalogue``), recipients (``memo.distribute.recipients``). Those checks are named in
:data:`STAGE_CHECKS` and imported only when run, so this module stays cheap to import and no stage
imports a later one. Each takes ``(root, project)``; ``project`` is None when data/ or config/ did
not load, and a check then does what it can without them.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from memo.core.files import write_atomic
from memo.core.problems import Problem, format_problems
from memo.core.records import Dataset
from memo.ingest.dataset import INPUT_FILES, SHEET_FILES
from memo.ingest.project import Project, check_project

Check = Callable[[Path, "Project | None"], list[Problem]]

# module:function of each later stage's check, in pipeline order.
STAGE_CHECKS = (
    "memo.derive.run:check",
    "memo.render.charts:check",
    "memo.render.templates:check",
    "memo.render.catalogue:check",
    "memo.distribute.recipients:check_project",
)

# Files hashed into the stamp besides data/, when present.
CONFIG_FILES = ("config/config.yaml", "config/memos.yaml", "config/recipients.csv")


def stage_checks() -> list[Check]:
    """The later stages' checks, imported now."""
    out = []
    for name in STAGE_CHECKS:
        module, func = name.split(":")
        out.append(getattr(importlib.import_module(module), func))
    return out


def validate(root: Path) -> tuple[Project | None, list[Problem]]:
    """Run every check on the project at ``root``; return it (None if it did not load) and all
    problems found."""
    root = Path(root)
    project, problems = check_project(root)
    for check in stage_checks():
        problems += check(root, project)
    return project, list(dict.fromkeys(problems))


def validate_project(root: Path) -> list[Problem]:
    """Every problem in the project at ``root`` (none: it builds)."""
    return validate(root)[1]


def cli_validate(args: argparse.Namespace) -> int:
    """Validate the project; print problems and return 1, or print a summary, stamp and return 0."""
    root = Path(args.root)
    project, problems = validate(root)
    if problems or project is None:
        if getattr(args, "format", "text") == "github":
            from memo.annotations import format_github

            print(format_github(problems))  # annotations on the lines they name (CI)
        else:
            print(format_problems(problems), file=sys.stderr)
        print(summary(problems), file=sys.stderr)
        return 1
    counts = _counts(project.dataset)
    print(
        f"data/ OK: {_count(counts['indicators'], 'indicator')}, {_count(counts['rows'], 'row')}, "
        f"{_count(counts['sources'], 'source')}, {_count(counts['events'], 'event')}; "
        f"config/ OK: {_count(len(project.edition.output_ids()), 'memo edition')}",
        file=sys.stderr,
    )
    if getattr(args, "stamp", None):
        # A relative stamp path is inside the project, like every other path the CLI takes.
        write_stamp(root / args.stamp, root, counts)
    return 0


def summary(problems: list[Problem]) -> str:
    """The last line after the problems: ``2 problems in config/ and data/; nothing was built``."""
    return f"{_count(len(problems), 'problem')} in {_folders(problems)}; nothing was built"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _folders(problems: Iterable[Problem]) -> str:
    """Name the top folders problems are in: ``data/`` or ``data/ and config/``."""
    folders = sorted({p.path.split("/", 1)[0] + "/" for p in problems if "/" in p.path}) or [
        "data/"
    ]
    return " and ".join(folders)


def _counts(dataset: Dataset) -> dict[str, int]:
    return {
        "indicators": len({o.indicator for o in dataset.observations}),
        "rows": len(dataset.observations),
        "sources": len(dataset.sources),
        "events": len(dataset.events),
    }


def write_stamp(stamp: Path, root: Path, counts: dict[str, int]) -> None:
    """Write counts and the sha256 of each input file as JSON, atomically (temp file + rename)."""
    inputs = {}
    for name in (*INPUT_FILES, *SHEET_FILES, *CONFIG_FILES):
        path = root / name
        if path.is_file():
            inputs[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    # No timestamp: the same inputs give the same stamp byte for byte.
    text = json.dumps({"valid": True, "counts": counts, "inputs": inputs}, indent=2, sort_keys=True)
    write_atomic(stamp, text + "\n")
