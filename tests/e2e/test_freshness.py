"""Freshness: every memo shows the date of its data; figures older than the age limit are flagged.

A figure is old when the newest observation of its series (same indicator, entity, counterpart)
ended more than ``freshness.max_age_days`` (config/config.yaml) before the memo's edition date: a base
year in a comparison (trade in 2000 against 2024) is old on purpose and is not flagged while its
series is current. Which figures are old is worked out here from data/indicators.csv and the memos'
figure records, independently of ``memo.render.facts``; the build must then

- warn, naming each old figure (memo, row, indicator, period),
- mark each old figure in the memo with a visible dagger (text and chart labels), explained in the
  colophon of the notes, in every language,
- count them in the index's "Old figures" column (and in the manifest).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from helpers import copy_built, html_text, indicator_rows, pdf_text, run_snakemake

pytestmark = pytest.mark.e2e

LIMIT_DAYS = 200  # low enough to flag some figures of the seed data, not all


def period_end(period: str) -> dt.date:
    """Last day of an ISO period: 2024 -> 2024-12-31, 2025-Q2 -> 2025-06-30, 2025-07 -> 07-31;
    of an interval (a derived figure's "2000/2024"), its end."""
    period = period.split("/")[-1]
    if re.fullmatch(r"\d{4}", period):
        return dt.date(int(period), 12, 31)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", period):
        year, month = int(m[1]), 3 * int(m[2])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(m[1]), int(m[2])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date.fromisoformat(period)


def records(project: Path) -> dict[str, dict]:
    """Each published memo's figure record, by memo id."""
    return {
        p.name.removesuffix(".figures.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((project / "reports").glob("*.figures.json"))
    }


def manifest(project: Path) -> dict:
    return json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))


def expected_old(project: Path, limit: int) -> dict[str, set[str]]:
    """Memo id -> rows ("data/indicators.csv:N") of the old figures it shows."""
    newest: dict[tuple[str, str, str], dt.date] = {}
    for row in indicator_rows(project).values():
        key = (row["indicator"], row["entity"], row["counterpart"])
        newest[key] = max(newest.get(key, dt.date.min), period_end(row["period"]))
    dates = {m["id"]: dt.date.fromisoformat(m["edition_date"]) for m in manifest(project)["memos"]}
    old: dict[str, set[str]] = {}
    for memo, record in records(project).items():
        old[memo] = {
            f["row"]
            for f in record["figures"]
            if f["row"].startswith("data/indicators.csv:")
            and (dates[memo] - newest[(f["indicator"], f["entity"], f["counterpart"])]).days > limit
        }
    return old


def index_old_figures(project: Path) -> dict[str, int]:
    """The index's "Old figures" column, by memo (the link of the row's header cell)."""
    page = (project / "reports/index.html").read_text(encoding="utf-8")
    head = re.search(r"<thead>.*?</thead>", page, re.S)[0]
    columns = [html_text(c) for c in re.findall(r"<th\b[^>]*>(.*?)</th>", head, re.S)]
    column = columns.index("Old figures")
    counts = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", page.split("</thead>", 1)[1], re.S):
        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)
        memo = re.search(r'href="([\w-]+)\.html"', cells[0])[1]
        counts[memo] = int(html_text(cells[column]))
    return counts


def colophon(page: str) -> str:
    return html_text(re.search(r'<p class="data-date">(.*?)</p>', page, re.S)[1])


def test_every_memo_shows_the_date_of_its_data(built_project, reports):
    for memo, record in records(built_project.root).items():
        latest = max((f["period"] for f in record["figures"]), key=period_end)
        page = (reports / f"{memo}.html").read_text(encoding="utf-8")
        text = colophon(page)
        assert latest[:4] in text, (memo, text)
        if memo.endswith("-en"):
            assert text.startswith("Figures in this memo run to "), text
            assert "Figures in this memo run to" in " ".join(
                pdf_text(reports / f"{memo}.pdf").split()
            )
        else:
            assert latest[:4] in pdf_text(reports / f"{memo}.pdf")


def test_no_old_figures_within_the_configured_limit(built_project, reports):
    limit = int(
        re.search(r"max_age_days: (\d+)", (reports.parent / "config/config.yaml").read_text())[1]
    )
    old = expected_old(built_project.root, limit)
    counts = index_old_figures(built_project.root)
    for memo, record in records(built_project.root).items():
        assert set(record["stale"]) == old[memo]
        assert counts[memo] == len(old[memo])
        page = (reports / f"{memo}.html").read_text(encoding="utf-8")
        assert ('class="stale"' in page) == bool(old[memo])


@pytest.fixture(scope="session")
def aged(built_project, tmp_path_factory, request) -> tuple[Path, str]:
    """The built project rebuilt with a low age limit: (project, what snakemake printed).

    Built once per test run: under pytest-xdist the first worker builds it under a lock and the
    other reads the result, like ``built_project``.
    """
    import fcntl

    if hasattr(request.config, "workerinput"):
        base = tmp_path_factory.getbasetemp().parent / "memo-aged"
    else:
        base = tmp_path_factory.mktemp("memo-aged")
    base.mkdir(parents=True, exist_ok=True)
    project, log_file = base / "project", base / "snakemake.log"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not log_file.is_file():
                copy_built(built_project.root, project)
                config = project / "config/config.yaml"
                text = re.sub(
                    r"max_age_days: \d+",
                    f"max_age_days: {LIMIT_DAYS}",
                    config.read_text(encoding="utf-8"),
                )
                config.write_text(text, encoding="utf-8")
                result = run_snakemake(project, "--cores", "2")
                log_file.write_text(f"{result.returncode}\n{result.stdout}", encoding="utf-8")
            code, log = log_file.read_text(encoding="utf-8").split("\n", 1)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert code == "0", log[-4000:]
    return project, log


def test_old_figures_are_warned_about_in_the_build(aged):
    project, log = aged
    old = expected_old(project, LIMIT_DAYS)
    assert any(old.values()), "the limit flags nothing: lower LIMIT_DAYS"
    assert not all(
        set(old[m]) >= {f["row"] for f in r["figures"] if f["row"].startswith("data/")}
        for m, r in records(project).items()
    ), "the limit flags everything: raise LIMIT_DAYS"
    rows = indicator_rows(project)
    for memo, refs in old.items():
        for ref in refs:
            row = rows[int(ref.rsplit(":", 1)[1])]
            warning = (
                f"warning: {memo}: figure {ref} ({row['indicator']}, {row['period']}) is older "
                "than the age limit (config/config.yaml freshness.max_age_days)"
            )
            assert warning in log, warning
    # No warning for a figure that is not old.
    warned = set(re.findall(r"^warning: ([\w-]+): figure (\S+) ", log, re.M))
    assert warned == {(m, ref) for m, refs in old.items() for ref in refs}


def test_old_figures_are_marked_and_explained_in_the_memo(aged):
    project, _log = aged
    old = expected_old(project, LIMIT_DAYS)
    for memo, record in records(project).items():
        page = (project / f"reports/{memo}.html").read_text(encoding="utf-8")
        assert set(record["stale"]) == old[memo], memo
        # A dagger after every old figure in the text, and after its value in a chart.
        in_text = sum(
            1 for f in record["figures"] if f["row"] in old[memo] and f["context"] == "text"
        )
        assert page.count('<span class="stale"') == in_text, memo
        for f in record["figures"]:
            if f["row"] in old[memo] and f["context"] == "chart":
                assert re.search(rf">{re.escape(f['text'])}†</text>", page), (memo, f["text"])
        note = colophon(page)
        pdf = " ".join(pdf_text(project / f"reports/{memo}.pdf").split())
        assert "†" in pdf, memo
        if not old[memo]:
            assert "†" not in note
        elif memo.endswith("-en"):
            explanation = (
                f"Figures marked † are more than {LIMIT_DAYS} days older than the edition date; "
                "check for newer data."
            )
            assert explanation in note, note
            assert explanation in pdf
        else:
            assert "†" in note and str(LIMIT_DAYS) in note, note


def test_the_index_counts_old_figures(aged):
    project, _log = aged
    old = expected_old(project, LIMIT_DAYS)
    assert index_old_figures(project) == {memo: len(refs) for memo, refs in old.items()}
    for m in manifest(project)["memos"]:
        assert m["stale_figures"] == len(old[m["id"]])
