"""A new topic is data, config and prose, never Python: an analyst's second brief, built for real.

On a copy of the session's build (with its own ``src/`` under git), the fragments in ``new_topic/``
(fictional countries, figures and source, clearly marked as test data) are added the way an
analyst would add them: rows to data/, a topic, two charts and a memo to config/memos.yaml, one
template. The build must succeed, the memo must say what the data say (a ranking with Borduria in
first place and Carpania tied for second, Borduria's share of inward investment, a change, a
multiple no more precise than its "about 0.5" base supports, two chart kinds), and ``git`` must see
no change under ``src/``; the article's memos, which the new rows and memo do not touch, are not
rendered again. Then the article's topic is deleted, and the new one still builds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import (
    MEMOS,
    REPO,
    assert_rows_resolve,
    copy_built,
    html_text,
    pdf_text,
    rendered_memos,
)

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent / "new_topic"
MEMO = "arcadia-brief-en"


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def snakemake(project: Path) -> subprocess.CompletedProcess:
    # The copy's own src/ is the code that runs, so "no change under src/" is about what was built.
    env = os.environ | {"PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def insert_before(path: Path, marker: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert marker in content, f"{marker!r} not in {path}"
    path.write_text(content.replace(marker, text + marker, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    path.write_text(content.rstrip("\n") + "\n" + text, encoding="utf-8")


def add_topic(project: Path) -> None:
    """What an analyst does: rows, sources, dictionary entries, config, one template."""
    data = project / "data"
    insert_before(
        data / "dictionary.yaml",
        "\n# Entity/counterpart convention",
        "\n" + (HERE / "entities.yaml").read_text(),
    )
    append(data / "dictionary.yaml", (HERE / "dictionary.yaml").read_text())
    append(data / "sources.csv", (HERE / "sources.csv").read_text())
    append(data / "indicators.csv", (HERE / "indicators.csv").read_text())
    memos_path = project / "config/memos.yaml"
    memos = yaml.safe_load(memos_path.read_text(encoding="utf-8"))
    extra = yaml.safe_load((HERE / "memos.yaml").read_text(encoding="utf-8"))
    for key in ("topics", "charts"):
        memos.setdefault(key, {}).update(extra[key])
    memos["memos"] += extra["memos"]
    memos_path.write_text(yaml.safe_dump(memos, allow_unicode=True, sort_keys=False))
    shutil.copy(HERE / "arcadia_brief.html.j2", project / "templates")


def remove_article_topic(project: Path) -> None:
    """Delete the first edition's topic: its memos, charts and topic, and its rows."""
    memos_path = project / "config/memos.yaml"
    memos = yaml.safe_load(memos_path.read_text(encoding="utf-8"))
    old = [t for t in memos["topics"] if t != "arcadia-investment"]
    memos["memos"] = [m for m in memos["memos"] if m["topic"] not in old]
    memos["charts"] = {k: v for k, v in memos["charts"].items() if k.startswith("arcadia")}
    memos["topics"] = {k: v for k, v in memos["topics"].items() if k not in old}
    memos_path.write_text(yaml.safe_dump(memos, allow_unicode=True, sort_keys=False))
    rows = (project / "data/indicators.csv").read_text(encoding="utf-8").splitlines()
    keep = [rows[0]] + [r for r in rows[1:] if ",testsrc," in r]
    (project / "data/indicators.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def project(built_project, reports, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_built(built_project.root, tmp_path_factory.mktemp("topic") / "project")
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".gitignore", root / ".gitignore")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    add_topic(root)
    return root


def test_a_new_topic_builds_from_data_config_and_prose_alone(project: Path, reports) -> None:
    result = snakemake(project)
    assert result.returncode == 0, result.stdout[-4000:]
    # Only the new memo is rendered: the article's memos show none of the new rows.
    assert rendered_memos(result.stdout) == [MEMO], result.stdout[-3000:]
    assert git(project, "status", "--porcelain", "--", "src") == ""
    assert git(project, "diff", "--stat", "--", "src") == ""
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    assert changed >= {
        "data/indicators.csv",
        "config/memos.yaml",
        "templates/arcadia_brief.html.j2",
    }

    text = html_text((project / "reports" / f"{MEMO}.html").read_text(encoding="utf-8"))
    # Rank wording from the dictionary's words: alone in first place, and a tie for second.
    assert "Borduria is the largest source of foreign investment in Arcadia" in text
    assert (
        "Carpania is tied with Dalmoria for the second-largest source of foreign investment" in text
    )
    # 12.5 of 50: a quarter; 10 in 2020 to 12.5 in 2024.
    assert "with 25%" in text
    assert "rose from $10 billion" in text and "to $12.5 billion" in text
    # 86.5 over "about 0.5" is about 173 (the note says so), but a base of one significant digit
    # supports only "more than a hundredfold" in words.
    assert "grew more than a hundredfold" in text
    assert "173-fold" not in text and "173fold" not in text
    # The rank reads as an ordinal in the key-figures table.
    assert re.search(r"Rank among investors.{0,60}?1st", text), text[:2000]
    # Both chart kinds, with their declared titles and every figure drawn.
    assert "Direct investment in Arcadia by source" in text
    assert "Borduria's trade with Arcadia" in text
    figures = json.loads((project / "reports" / f"{MEMO}.figures.json").read_text())
    charted = {(f["entity"], f["period"]) for f in figures["figures"] if f["context"] == "chart"}
    assert {("XBB", "2024"), ("XCC", "2024"), ("XDD", "2024"), ("XEE", "2024")} <= charted
    assert ("WLD", "2024") not in charted  # the world is not one of the sources ranked
    assert {("XBB", "1995"), ("XBB", "2024")} <= charted
    assert "more than a hundredfold" in pdf_text(project / "reports" / f"{MEMO}.pdf")
    # The article's memos are published beside it, the same files as before, and their figure
    # records still name the right rows: the new rows and the new topic's derived figures come
    # after theirs.
    for memo in MEMOS:
        assert (project / "reports" / f"{memo}.pdf").read_bytes() == (
            reports / f"{memo}.pdf"
        ).read_bytes(), memo
        assert_rows_resolve(project, memo, "reports")
    assert_rows_resolve(project, MEMO, "reports")


def test_the_old_topic_can_be_deleted_and_the_new_one_still_builds(project: Path) -> None:
    remove_article_topic(project)
    result = snakemake(project)
    assert result.returncode == 0, result.stdout[-4000:]
    published = json.loads((project / "reports" / "manifest.json").read_text())
    assert [m["id"] for m in published["memos"]] == [MEMO]
    assert git(project, "status", "--porcelain", "--", "src") == ""
