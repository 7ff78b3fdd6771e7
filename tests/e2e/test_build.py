"""End to end: snakemake builds, publishes, does nothing twice, and rebuilds only what a change touches.

Each test works on a copy of the project (tests/helpers.py); the full build runs once per test
session (fixture ``built_project``) and tests that change something copy that build first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pikepdf
import pytest
import yaml
from helpers import (
    EDITION_DATE,
    MEMOS,
    assert_rows_resolve,
    assert_whole_edition,
    copy_built,
    copy_project,
    html_text,
    indicator_rows,
    language,
    memo_definitions,
    pdf_text,
    rendered_memos,
    reports_snapshot,
    rows_shown,
    run_snakemake,
    set_indicator_value,
    sha256,
)

pytestmark = pytest.mark.e2e


def test_full_build_publishes_every_memo_with_index_and_manifest(built_project, reports):
    root = built_project.root
    assert reports.is_symlink(), "reports must be a link swapped atomically, not a folder"
    target = Path(os.path.realpath(reports))
    assert target.parent == (root / ".reports").resolve()
    assert target.name.startswith(f"{EDITION_DATE}-")

    for memo in MEMOS:
        for ext in ("html", "pdf"):
            path = reports / f"{memo}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path
    manifest = assert_whole_edition(root)
    assert manifest["edition"] == EDITION_DATE
    assert [m["id"] for m in manifest["memos"]] == list(MEMOS)
    for m in manifest["memos"]:
        assert m["edition_date"] == EDITION_DATE
        with pikepdf.open(reports / m["pdf"]) as pdf:
            assert m["pages"] == len(pdf.pages), f"{m['id']}: manifest page count is wrong"
    # The index links every memo, HTML and PDF.
    index = (reports / "index.html").read_text(encoding="utf-8")
    for memo in MEMOS:
        assert f'href="{memo}.html"' in index and f'href="{memo}.pdf"' in index
    assert "Traceback" not in built_project.log
    for memo in MEMOS:
        assert_rows_resolve(root, memo)


def test_second_run_does_nothing_and_deleted_reports_are_published_again(
    built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "p")
    link_before = os.readlink(project / "reports")
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Nothing to be done" in result.stdout, result.stdout[-4000:]
    assert rendered_memos(result.stdout) == []
    assert os.readlink(project / "reports") == link_before

    # The reports link deleted by hand: a dry run says so and changes nothing; the next run
    # publishes the same edition again from build/memos/, rendering nothing.
    (project / "reports").unlink()
    dry = run_snakemake(project, "--cores", "2", "-n")
    assert dry.returncode == 0, dry.stdout[-4000:]
    assert "reports/ is gone" in dry.stdout and (project / "build/published.json").is_file()
    again = run_snakemake(project, "--cores", "2")
    assert again.returncode == 0, again.stdout[-4000:]
    assert "reports/ is gone" in again.stdout and rendered_memos(again.stdout) == []
    assert os.readlink(project / "reports") == link_before
    assert sorted(p.name for p in (project / "reports").iterdir()) == sorted(
        p.name for p in reports.iterdir()
    )


def test_dry_run_on_a_fresh_copy_shows_the_plan_and_builds_nothing(tmp_path):
    project = copy_project(tmp_path)
    result = run_snakemake(project, "-n")
    assert result.returncode == 0, result.stdout[-4000:]
    stats = result.stdout.split("Job stats:", 1)[1]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", stats, re.M))
    assert counts.get("derive") == "1"
    assert counts.get("render") == str(len(MEMOS))
    assert counts.get("publish") == "1"
    assert sorted(rendered_memos(result.stdout)) == sorted(MEMOS)
    assert not (project / "build").exists()
    assert not (project / "reports").exists() and not (project / "reports").is_symlink()
    assert not (project / ".snakemake/locks").is_dir() or not any(
        (project / ".snakemake/locks").iterdir()
    )


# ---- minimal rebuilds --------------------------------------------------------------------------

# One edited figure: (row key and new value, text each memo showing it must then show, text it
# must no longer show; per language). Which memos show it is read from the first build's figure
# records, and the rebuild must render exactly those.
CHANGES = {
    # India's deficit with Korea: some memos show it; another shows a row of the same indicator
    # (the deficit with China) and must not rebuild for it.
    "korea-deficit": (
        ("trade_deficit_usd_bn", "IND", "KOR", "2024", "15.1"),
        {"en": "about $15.1 billion", "ko": "151억"},
        {"en": "$14.6 billion", "ko": "146억"},
    ),
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_one_changed_figure_rebuilds_exactly_the_memos_showing_it(
    built_project, reports, tmp_path, case
):
    """The figure is edited while a problem elsewhere (a recipient's e-mail address) stops rule
    derive, and Snakemake removes its table; once the problem is fixed, and the data not touched
    again, the new figure reaches exactly the memos showing it, not left behind as "unchanged"."""
    row, new_text, old_text = CHANGES[case]
    project = copy_built(built_project.root, tmp_path / "p")
    line = set_indicator_value(project, *row)
    ref = f"data/indicators.csv:{line}"
    expected = {m for m in MEMOS if ref in rows_shown(reports, m)}
    # A case worth running: some memos show the row, and some do not.
    assert expected and expected != set(MEMOS), f"memos recording {ref}: {sorted(expected)}"
    before = {m: (project / "reports" / f"{m}.pdf").read_bytes() for m in MEMOS}

    recipients = project / "config/recipients.csv"
    listed = recipients.read_text(encoding="utf-8")
    assert "@" in listed.splitlines()[1]
    recipients.write_text(listed.replace("@", " at ", 1), encoding="utf-8")
    failed = run_snakemake(project, "--cores", "2")
    assert failed.returncode != 0 and "config/recipients.csv:2: email:" in failed.stdout, (
        failed.stdout[-3000:]
    )
    assert rendered_memos(failed.stdout) == [], failed.stdout[-3000:]
    recipients.write_text(listed, encoding="utf-8")

    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert sorted(rendered_memos(result.stdout)) == sorted(expected), result.stdout[-3000:]

    out = project / "reports"
    for memo in MEMOS:
        lang = language(memo)
        markup = (out / f"{memo}.html").read_text(encoding="utf-8")
        # The "What's new" box at the top says what the figure was (issue 13); nothing else may.
        found = re.search(r'<section class="whats-new".*?</section>', markup, re.S)
        box = html_text(found.group(0)) if found else ""
        html = html_text(markup.replace(found.group(0), "") if found else markup)
        if memo in expected:
            text = " ".join(pdf_text(out / f"{memo}.pdf").split())
            assert new_text[lang] in html, f"{memo}: HTML lacks {new_text[lang]!r}"
            assert new_text[lang] in text, f"{memo}: PDF lacks {new_text[lang]!r}"
            assert old_text[lang] in box, f"{memo}: What's new does not say {old_text[lang]!r}"
            assert old_text[lang] not in html, f"{memo}: HTML still shows {old_text[lang]!r}"
            assert text.count(old_text[lang]) == box.count(old_text[lang]), (
                f"{memo}: PDF still shows {old_text[lang]!r} outside What's new"
            )
        else:
            assert (out / f"{memo}.pdf").read_bytes() == before[memo], f"{memo} changed"


def _add_entity(project: Path, code: str, name: str, alpha2: str) -> None:
    path = project / "data/dictionary.yaml"
    text = path.read_text(encoding="utf-8")
    block = f"entities:\n  {code}:\n    name: {name}\n    alpha2: {alpha2}\n    kind: country\n"
    assert text.count("\nentities:\n") == 1
    path.write_text(text.replace("\nentities:\n", "\n" + block, 1), encoding="utf-8")


def _next_day(period: str) -> str:
    return (dt.date.fromisoformat(period) + dt.timedelta(days=1)).isoformat()


def test_a_template_edit_rebuilds_its_memos_and_a_row_outside_the_topic_none(
    built_project, reports, tmp_path
):
    """Two edits, one rebuild: the template of one memo is edited, and a new row for another
    country's US tariff, dated a day after the latest one, is added outside the memos' topic. The
    memos of that template are rendered again, no other; every memo shows the same figures and
    text, byte for byte (the edit is a comment), and every figure record still points at the right
    rows."""
    project = copy_built(built_project.root, tmp_path / "p")
    # The template of the last memo in the config; every edition built from it is rebuilt.
    definitions = memo_definitions(project)
    template = definitions[MEMOS[-1]]["template"]
    users = sorted(m for m, d in definitions.items() if d["template"] == template)
    assert len(users) < len(MEMOS)
    path = project / "templates" / template
    path.write_text(path.read_text(encoding="utf-8") + "{# reviewed #}\n", encoding="utf-8")

    topics = yaml.safe_load((project / "config/memos.yaml").read_text(encoding="utf-8"))["topics"]
    assert all("VNM" not in t["entities"] for t in topics.values())
    rows = indicator_rows(project)
    tariffs = [r for r in rows.values() if r["indicator"] == "us_tariff_rate_pct"]
    latest = max(r["period"] for r in tariffs if re.fullmatch(r"\d{4}-\d\d-\d\d", r["period"]))
    # Higher than every rate in the data: inside the topic it would lead the ranking.
    rate = max(float(r["value"]) for r in tariffs) + 5
    _add_entity(project, "VNM", "Viet Nam", "VN")
    source = tariffs[-1]["source"]
    with (project / "data/indicators.csv").open("a", encoding="utf-8") as f:
        f.write(f"us_tariff_rate_pct,VNM,,{_next_day(latest)},{rate:g},,,,percent,{source},\n")

    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r"^(local)?(rule|checkpoint) derive:", result.stdout, re.M), "not read"
    assert sorted(rendered_memos(result.stdout)) == users, result.stdout[-3000:]
    assert "rule publish" in result.stdout
    figures = (project / "build/derived/figures.csv").read_text(encoding="utf-8")
    assert ",VNM," in figures, "the new row is not in the figure table"
    out = project / "reports"
    for memo in MEMOS:
        new = (project / "build/memos" / f"{memo}.figures.json").read_text(encoding="utf-8")
        assert new == (reports / f"{memo}.figures.json").read_text(encoding="utf-8"), memo
        assert "VNM" not in new
        # The same file, byte for byte (the template's memos too: the edit is a comment).
        assert (out / f"{memo}.pdf").read_bytes() == (reports / f"{memo}.pdf").read_bytes(), memo
        # And the figure record still points at the right rows of the new figure table.
        assert_rows_resolve(project, memo)


def test_removing_one_memo_from_the_config_leaves_the_others_building(
    built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "p")
    path = project / "config/memos.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    removed = config["memos"].pop(0)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    kept = list(memo_definitions(project))
    gone = [m for m in MEMOS if m not in kept]
    assert kept and gone and all(m.startswith(removed["id"] + "-") for m in gone)

    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Traceback" not in result.stdout
    manifest = assert_whole_edition(project)
    assert [m["id"] for m in manifest["memos"]] == kept
    out = project / "reports"
    for memo in gone:
        assert not (out / f"{memo}.pdf").exists() and f"{memo}.html" not in manifest["files"]
    before = reports_snapshot(built_project.root)["files"]
    for memo in kept:
        # The memos left are the ones published before, byte for byte.
        assert sha256(out / f"{memo}.pdf") == before[f"{memo}.pdf"], memo
        record = json.loads((out / f"{memo}.figures.json").read_text(encoding="utf-8"))
        assert record["memo"] == memo
