"""End to end: ``memo new`` gives a memo that the build publishes at once, HTML and PDF."""

from __future__ import annotations

import json

import pytest
from helpers import copy_project, run_memo, run_snakemake

pytestmark = pytest.mark.e2e


def test_memo_new_builds_at_once(tmp_path):
    project = copy_project(tmp_path)
    audience = "senior_readers"  # an audience of the project's config/memos.yaml
    made = run_memo(
        project, "new", "outlook-note", "--audience", audience, "--template", "outlook_note.html.j2"
    )
    assert made.returncode == 0, made.stderr
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))
    entry = next(m for m in manifest["memos"] if m["id"] == "outlook-note-en")
    assert entry["audience"] == audience and entry["pages"] >= 1
    html = (project / "reports/outlook-note-en.html").read_text(encoding="utf-8")
    assert '<h2 id="discussion-h">Discussion</h2>' in html
    assert (project / "reports/outlook-note-en.pdf").stat().st_size > 0
