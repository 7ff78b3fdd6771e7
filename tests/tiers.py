"""The two tiers of the suite: tests/unit, and tests/e2e, every module of which is marked e2e.

``-m "not e2e"`` (the unit tier) cannot select a test of tests/e2e, so ``tests/conftest.py`` does
not even import those modules then: each worker of the unit tier spent a quarter of a second of
its start importing them (pikepdf, pypdf, html5lib, the end-to-end helpers, the SLURM cluster)
only for pytest to deselect every test they hold. A run of the unit tier alone also keeps its
temporary folders in memory (``tests/temproot.py``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

# A name in a -m expression, as pytest's own parser reads one (_pytest/mark/expression.py).
_NAME = re.compile(r"(?:\w|:|\+|-|\.|\[|\]|\\|/)+")
_WORDS = {"and", "or", "not"}  # True, False and None are mark names there, like any other
# Beyond this many other marks named, the end-to-end modules are collected without asking.
_MAX_NAMES = 8


def may_select_e2e(markexpr: str) -> bool:
    """Whether ``-m markexpr`` can select a test marked e2e, whichever other marks it carries.

    True when in doubt (an expression with arguments, too many names, one pytest cannot read:
    pytest then reports it): collecting the end-to-end modules only costs time."""
    if not markexpr.strip():
        return True
    if "=" in markexpr:
        return True  # a mark with arguments, mark(key=value): leave it to pytest
    try:
        from _pytest.mark.expression import Expression  # what -m itself evaluates with

        expression = Expression.compile(markexpr)
    except Exception:  # noqa: BLE001 - pytest names a bad expression itself
        return True
    others = sorted(set(_NAME.findall(markexpr)) - _WORDS - {"e2e"})
    if len(others) > _MAX_NAMES:
        return True
    for marks in itertools.product((False, True), repeat=len(others)):
        carried = {"e2e", *(name for name, on in zip(others, marks, strict=True) if on)}
        if expression.evaluate(lambda name, /, carried=carried, **_: name in carried):
            return True
    return False


def unit_tier_only(markexpr: str, args: Sequence[str], cwd: Path, unit: Path) -> bool:
    """Whether a run can select unit tests only: its ``-m`` selects no test marked e2e, or each
    path it was given (``args``, relative to ``cwd``) lies under ``unit``, the unit tier's folder."""
    if not may_select_e2e(markexpr):
        return True
    unit = unit.resolve()
    paths = [(cwd / arg.split("::")[0]).resolve() for arg in args]
    return bool(paths) and all(path.is_relative_to(unit) for path in paths)
