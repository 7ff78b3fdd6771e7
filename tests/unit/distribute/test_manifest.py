"""memo verify-manifest (memo.distribute.manifest): every published file against the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from memo.cli import main

# ------------------------------------------------------------------------------------------------
# The published folder against its manifest (memo verify-manifest)


def published_folder(tmp_path: Path) -> Path:
    """A published folder: two memos, the index and a manifest listing them, as publish writes it."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, data in {
        "us-brief-en.pdf": b"%PDF-1.7 us brief",
        "us-brief-en.html": b"<h1>US brief</h1>",
        "index.html": b"<h1>Memos</h1>",
    }.items():
        (folder / name).write_bytes(data)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    memos = [{"id": "us-brief-en", "html": "us-brief-en.html", "pdf": "us-brief-en.pdf"}]
    manifest = {"edition": "2025-09-15", "memos": memos, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def verify_cli(tmp_path: Path, capsys) -> tuple[int, str, str]:
    code = main(["--root", str(tmp_path), "verify-manifest"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_untouched_folder_matches_and_names_the_manifest_digest(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    code, out, _ = verify_cli(tmp_path, capsys)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert code == 0
    assert out == f"reports/manifest.json: 3 files match (manifest sha256 {digest})\n"


def test_a_tampered_file_is_named_at_its_manifest_line(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "us-brief-en.pdf").write_bytes(b"%PDF-1.7 us brief, edited after review")
    code, out, err = verify_cli(tmp_path, capsys)
    lines = (folder / "manifest.json").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '"us-brief-en.pdf":' in text)
    assert code == 1 and out == ""
    first, last = err.splitlines()
    assert first.startswith(f"reports/manifest.json:{line}: files.us-brief-en.pdf: us-brief-en.pdf")
    assert "the manifest says" in first and "changed after the build" in first
    assert last == "reports/ does not match its manifest: send nothing from it"


def test_missing_extra_and_linked_files_are_each_reported(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "index.html").unlink()
    (folder / "notes.txt").write_text("added by hand", encoding="utf-8")
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes((folder / "us-brief-en.html").read_bytes())
    (folder / "us-brief-en.html").unlink()
    (folder / "us-brief-en.html").symlink_to(outside)
    code, _, err = verify_cli(tmp_path, capsys)
    assert code == 1
    assert "files.index.html: index.html is missing from reports/" in err
    assert "files.us-brief-en.html: is not a plain file in the folder" in err
    assert "reports/notes.txt:1: not listed in manifest.json" in err


def test_a_manifest_that_is_not_json_is_reported_at_its_line(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "manifest.json").write_text('{\n "files": {\n  "a": \n}', encoding="utf-8")
    code, _, err = verify_cli(tmp_path, capsys)
    assert code == 1 and err.startswith("reports/manifest.json:4: not JSON")
