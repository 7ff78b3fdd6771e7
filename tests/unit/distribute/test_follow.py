"""memo.distribute.follow: what changed in a memo since the version a reader received, found by
the PDF's SHA-256 among the edition records kept under .reports/."""

from __future__ import annotations

import json
from pathlib import Path

from memo.distribute.follow import ChangeFinder
from memo.distribute.published import PublishedMemo
from memo.publish import editions
from unit.drawn_records import INDIA_45, INDIA_50, SECOND, TIED, record, write_record
from unit.support import REPO


def keep(root: Path, name: str, pdf_sha: str, rec: dict) -> Path:
    """An edition kept in .reports/: its manifest, the memo's record, a line of history."""
    folder = root / ".reports" / name
    write_record(folder, rec)
    manifest = {"edition": name[:10], "files": {"m-en.pdf": pdf_sha}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    editions.append_history(root / ".reports", {"edition": name})
    return folder


def published(sha: str) -> PublishedMemo:
    return PublishedMemo("m-en", "m", "a", "en", "M", "", "m-en.html", Path("m-en.pdf"), sha)


def test_a_reader_is_told_what_changed_since_the_edition_they_received(tmp_path: Path) -> None:
    (tmp_path / "templates").symlink_to(REPO / "templates")
    keep(tmp_path, "2025-09-08-aaaa", "a" * 64, record("m-en", [INDIA_50], [TIED]))
    now = keep(tmp_path, "2025-09-15-bbbb", "b" * 64, record("m-en", [INDIA_45], [SECOND]))
    (tmp_path / "reports").symlink_to(now)
    finder = ChangeFinder(tmp_path, tmp_path / "reports")
    date, sentences = finder.since(published("b" * 64), "a" * 64)
    assert date == "2025-09-08"
    assert sentences == [
        "US tariff rate for India fell from 50% to 45%.",
        "India is now the second-highest US tariff rate on any country, no longer tied with Brazil.",
    ]
    # The same version: nothing a reader sees changed.
    assert finder.since(published("b" * 64), "b" * 64) == ("2025-09-15", [])


def test_a_version_whose_record_is_not_kept_is_unknown(tmp_path: Path) -> None:
    now = keep(tmp_path, "2025-09-15-bbbb", "b" * 64, record("m-en", [INDIA_45]))
    (tmp_path / "reports").symlink_to(now)
    finder = ChangeFinder(tmp_path, tmp_path / "reports")
    assert finder.since(published("b" * 64), "c" * 64) is None  # pruned long ago, or never kept
