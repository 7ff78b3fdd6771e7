"""memo.publish.editions: the editions kept under .reports/, in the order they were published; the
record a render compares with (skipping editions in which its memo did not change); what a reader
received, found by the PDF's SHA-256; retention; the input digest."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from memo.publish import editions
from unit.drawn_records import INDIA_50, record, write_record


def edition(
    store: Path,
    name: str,
    memos: dict[str, str],
    *,
    pdfs: dict[str, bytes] | None = None,
    history: bool = True,
) -> Path:
    """An edition folder as publish leaves it: a record and PDF per memo, index, manifest.
    ``memos`` maps each memo to the input key it was built from."""
    folder = store / name
    files = {}
    for oid in memos:
        write_record(folder, record(oid, [INDIA_50]))
        pdf = (pdfs or {}).get(oid, f"%PDF {name} {oid}".encode())
        (folder / f"{oid}.pdf").write_bytes(pdf)
        (folder / f"{oid}.html").write_text(f"<p>{oid}</p>", encoding="utf-8")
        files[f"{oid}.pdf"] = hashlib.sha256(pdf).hexdigest()
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    manifest = {
        "edition": name[:10],
        "id": name,
        "memos": [{"id": oid, "digest": key} for oid, key in memos.items()],
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if history:
        editions.append_history(store, {"edition": name})
    return folder


def test_the_input_digest_covers_data_config_templates_and_assets(tmp_path: Path) -> None:
    root = tmp_path
    files = {
        "data/indicators.csv": "indicator\n",
        "config/config.yaml": "edition: {}\n",
        "config/memos.yaml": "memos: []\n",
        "templates/base.html.j2": "<html>",
        "assets/fonts/a.ttf": "font",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    # Not inputs: the recipients, hidden files, anything outside the five.
    (root / "config/recipients.csv").write_text("name\n", encoding="utf-8")
    (root / "templates/.base.html.j2.swp").write_text("x", encoding="utf-8")
    (root / "notes.txt").write_text("x", encoding="utf-8")
    by_hand = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in files.items()}
    expected = hashlib.sha256(json.dumps(by_hand, sort_keys=True).encode()).hexdigest()
    assert editions.input_digest(root) == expected
    (root / "config/recipients.csv").write_text("name\nsomeone\n", encoding="utf-8")
    assert editions.input_digest(root) == expected
    (root / "data/indicators.csv").write_text("indicator,entity\n", encoding="utf-8")
    assert editions.input_digest(root) != expected


def test_editions_are_in_publishing_order_and_a_republished_one_counts_last(
    tmp_path: Path,
) -> None:
    store = tmp_path / ".reports"
    edition(store, "2025-09-15-aaa", {"m-en": "k1"})
    edition(store, "2025-09-15-bbb", {"m-en": "k2"})
    assert editions.editions(store) == ["2025-09-15-aaa", "2025-09-15-bbb"]
    editions.append_history(store, {"edition": "2025-09-15-aaa"})  # the data went back
    assert editions.editions(store) == ["2025-09-15-bbb", "2025-09-15-aaa"]
    assert editions.before(store, "2025-09-15-aaa") == "2025-09-15-bbb"
    assert editions.before(store, "2025-09-15-bbb") is None


def test_editions_from_before_the_history_come_first_and_half_folders_not_at_all(
    tmp_path: Path,
) -> None:
    store = tmp_path / ".reports"
    old = edition(store, "2025-06-01-old", {"m-en": ""}, history=False)
    os.utime(old, (1, 1))
    edition(store, "2025-09-15-new", {"m-en": "k"})
    (store / "2025-07-01-nomanifest").mkdir()
    (store / "previous-123").mkdir()
    assert editions.editions(store) == ["2025-06-01-old", "2025-09-15-new"]


def test_a_torn_last_history_line_is_ignored(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    editions.append_history(store, {"edition": "a"})
    with (store / ".history/editions.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"edition": "b"')
    assert [e["edition"] for e in editions.read_history(store)] == ["a"]


def test_a_render_compares_with_the_last_edition_its_memo_changed_in(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    edition(store, "e1", {"a-en": "a1", "b-en": "b1"})
    edition(store, "e2", {"a-en": "a2", "b-en": "b1"})  # a changed
    edition(store, "e3", {"a-en": "a2", "b-en": "b2"})  # then b changed
    # a is built from a2 (as in e2 and e3): its box compares with e1, where it was a1.
    assert editions.previous_record(tmp_path, "a-en", "a2") == ".reports/e1/a-en.figures.json"
    # b is built from b2 (as in e3): it compares with e2.
    assert editions.previous_record(tmp_path, "b-en", "b2") == ".reports/e2/b-en.figures.json"
    # New inputs for a: the newest edition.
    assert editions.previous_record(tmp_path, "a-en", "a3") == ".reports/e3/a-en.figures.json"
    # Never changed since its first edition, or never published: nothing to compare with.
    edition(store, "e4", {"a-en": "a3", "b-en": "b2", "c-en": "c1"})
    assert editions.previous_record(tmp_path, "c-en", "c1") is None
    assert editions.previous_record(tmp_path, "d-en", "d1") is None
    # Without a key (a render by hand), the newest edition of the memo.
    assert editions.previous_record(tmp_path, "b-en", "") == ".reports/e4/b-en.figures.json"


def test_a_pruned_record_is_not_offered(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    edition(store, "e1", {"a-en": "a1"})
    edition(store, "e2", {"a-en": "a2"})
    (store / "e2" / "a-en.figures.json").unlink()
    assert editions.previous_record(tmp_path, "a-en", "a3") == ".reports/e1/a-en.figures.json"


def test_what_a_reader_received_is_found_by_the_sha256_of_its_pdf(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    edition(store, "e1", {"a-en": "a1"}, pdfs={"a-en": b"%PDF one"})
    edition(store, "e2", {"a-en": "a2"}, pdfs={"a-en": b"%PDF two"})
    edition(store, "e3", {"a-en": "a2"}, pdfs={"a-en": b"%PDF two"})
    one, two = (hashlib.sha256(b).hexdigest() for b in (b"%PDF one", b"%PDF two"))
    assert editions.received(store, "a-en", one) == "e1"
    assert editions.received(store, "a-en", two) == "e3", "the newest edition with that PDF"
    assert editions.received(store, "a-en", "0" * 64) is None
    (store / "e1" / "a-en.figures.json").unlink()
    assert editions.received(store, "a-en", one) is None, "no record kept: unknown"
    assert editions.record(store, "e2", "a-en")["figures"][0]["text"] == INDIA_50["text"]
    assert editions.record(store, "e2", "b-en") is None


def test_retention_keeps_files_then_records_then_nothing(tmp_path: Path) -> None:
    store = tmp_path / ".reports"
    for name in ("e1", "e2", "e3", "e4", "e5"):
        edition(store, name, {"a-en": name})
    (store / ".staging-999999999").mkdir()  # a killed run's leftover
    removed = editions.prune(store, keep_files=2, keep_records=4, keep={"e1"})
    assert sorted(removed) == ["e2", "e3"]
    assert sorted(os.listdir(store / "e5")) == sorted(os.listdir(store / "e4"))
    assert "a-en.pdf" in os.listdir(store / "e4")
    assert sorted(os.listdir(store / "e3")) == ["a-en.figures.json", "manifest.json"]
    assert sorted(os.listdir(store / "e2")) == ["a-en.figures.json", "manifest.json"]
    assert "a-en.pdf" in os.listdir(store / "e1"), "an edition in keep is never touched"
    assert not (store / ".staging-999999999").exists()
    editions.prune(store, keep_files=2, keep_records=3, keep=set())
    assert not (store / "e1").exists() and not (store / "e2").exists()
    assert editions.editions(store) == ["e3", "e4", "e5"]


def test_current_is_the_folder_reports_links_to(tmp_path: Path) -> None:
    assert editions.current(tmp_path / "reports") is None
    (tmp_path / ".reports" / "e1").mkdir(parents=True)
    os.symlink(".reports/e1", tmp_path / "reports")
    assert editions.current(tmp_path / "reports") == "e1"


def test_a_manifest_without_digests_gives_empty_keys() -> None:
    data = {"memos": [{"id": "a-en", "digest": "k"}, {"id": "b-en"}, "junk"]}
    assert editions.memo_digests(data) == {"a-en": "k", "b-en": ""}
