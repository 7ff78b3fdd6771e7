"""End to end: ``memo new`` in a built project gives a memo that the next build publishes at once,
HTML and PDF, rendering it alone; the build ends with one line per memo, Snakemake's own messages
kept in its log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from helpers import MEMOS, copy_built, rendered_memos, run_memo

pytestmark = pytest.mark.e2e


def test_memo_new_builds_at_once(built_project, reports, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    audience = "senior_readers"  # an audience of the project's config/memos.yaml
    made = run_memo(
        project, "new", "outlook-note", "--audience", audience, "--template", "outlook_note.html.j2"
    )
    assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if k != "MEMO_RENDER_SOCKET"}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=project,
        env=env | {"MEMO_BUILD_OUTPUT": "summary"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    screen = result.stdout + result.stderr
    # The screen: the memos' own lines and the summary, not Snakemake's job listing.
    assert "rule render" not in screen and "Select jobs to execute" not in screen, screen
    assert re.search(r"^  outlook-note-en +built +\d+ pages?$", screen, re.M), screen
    done = (
        rf"^build done: {len(MEMOS) + 1} memos, 1 built, {len(MEMOS)} unchanged; Snakemake's log: "
    )
    assert re.search(done, screen, re.M), screen
    log = re.search(r"Snakemake's log: (\S+)$", screen, re.M).group(1)
    log_text = (project / log).read_text(encoding="utf-8")
    # The new memo alone is rendered: adding a memo changes none of the others' inputs.
    assert rendered_memos(log_text) == ["outlook-note-en"], log_text[-4000:]
    manifest = json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))
    entry = next(m for m in manifest["memos"] if m["id"] == "outlook-note-en")
    assert entry["audience"] == audience and entry["pages"] >= 1
    html = (project / "reports/outlook-note-en.html").read_text(encoding="utf-8")
    assert '<h2 id="discussion-h">Discussion</h2>' in html
    assert (project / "reports/outlook-note-en.pdf").stat().st_size > 0
