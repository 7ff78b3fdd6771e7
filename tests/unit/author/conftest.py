"""The author stage's fixtures: a preview of the small project's tariff brief, loaded and rendered."""

from __future__ import annotations

import pytest

from memo.author.preview import Preview


@pytest.fixture
def preview(project):
    p = Preview(project, "tariff-brief-en")
    p.load()
    p.render()
    return p
