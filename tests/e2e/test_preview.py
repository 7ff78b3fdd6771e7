"""End to end, in Chromium: ``memo preview`` serves a memo, shows each saved change by itself,
shows a broken memo's problems with file and line, and comes back when they are fixed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_project

pytestmark = pytest.mark.e2e

TEMPLATE = "templates/korea_brief.html.j2"
SENTENCE = "Until this year the relationship"


def line_with(path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, found
    return found[0]


def replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def served(tmp_path):
    project = copy_project(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "memo.cli", "--root", str(project)]
        + ["preview", "korea-brief", "--port", "0", "--no-browser"],
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "MEMO_RENDER_SOCKET"},
    )
    try:
        first = proc.stderr.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", first)
        assert found, first
        yield project, found.group(1)
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for_text(page, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "(t) => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout
    )


def test_preview_rerenders_on_save_and_recovers_from_errors(served, browser):
    project, url = served
    template = project / TEMPLATE
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_text(page, SENTENCE)
        assert page.locator("h1").inner_text().startswith("India")

        # A saved template shows by itself.
        replace(template, SENTENCE, "Until PREVIEW ONE the relationship")
        wait_for_text(page, "Until PREVIEW ONE the relationship")

        # A figure the data lack: the page names the template and the line.
        call = 'fact("terror_attack_deaths_count", "IND")'
        line = line_with(template, call)
        replace(template, call, 'fact("terror_attack_deaths_count", "INX")')
        wait_for_text(page, f"{TEMPLATE}:{line}")
        assert 'no figure for indicator "terror_attack_deaths_count" (entity=INX)' in (
            page.inner_text("#problems")
        )
        replace(template, 'fact("terror_attack_deaths_count", "INX")', call)
        wait_for_text(page, "Until PREVIEW ONE the relationship")

        # A template that does not parse: its line, then back.
        line = line_with(template, "{% block why %}")
        replace(template, "{% block why %}", "{% block why %}{% if %}")
        wait_for_text(page, f"{TEMPLATE}:{line}")
        replace(template, "{% block why %}{% if %}", "{% block why %}")
        wait_for_text(page, "Until PREVIEW ONE the relationship")

        # Bad data: the row's line in data/indicators.csv, then back.
        data = project / "data/indicators.csv"
        row = next(
            line
            for line in data.read_text(encoding="utf-8").splitlines()
            if line.startswith("terror_attack_deaths_count,IND,")
        )
        value = row.split(",")[4]
        line = line_with(data, row)
        replace(data, row, row.replace(f",{value},", ",many,", 1))
        wait_for_text(page, f"data/indicators.csv:{line}")
        assert '"many" is not a number' in page.inner_text("#problems")
        replace(data, row.replace(f",{value},", ",many,", 1), row.replace(f",{value},", ",27,", 1))
        wait_for_text(page, "Until PREVIEW ONE the relationship")
        assert 'which killed <span class="fig">27</span>' in page.content()

        # The PDF, rendered on request from the current HTML.
        pdf = page.request.get(url + "pdf", timeout=120_000)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
    finally:
        context.close()


def test_the_preview_benchmark_runs_and_prints_its_medians():
    bench = Path(__file__).resolve().parents[2] / "bench/preview.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--saves", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "MEMO_RENDER_SOCKET"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # Times are printed, never judged here.
    assert figures["saves"] == 1
    for kind in ("template", "data"):
        assert figures[f"{kind}_median_s"] > 0
        assert f"  {kind:<9} median " in result.stdout
