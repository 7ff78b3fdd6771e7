"""memo.publish.diff: ``memo diff`` between two editions (drawn records under a temporary
.reports/ and build/memos): memos added and removed, each memo's changes, the default pair of
editions, editions named on the command line, and the text, JSON and HTML it writes."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import pytest

from memo.publish import diff, editions
from unit.drawn_records import INDIA_45, INDIA_50, OIL, SECOND, TIED, record, write_record
from unit.support import make_project


def publish(root: Path, name: str, records: list[dict]) -> Path:
    """An edition folder with these records, a manifest listing them, and its history line."""
    folder = root / ".reports" / name
    files = {}
    for rec in records:
        path = write_record(folder, rec)
        files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "edition": "2025-09-15",
        "id": name,
        "memos": [{"id": rec["memo"]} for rec in records],
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    editions.append_history(root / ".reports", {"edition": name})
    link = root / "reports"
    if link.is_symlink():
        link.unlink()
    os.symlink(f".reports/{name}", link)
    return folder


def build(root: Path, records: list[dict]) -> None:
    for rec in records:
        write_record(root / "build/memos", rec)


def args(root: Path, *names: str, json_out: bool = False, html: str | None = None):
    positional = list(names) + [None] * (2 - len(names))
    return argparse.Namespace(
        root=str(root),
        old=positional[0],
        new=positional[1],
        json=json_out,
        html=html,
        memos_dir="build/memos",
        reports="reports",
    )


A = record("a-en", [INDIA_50, OIL], [TIED])
A_CUT = record("a-en", [INDIA_45, OIL], [SECOND])
B = record("b-en", [OIL])


def test_memos_added_removed_changed_unchanged_and_not_compared(tmp_path: Path) -> None:
    old_folder = publish(tmp_path, "e1", [A, B, record("gone-en", [OIL]), record("c-en", [OIL])])
    (old_folder / "c-en.figures.json").unlink()  # pruned, say
    new_folder = publish(tmp_path, "e2", [A_CUT, B, record("new-en", [OIL]), record("c-en", [OIL])])
    result = diff.compare_sides(
        diff.Side.edition(tmp_path / ".reports", "e1"), diff.Side.folder(new_folder, "2025-09-15")
    )
    assert result.added == ["new-en"]
    assert result.removed == ["gone-en"]
    assert list(result.changed) == ["a-en"]
    assert [(c.kind, c.indicator) for c in result.changed["a-en"]] == [
        ("changed", "us_tariff_rate_pct"),
        ("wording", "us_tariff_rank"),
    ]
    assert result.unchanged == ["b-en"]
    assert result.unknown == ["c-en"]


def test_the_listing_names_each_figure_its_values_and_what_changed(tmp_path: Path) -> None:
    publish(tmp_path, "2025-09-15-aaaa", [A, B])
    build(tmp_path, [A_CUT, B])
    out = diff.format_text(*_pair(tmp_path))
    assert out.splitlines() == [
        "memo diff: 2025-09-15-aaaa (2025-09-15) → build",
        "a-en: 2 changes",
        "  figure changed   US tariff rate (us_tariff_rate_pct IND 2025-08-06): 50% → 45% [value]",
        "  wording          say.standing(us_tariff_rank, IND): “tied with Brazil for the highest "
        "US tariff rate on any country” → “the second-highest US tariff rate on any country” "
        "[text; rank 1 → 2; no longer tied with Brazil]",
        "unchanged: b-en",
    ]


def _pair(root: Path) -> tuple:
    old, new = diff.defaults(root, root / "build/memos", root / "reports")
    return (diff.compare_sides(old, new) if old else None), old, new


def test_by_default_the_build_is_compared_with_the_edition_before_it(tmp_path: Path) -> None:
    publish(tmp_path, "e1", [A, B])
    # Built, not yet published: compared with the published edition.
    build(tmp_path, [A_CUT, B])
    old, new = diff.defaults(tmp_path, tmp_path / "build/memos", tmp_path / "reports")
    assert (old.name, new.name) == ("e1", "build")
    # Published: the build is that edition, so it is compared with the one before.
    publish(tmp_path, "e2", [A_CUT, B])
    old, new = diff.defaults(tmp_path, tmp_path / "build/memos", tmp_path / "reports")
    assert (old.name, new.name) == ("e1", "build")
    # Nothing built: the published edition against the one before it.
    for p in (tmp_path / "build/memos").iterdir():
        p.unlink()
    old, new = diff.defaults(tmp_path, tmp_path / "build/memos", tmp_path / "reports")
    assert (old.name, new.name) == ("e1", "e2")


def test_a_first_edition_has_nothing_to_compare_with(tmp_path: Path, capsys) -> None:
    publish(tmp_path, "e1", [A])
    build(tmp_path, [A])
    assert diff.cli_diff(args(tmp_path)) == 0
    assert capsys.readouterr().out == (
        "memo diff: (none) → build\nno earlier edition to compare with: every memo is new\n"
    )


def test_editions_are_named_by_folder_beginning_link_or_path(tmp_path: Path) -> None:
    publish(tmp_path, "2025-09-15-aaaa", [A])
    publish(tmp_path, "2025-09-15-abbb", [A_CUT])
    build(tmp_path, [A])
    memos, reports = tmp_path / "build/memos", tmp_path / "reports"
    assert diff.resolve(tmp_path, "2025-09-15-aa", memos, reports).name == "2025-09-15-aaaa"
    assert diff.resolve(tmp_path, "reports", memos, reports).name == "2025-09-15-abbb"
    assert diff.resolve(tmp_path, "build", memos, reports).ids == ("a-en",)
    folder = diff.resolve(tmp_path, ".reports/2025-09-15-aaaa", memos, reports)
    assert (folder.name, folder.ids) == ("2025-09-15-aaaa", ("a-en",))
    with pytest.raises(diff.DiffError, match="'2025-09-15-a' is ambiguous"):
        diff.resolve(tmp_path, "2025-09-15-a", memos, reports)
    with pytest.raises(
        diff.DiffError,
        match=r"'2024' is not a kept edition.*\(editions kept under \.reports/: "
        r"2025-09-15-aaaa, 2025-09-15-abbb\)",
    ):
        diff.resolve(tmp_path, "2024", memos, reports)


def test_the_command_prints_json_and_writes_a_page(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path / "p")  # the templates the page is drawn with
    publish(root, "e1", [A, B])
    publish(root, "e2", [A_CUT, record("n-en", [OIL])])
    assert diff.cli_diff(args(root, "e1", "e2", json_out=True, html="changes.html")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == {"edition": "e1", "date": "2025-09-15", "memos": ["a-en", "b-en"]}
    assert data["memos"]["added"] == ["n-en"] and data["memos"]["removed"] == ["b-en"]
    (cut, standing) = data["memos"]["changed"]["a-en"]
    assert (cut["old"]["text"], cut["new"]["text"], cut["aspects"]) == ("50%", "45%", ["value"])
    assert standing["aspects"] == ["text", "rank", "tie broken"]
    page = (root / "changes.html").read_text(encoding="utf-8")
    assert "Compared with the edition e1 (2025-09-15)." in page
    assert "<td>50%</td><td>45%</td>" in page
    assert '<a href="a-en.html">a-en</a>' in page
    assert "New memos: n-en" in page and "Memos no longer published: b-en" in page


def test_an_unknown_edition_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    publish(tmp_path, "e1", [A])
    assert diff.cli_diff(args(tmp_path, "e9", "e1")) == 1
    assert capsys.readouterr().err.startswith("memo diff: 'e9' is not a kept edition")
