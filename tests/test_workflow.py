"""End to end: snakemake builds, publishes, does nothing twice, and rebuilds only what a change touches.

Each test works on a copy of the project (tests/helpers.py); the full build runs once per test
process (fixture ``built_project``) and tests that change something copy that build first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pikepdf
import pytest
import yaml
from helpers import (
    MEMOS,
    copy_built,
    copy_project,
    html_text,
    pdf_text,
    rendered_memos,
    run_snakemake,
    set_indicator_value,
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_full_build_publishes_every_memo_with_index_and_manifest(built_project, reports):
    assert built_project.returncode == 0, built_project.log[-4000:]
    root = built_project.root
    assert reports.is_symlink(), "reports must be a link swapped atomically, not a folder"
    target = Path(os.path.realpath(reports))
    assert target.parent == (root / ".reports").resolve()
    assert target.name.startswith("2025-09-15-")

    for memo in MEMOS:
        for ext in ("html", "pdf"):
            path = reports / f"{memo}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path
    assert (reports / "index.html").is_file()
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["edition"] == "2025-09-15"
    assert [m["id"] for m in manifest["memos"]] == list(MEMOS)
    # Every file but the manifest itself is listed, with the sha256 of the published bytes.
    published = {p.name for p in reports.iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == published
    for name, digest in manifest["files"].items():
        assert sha256(reports / name) == digest, f"{name}: manifest sha256 does not match the file"
    for m in manifest["memos"]:
        assert (reports / m["html"]).is_file() and (reports / m["pdf"]).is_file()
        assert m["edition_date"] == "2025-09-15"
        with pikepdf.open(reports / m["pdf"]) as pdf:
            assert m["pages"] == len(pdf.pages), f"{m['id']}: manifest page count is wrong"
    # The index links every memo, HTML and PDF.
    index = (reports / "index.html").read_text(encoding="utf-8")
    for memo in MEMOS:
        assert f'href="{memo}.html"' in index and f'href="{memo}.pdf"' in index


def test_second_run_does_nothing(built_project, tmp_path):
    assert built_project.returncode == 0, built_project.log[-4000:]
    project = copy_built(built_project.root, tmp_path / "p")
    link_before = os.readlink(project / "reports")
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Nothing to be done" in result.stdout, result.stdout[-4000:]
    assert rendered_memos(result.stdout) == []
    assert os.readlink(project / "reports") == link_before


def test_dry_run_on_a_fresh_copy_shows_the_plan_and_builds_nothing(tmp_path):
    project = copy_project(tmp_path)
    result = run_snakemake(project, "-n")
    assert result.returncode == 0, result.stdout[-4000:]
    stats = result.stdout.split("Job stats:", 1)[1]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", stats, re.M))
    assert counts.get("validate") == "1"
    assert counts.get("derive") == "1"
    assert counts.get("render") == str(len(MEMOS))
    assert counts.get("publish") == "1"
    assert sorted(rendered_memos(result.stdout)) == sorted(MEMOS)
    assert not (project / "build").exists()
    assert not (project / "reports").exists() and not (project / "reports").is_symlink()


def _figure_rows(reports: Path, memo: str) -> set[str]:
    record = json.loads((reports / f"{memo}.figures.json").read_text(encoding="utf-8"))
    return {f["row"] for f in record["figures"]} | {
        i for f in record["figures"] for i in f["inputs"]
    }


# One edited figure: ((indicator, entity, counterpart, period, new value), memos expected to
# rebuild, text each rebuilt memo must then show, text it must no longer show; per language).
CHANGES = {
    # Syria's rate is drawn in the tariff chart of every memo and named in the US brief's text.
    "syria-tariff": (
        ("us_tariff_rate_pct", "SYR", "", "2025-08-06", "43"),
        set(MEMOS),
        {"en": "43%", "ko": "43%"},
        {"en": "41%", "ko": "41%"},
    ),
    # The disputed border with China appears in the Korea brief only.
    "border-length": (
        ("disputed_border_length_km", "IND", "CHN", "2025", "3500"),
        {"korea-brief-en", "korea-brief-ko"},
        {"en": "3,500 km", "ko": "3,500"},
        {"en": "3,488", "ko": "3,488"},
    ),
    # India's deficit with Korea: the Korea brief only; the key figures show the China deficit,
    # a row of the same indicator, and must not rebuild for it.
    "korea-deficit": (
        ("trade_deficit_usd_bn", "IND", "KOR", "2024", "15.1"),
        {"korea-brief-en", "korea-brief-ko"},
        {"en": "about $15.1 billion", "ko": "151억"},
        {"en": "$14.6 billion", "ko": "146억"},
    ),
    # The savings on Russian crude: the Korea brief and the US brief ("saved India about ...").
    "crude-savings": (
        ("crude_import_savings_usd_bn", "IND", "RUS", "2025", "13.4"),
        {"korea-brief-en", "korea-brief-ko", "us-brief-en"},
        {"en": "about $13.4 billion", "ko": "134억"},
        {"en": "$12.6 billion", "ko": "126억"},
    ),
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_one_changed_figure_rebuilds_exactly_the_memos_showing_it(
    built_project, reports, tmp_path, case
):
    row, expected, new_text, old_text = CHANGES[case]
    project = copy_built(built_project.root, tmp_path / "p")
    line = set_indicator_value(project, *row)
    ref = f"data/indicators.csv:{line}"
    # The expectation agrees with what each memo recorded as shown in the first build.
    shown = {m for m in MEMOS if ref in _figure_rows(reports, m)}
    assert shown == expected, f"memos recording {ref}: {sorted(shown)}"
    before = {m: (project / "reports" / f"{m}.pdf").read_bytes() for m in MEMOS}

    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert sorted(rendered_memos(result.stdout)) == sorted(expected), result.stdout[-3000:]

    out = project / "reports"
    for memo in MEMOS:
        lang = memo.rsplit("-", 1)[1]
        html = html_text((out / f"{memo}.html").read_text(encoding="utf-8"))
        text = " ".join(pdf_text(out / f"{memo}.pdf").split())
        if memo in expected:
            assert new_text[lang] in html, f"{memo}: HTML lacks {new_text[lang]!r}"
            assert new_text[lang] in text, f"{memo}: PDF lacks {new_text[lang]!r}"
            assert old_text[lang] not in html, f"{memo}: HTML still shows {old_text[lang]!r}"
            assert old_text[lang] not in text, f"{memo}: PDF still shows {old_text[lang]!r}"
        else:
            assert (out / f"{memo}.pdf").read_bytes() == before[memo], f"{memo} changed"


def test_editing_one_template_rebuilds_only_its_memo(built_project, tmp_path):
    assert built_project.returncode == 0, built_project.log[-4000:]
    project = copy_built(built_project.root, tmp_path / "p")
    template = project / "templates/us_brief.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{# reviewed #}\n", encoding="utf-8")
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert rendered_memos(result.stdout) == ["us-brief-en"], result.stdout[-3000:]
    assert "rule publish" in result.stdout


def test_memo_definitions_match_the_tested_editions():
    """The tests above name the editions; they must be those config/memos.yaml defines."""
    from helpers import REPO

    config = yaml.safe_load((REPO / "config/memos.yaml").read_text(encoding="utf-8"))
    ids = [f"{m['id']}-{lang}" for m in config["memos"] for lang in m["languages"]]
    assert ids == list(MEMOS)


def test_data_digest_covers_only_the_rows_a_memo_shows(tmp_path):
    """Planning-time digests (what decides a rebuild): a row of an indicator a memo shows for
    another country pair leaves that memo's digest alone; the row it does show changes it."""
    from memo import workflow

    base = copy_project(tmp_path, "base")
    korea = copy_project(tmp_path, "korea")
    set_indicator_value(korea, "trade_deficit_usd_bn", "IND", "KOR", "2024", "15.1")
    china = copy_project(tmp_path, "china")
    set_indicator_value(china, "trade_deficit_usd_bn", "IND", "CHN", "2024", "101")

    def digests(root: Path) -> dict[str, str]:
        return {m: workflow.data_digest(str(root), m) for m in MEMOS}

    before, after_korea, after_china = digests(base), digests(korea), digests(china)
    changed = {m for m in MEMOS if after_korea[m] != before[m]}
    assert changed == {"korea-brief-en", "korea-brief-ko"}
    # The China deficit is a key figure of the key-figures memo and feeds the Korea brief's
    # implied total deficit; the US brief shows no deficit.
    changed = {m for m in MEMOS if after_china[m] != before[m]}
    assert changed == {"korea-brief-en", "korea-brief-ko", "key-figures-en"}
