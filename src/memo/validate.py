"""``memo validate``: check data/ and config/, print every problem, stamp the inputs if all is well.

Checks form a registry: each is a function ``check(root) -> list[Problem]``. The data check is
registered here; modules checking other files call ``register_check`` when imported, and the
config and recipients checks are picked up lazily so that this module stays cheap to import.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from memo.data import INPUT_FILES, check_dataset
from memo.errors import Problem, format_problems
from memo.files import write_atomic
from memo.model import Dataset

Check = Callable[[Path], list[Problem]]

CHECKS: list[Check] = []

# Modules whose ``check(root)`` is run if they exist; written by others, possibly not yet.
OPTIONAL_CHECK_MODULES = ("memo.config", "memo.distribute.recipients")

# Files hashed into the stamp besides data/, when present.
CONFIG_FILES = ("config/config.yaml", "config/memos.yaml", "config/recipients.csv")


def register_check(check: Check) -> Check:
    """Add a check to the registry (once); usable as a decorator."""
    if check not in CHECKS:
        CHECKS.append(check)
    return check


@register_check
def check_data(root: Path) -> list[Problem]:
    """Check everything under data/."""
    return check_dataset(Path(root))[1]


def _optional_checks() -> list[Check]:
    """Import the config and recipients checkers if those modules exist; return their checks."""
    checks = []
    for name in OPTIONAL_CHECK_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            # Only the module itself may be missing; a missing dependency inside it is a real error.
            if err.name and (name == err.name or name.startswith(err.name + ".")):
                continue
            raise
        check = getattr(module, "check", None)
        if callable(check):
            checks.append(check)
    return checks


def _all_checks() -> list[Check]:
    """Registered checks followed by the optional ones, each once."""
    checks = list(CHECKS)  # copied first: importing optional modules may register more
    optional = _optional_checks()
    for check in [*CHECKS, *optional]:
        if check not in checks:
            checks.append(check)
    return checks


def validate_project(root: Path) -> list[Problem]:
    """Run every check on the project at ``root``; return all problems found."""
    return _run(Path(root), _all_checks())


def _run(root: Path, checks: Iterable[Check]) -> list[Problem]:
    problems: list[Problem] = []
    for check in checks:
        problems += check(root)
    return problems


def cli_validate(args: argparse.Namespace) -> int:
    """Validate the project; print problems and return 1, or print a summary, stamp and return 0."""
    root = Path(args.root)
    # The data check runs directly rather than through the registry to keep its dataset.
    dataset, problems = check_dataset(root)
    problems += _run(root, [c for c in _all_checks() if c is not check_data])
    if problems or dataset is None:
        if getattr(args, "format", "text") == "github":
            from memo.annotations import format_github

            print(format_github(problems))  # annotations on the lines they name (CI)
        else:
            print(format_problems(problems), file=sys.stderr)
        print(
            f"{_count(len(problems), 'problem')} in {_folders(problems)}; nothing was built",
            file=sys.stderr,
        )
        return 1
    counts = _counts(dataset)
    print(
        f"data/ OK: {_count(counts['indicators'], 'indicator')}, {_count(counts['rows'], 'row')}, "
        f"{_count(counts['sources'], 'source')}, {_count(counts['events'], 'event')}",
        file=sys.stderr,
    )
    if getattr(args, "stamp", None):
        # A relative stamp path is inside the project, like every other path the CLI takes.
        write_stamp(root / args.stamp, root, counts)
    return 0


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
    for name in (*INPUT_FILES, *CONFIG_FILES):
        path = root / name
        if path.is_file():
            inputs[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    # No timestamp: the same inputs give the same stamp byte for byte.
    text = json.dumps({"valid": True, "counts": counts, "inputs": inputs}, indent=2, sort_keys=True)
    write_atomic(stamp, text + "\n")
