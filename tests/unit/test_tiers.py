"""tests/tiers.py: the unit tier (``-m "not e2e"``) leaves tests/e2e unimported, which is right
only while every module there is marked e2e."""

from __future__ import annotations

import ast

import pytest
from tiers import may_select_e2e, unit_tier_only

from unit.support import REPO


@pytest.mark.parametrize(
    ("markexpr", "selects"),
    [
        ("", True),
        ("e2e", True),
        ("not e2e", False),
        ("(not e2e)", False),
        ("not e2e and not slurm", False),
        ("not (e2e or slurm)", False),
        ("not e2e or slurm", True),  # the SLURM test is marked both
        ("not slurm", True),
        ("slurm", True),
        ("e2e and not slurm", True),
        ("not e2e and mark(key=1)", True),  # arguments: pytest decides
        ("not e2e and (", True),  # pytest reports it
        ("not e2e and not True", False),  # True is a mark's name in -m, not a constant
        ("not e2e or True", True),
    ],
)
def test_which_expressions_can_select_an_end_to_end_test(markexpr: str, selects: bool) -> None:
    assert may_select_e2e(markexpr) is selects


def _marks(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "pytestmark"
        ]:
            values = node.value.elts if isinstance(node.value, ast.List) else [node.value]
            return [ast.unparse(v) for v in values]
    return []


def test_every_end_to_end_module_is_marked_e2e() -> None:
    e2e = REPO / "tests" / "e2e"
    modules = sorted({*e2e.rglob("test_*.py"), *e2e.rglob("*_test.py")})  # pytest's python_files
    assert len(modules) > 10
    unmarked = [
        str(m.relative_to(REPO))
        for m in modules
        if "pytest.mark.e2e" not in _marks(ast.parse(m.read_text(encoding="utf-8")))
    ]
    assert not unmarked, "not marked e2e, yet -m 'not e2e' leaves tests/e2e out: " + ", ".join(
        unmarked
    )


@pytest.mark.parametrize(
    ("markexpr", "args", "alone"),
    [
        ("not e2e", ["tests"], True),
        ("", ["tests/unit"], True),
        ("", ["tests/unit/render/test_pdf.py::test_x", "tests/unit/core"], True),
        ("", ["tests"], False),
        ("", ["tests/unit", "tests/e2e/test_html.py"], False),
        ("", ["tests/unit/../e2e"], False),
        ("e2e", ["tests/unit"], True),  # the path decides: no e2e test lies there
        ("", [], False),
    ],
)
def test_a_run_of_the_unit_tier_alone(markexpr: str, args: list[str], alone: bool) -> None:
    assert unit_tier_only(markexpr, args, REPO, REPO / "tests" / "unit") is alone
