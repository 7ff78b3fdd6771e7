"""The unit tier mirrors the package: every module of src/memo has its own test file (issue 14),
``tests/unit/<stage>/test_<module>.py``; a package whose ``__init__`` holds code has
``test_<package>.py`` in its folder."""

from __future__ import annotations

import ast
from pathlib import Path

from unit.support import REPO

SRC = REPO / "src" / "memo"
UNIT = REPO / "tests" / "unit"


def _holds_code(path: Path) -> bool:
    """Anything beyond a docstring and imports (a package that only gathers its modules does not)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(
        not isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        and not (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", "") for t in node.targets] == ["__all__"]
        )
        for node in body
    )


def expected_tests() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if path.name == "__init__.py":
            if rel.parent == Path(".") or not _holds_code(path):
                continue
            out[str(rel)] = UNIT / rel.parent / f"test_{rel.parent.name}.py"
        else:
            out[str(rel)] = UNIT / rel.parent / f"test_{path.stem}.py"
    return out


def test_every_module_has_its_test_file() -> None:
    expected = expected_tests()
    assert "derive/kinds/ranking.py" in expected and "cli.py" in expected
    missing = [
        f"src/memo/{m}: {t.relative_to(REPO)}" for m, t in expected.items() if not t.is_file()
    ]
    assert not missing, "modules without a unit test file:\n" + "\n".join(missing)


def test_every_test_folder_is_a_package() -> None:
    """Test files share names across stages (test_kinds.py); packages keep them apart."""
    folders = {p.parent for p in UNIT.rglob("test_*.py")}
    assert all((folder / "__init__.py").is_file() for folder in folders)
