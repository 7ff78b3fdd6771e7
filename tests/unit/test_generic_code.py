"""The package is generic: no indicator id, entity code or topic wording of the data in its code.

Issue 10's rule: topic knowledge lives in data/ and config/. Every string constant in src/memo
(docstrings aside) is compared with the ids and codes the project's dictionary and memo config
define; a new topic must never need a Python change because the code names the old one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "memo"


def _topic_names() -> set[str]:
    dictionary = yaml.safe_load((REPO / "data/dictionary.yaml").read_text(encoding="utf-8"))
    memos = yaml.safe_load((REPO / "config/memos.yaml").read_text(encoding="utf-8"))
    names = set(dictionary["indicators"]) | set(dictionary["entities"])
    names |= set(memos.get("charts") or {}) | set(memos.get("topics") or {})
    names |= {m["id"] for m in memos["memos"]}
    return names


def _string_constants(tree: ast.AST) -> list[tuple[int, str]]:
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_indicator_entity_chart_or_memo_id_is_spelled_in_the_code() -> None:
    names = _topic_names()
    assert {"us_tariff_rate_pct", "IND", "WLD", "tariff_ranking", "korea-brief"} <= names
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for line, text in _string_constants(ast.parse(path.read_text(encoding="utf-8"))):
            words = set(text.replace("-", " ").replace(",", " ").split()) | {text}
            hits = names & words
            if hits:
                found.append(f"{path.relative_to(REPO)}:{line}: {sorted(hits)}")
    assert not found, "topic knowledge in the code:\n" + "\n".join(found)
