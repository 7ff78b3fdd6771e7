"""memo.render.watch: what the warm render server watches (its inputs, its own code)."""

from __future__ import annotations

import time
from pathlib import Path

from memo.render import watch
from unit.support import make_project


def test_inputs_key_changes_when_an_input_changes(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", shared=False)
    before = watch.inputs_key(root)
    assert before == watch.inputs_key(root)
    path = root / "data/sources.csv"
    time.sleep(0.01)
    path.write_text(path.read_text(encoding="utf-8") + "fn99,99,,New,AP,2025,,\n", encoding="utf-8")
    assert watch.inputs_key(root) != before
    # Files rendering does not read do not count.
    after = watch.inputs_key(root)
    (root / "reports").mkdir()
    (root / "reports/index.html").write_text("x", encoding="utf-8")
    assert watch.inputs_key(root) == after


def test_the_code_signature_is_stable_while_the_package_is_unchanged() -> None:
    assert watch.code_signature() == watch.code_signature()
