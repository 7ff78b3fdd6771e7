"""memo.publish.site: an edition appears whole in one step (reports is a link swapped by a rename);
old editions are pruned; a hand-made reports/ folder is kept; a failed publish leaves the last one."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from memo.publish import site
from memo.workflow import digest as memo_digest
from unit.support import STAND_IN_IDS, write_memos, zombie

IDS = STAND_IN_IDS


@pytest.fixture
def project(make_project) -> Path:
    root = make_project()
    write_memos(root, "first")
    return root


def run(root: Path) -> dict:
    return site.publish(root, root / "build/memos", root / "reports")


def editions(root: Path) -> list[str]:
    return sorted(
        p.name for p in (root / ".reports").iterdir() if p.is_dir() and not p.name.startswith(".")
    )


def test_publish_swaps_a_link_to_a_complete_edition(project: Path) -> None:
    manifest = run(project)
    reports = project / "reports"
    assert reports.is_symlink()
    target = Path(os.path.realpath(reports))
    assert target.parent == (project / ".reports").resolve()
    assert target.name.startswith("2025-09-15-")
    assert not os.path.isabs(os.readlink(reports)), "a relative link survives moving the folder"
    for oid in IDS:
        for ext in ("html", "pdf", "figures.json"):
            assert (reports / f"{oid}.{ext}").read_bytes() == (
                project / f"build/memos/{oid}.{ext}"
            ).read_bytes()
    assert json.loads((reports / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["edition"] == "2025-09-15"
    assert [m["id"] for m in manifest["memos"]] == IDS
    assert manifest["memos"][2]["pdf"] == "trade-brief-ko.pdf"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((reports / name).read_bytes()).hexdigest() == digest
    index = (reports / "index.html").read_text(encoding="utf-8")
    for oid in IDS:
        assert f'href="{oid}.pdf"' in index and f"Title of {oid}" in index
    assert "English" in index and "한국어" in index  # each edition's language, in itself
    assert not list((project / ".reports").glob(".staging-*")), "staging folder left behind"


def test_a_new_edition_replaces_the_link_and_old_ones_are_thinned_then_pruned(
    make_project,
) -> None:
    from unit.support import CONFIG

    # The two newest editions whole, the records of the three newest.
    root = make_project(config=CONFIG + "editions:\n  keep: 2\n  keep_records: 3\n")
    names = []
    for i in range(5):
        write_memos(root, f"version {i}")
        run(root)
        names.append(Path(os.readlink(root / "reports")).name)
    assert len(set(names)) == 5, "every edition got its own folder"
    assert editions(root) == sorted(names[2:]), "the two oldest should have been pruned"
    whole = {f"{oid}.{ext}" for oid in IDS for ext in ("html", "pdf", "figures.json")}
    whole |= {"index.html", "changes.html", "manifest.json"}
    for name in names[3:]:
        assert set(os.listdir(root / ".reports" / name)) == whole
    records = {f"{oid}.figures.json" for oid in IDS} | {"manifest.json"}
    assert set(os.listdir(root / ".reports" / names[2])) == records
    history = (root / ".reports/.history/editions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["edition"] for line in history] == names


def test_memos_like_those_of_an_edition_pruned_to_its_records_are_published_whole(
    make_project,
) -> None:
    from unit.support import CONFIG

    root = make_project(config=CONFIG + "editions:\n  keep: 1\n  keep_records: 3\n")
    names = []
    write_memos(root, "same")
    for version in ("a", "b", "a"):  # the data went back: the memos of the first edition again
        with (root / "data/dictionary.yaml").open("a", encoding="utf-8") as f:
            f.write(f"# reviewed for version {version}, {len(names)}\n")  # new inputs each time
        for oid in IDS:
            (root / f"build/memos/{oid}.pdf").write_bytes(f"%PDF-1.7 {oid} {version}".encode())
        run(root)
        names.append(Path(os.readlink(root / "reports")).name)
        if len(names) == 2:
            assert "index.html" not in os.listdir(root / ".reports" / names[0]), "kept as records"
    assert names[2] == names[0]
    manifest = json.loads((root / "reports/manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((root / "reports" / name).read_bytes()).hexdigest() == digest, name


def test_publishing_the_same_memos_again_keeps_the_same_edition(project: Path) -> None:
    run(project)
    link = os.readlink(project / "reports")
    run(project)
    assert os.readlink(project / "reports") == link
    assert len(editions(project)) == 1


def test_the_manifest_names_the_inputs_and_where_the_site_will_be(
    project: Path, monkeypatch
) -> None:
    monkeypatch.delenv("MEMO_BASE_URL", raising=False)
    first = run(project)
    assert first["base_url"] == site.load_edition(project).base_url
    assert set(first["inputs"]) >= {
        "data/indicators.csv",
        "config/memos.yaml",
        "templates/memo.css",
    }
    assert (
        first["inputs"]["data/indicators.csv"]
        == hashlib.sha256((project / "data/indicators.csv").read_bytes()).hexdigest()
    )

    # Other inputs giving the same memos: the same edition, with the record of the first build.
    with (project / "data/dictionary.yaml").open("a", encoding="utf-8") as f:
        f.write("# reviewed 2025-09-20\n")
    assert run(project) == first and len(editions(project)) == 1
    # Built afresh (as CI does), the manifest names the inputs of that build.
    shutil.rmtree(project / ".reports")
    (project / "reports").unlink()
    fresh = run(project)
    assert fresh["input_digest"] != first["input_digest"] and fresh["files"] == first["files"]

    # CI sets the Pages address: the same memos become a new edition that records it.
    monkeypatch.setenv("MEMO_BASE_URL", "https://unit.github.io/memo/")
    linked = run(project)
    assert linked["base_url"] == "https://unit.github.io/memo/"
    assert linked["input_digest"] == fresh["input_digest"] and len(editions(project)) == 2
    monkeypatch.setenv("MEMO_BASE_URL", "javascript:alert(1)")
    with pytest.raises(site.DataError, match="MEMO_BASE_URL"):
        run(project)


def test_a_plain_reports_folder_is_moved_aside_not_deleted(project: Path) -> None:
    hand = project / "reports"
    hand.mkdir()
    (hand / "notes-by-hand.txt").write_text("keep me", encoding="utf-8")
    run(project)
    assert (project / "reports").is_symlink()
    for i in range(site.KEEP_EDITIONS + 1):  # enough new editions to prune every older one
        write_memos(project, f"version {i}")
        run(project)
    kept = list((project / ".reports").rglob("notes-by-hand.txt"))
    assert [p.read_text() for p in kept] == ["keep me"], "the moved-aside folder was pruned"


def test_a_failed_publish_leaves_the_previous_edition(project: Path) -> None:
    run(project)
    link = os.readlink(project / "reports")
    write_memos(project, "second")
    (project / "build/memos/trade-brief-ko.meta.json").unlink()
    with pytest.raises(FileNotFoundError, match="memo trade-brief-ko was not rendered"):
        run(project)
    assert os.readlink(project / "reports") == link
    assert "first" in (project / "reports/trade-brief-ko.html").read_text()


def test_leftovers_of_killed_runs_are_removed_but_not_those_of_running_ones(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    store.mkdir()
    dead = store / ".staging-999999999"  # no such process
    alive = store / f".staging-{os.getppid()}"  # the process that started this test
    dead.mkdir()
    alive.mkdir()
    with zombie() as pid:  # killed with its run, not reaped yet
        killed = store / f".staging-{pid}"
        killed.mkdir()
        site.prune(store, keep=set())
    assert not dead.exists() and not killed.exists() and alive.exists()


def test_the_command_stamps_the_manifest_and_says_what_it_published(project: Path, capsys) -> None:
    args = argparse.Namespace(
        root=str(project), reports="reports", memos_dir="build/memos", stamp="build/published.json"
    )
    assert site.cli_publish(args) == 0
    stamp = json.loads((project / "build/published.json").read_text(encoding="utf-8"))
    assert stamp == json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))
    assert capsys.readouterr().err == "published 3 memos to reports/ (edition 2025-09-15)\n"


def test_the_command_with_bad_config_publishes_nothing(make_project, capsys) -> None:
    from unit.support import CONFIG

    root = make_project(config=CONFIG.replace("max_age_days: 730", "max_age_days: soon"))
    write_memos(root, "x")
    args = argparse.Namespace(
        root=str(root), reports="reports", memos_dir="build/memos", stamp=None
    )
    assert site.cli_publish(args) == 1
    assert "freshness.max_age_days: expected integer" in capsys.readouterr().err
    assert not (root / "reports").exists()


def test_the_index_dates_the_edition_in_words_and_draws_its_korean_titles(project: Path) -> None:
    meta_path = project / "build/memos/trade-brief-ko.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(title="미·인도 교역", marking="내부 업무용", publisher="정책메모팀")
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    manifest = run(project)
    index = (project / "reports/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2025-09-15">15 September 2025</time>' in index
    assert ">2025-09-15<" not in index
    # The Korean title's characters come with the page, cut from the bundled font.
    faces = re.findall(r"@font-face \{[^}]*unicode-range: ([^;]+);", index)
    assert len(faces) == 2 and all("U+AD50" in r for r in faces)  # 교
    korean = next(m for m in manifest["memos"] if m["language"] == "ko")
    assert (korean["marking"], korean["publisher"]) == ("내부 업무용", "정책메모팀")


def test_an_index_of_english_titles_carries_no_font(project: Path) -> None:
    run(project)
    index = (project / "reports/index.html").read_text(encoding="utf-8")
    # The language column names the Korean edition in Korean: "한국어" alone is embedded.
    faces = re.findall(r"unicode-range: ([^;]+);", index)
    assert faces == ["U+AD6D, U+C5B4, U+D55C"] * 2


def test_the_same_inputs_publish_nothing_new_unless_forced(project: Path, capsys) -> None:
    run(project)
    link = os.readlink(project / "reports")
    # Memos rendered again from the same inputs (a rebuild, a code change): nothing for readers.
    for oid in IDS:
        (project / f"build/memos/{oid}.html").write_text("<p>rebuilt</p>", encoding="utf-8")
    manifest, outcome = site.publish_edition(project, project / "build/memos", project / "reports")
    assert outcome == site.SAME_INPUTS
    assert os.readlink(project / "reports") == link
    assert manifest == json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))
    args = argparse.Namespace(
        root=str(project), reports="reports", memos_dir="build/memos", stamp=None, force=False
    )
    assert site.cli_publish(args) == 0
    assert capsys.readouterr().err == (
        f"inputs unchanged since the published edition (reports -> {link}): nothing new "
        "published (memo publish --force publishes anyway)\n"
    )
    args.force = True
    assert site.cli_publish(args) == 0
    assert os.readlink(project / "reports") != link
    assert len(editions(project)) == 2


def test_the_manifest_names_the_edition_its_inputs_the_one_before_and_each_memos_key(
    project: Path,
) -> None:
    first = run(project)
    assert first["id"] == Path(os.readlink(project / "reports")).name
    assert first["previous"] is None
    # Each memo's key as planning computes it: what the next build's renders compare with.
    keys = [memo_digest.memo_key(str(project), oid) for oid in IDS]
    assert [m["digest"] for m in first["memos"]] == keys and len(set(keys)) == len(IDS)
    # The digest of data/, config/, templates/ and assets/ as they are on disk, worked out here.
    files = {}
    for top in ("data", "config", "templates", "assets"):
        for p in sorted((project / top).rglob("*")):
            if p.is_file() and p.name != "recipients.csv":
                files[p.relative_to(project).as_posix()] = hashlib.sha256(
                    p.read_bytes()
                ).hexdigest()
    assert first["inputs"] == dict(sorted(files.items()))
    assert (
        first["input_digest"]
        == hashlib.sha256(
            json.dumps(dict(sorted(files.items())), sort_keys=True).encode()
        ).hexdigest()
    )
    write_memos(project, "second")
    second = run(project)
    assert second["previous"] == first["id"]
    assert second["input_digest"] != first["input_digest"]


def test_a_key_the_render_kept_is_the_one_published_without_working_it_out_again(
    project: Path,
) -> None:
    """Rule render passes each memo's key (planning computed it) to the render, which keeps it in
    the memo's meta record: publish records that key and leaves it out of the index's records."""
    meta_path = project / "build/memos/tariff-brief-en.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps(meta | {"input_key": "k" * 64}), encoding="utf-8")
    manifest = run(project)
    keys = {m["id"]: m["digest"] for m in manifest["memos"]}
    assert keys["tariff-brief-en"] == "k" * 64
    # A record without one (a memo rendered by hand): the key worked out as planning does.
    assert keys["trade-brief-en"] == memo_digest.memo_key(str(project), "trade-brief-en")
    assert all("input_key" not in m for m in manifest["memos"])


def test_each_edition_has_a_page_of_what_changed_linked_from_its_index(project: Path) -> None:
    from unit.drawn_records import INDIA_45, INDIA_50, record, write_record

    write_record(project / "build/memos", record("tariff-brief-en", [INDIA_50]))
    run(project)
    first = (project / "reports/changes.html").read_text(encoding="utf-8")
    assert "The first edition kept: there is nothing to compare it with." in first
    assert '<a href="changes.html">What changed in this edition</a>' in (
        project / "reports/index.html"
    ).read_text(encoding="utf-8")
    write_memos(project, "second")
    write_record(project / "build/memos", record("tariff-brief-en", [INDIA_45]))
    manifest = run(project)
    page = (project / "reports/changes.html").read_text(encoding="utf-8")
    assert f"Compared with the edition {manifest['previous']} (2025-09-15)." in page
    assert "<td>50%</td><td>45%</td>" in page
    assert manifest["files"]["changes.html"] == hashlib.sha256(page.encode()).hexdigest()
