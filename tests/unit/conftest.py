"""Fixtures of the unit tier: the small project of ``unit.support`` in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from unit.support import make_project as _make_project


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """``make_project(indicators=..., memos=None, ...)``: the small project in ``tmp_path/p`` with
    some files replaced (see ``unit.support.make_project``)."""

    def make(**replace) -> Path:
        return _make_project(tmp_path / "p", **replace)

    return make


@pytest.fixture
def project(make_project) -> Path:
    """The small project, unchanged."""
    return make_project()
