"""memo.workflow.republish: rule publish's stamp is removed when reports/ shows no edition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from memo.workflow.republish import publish_again_if_gone

STAMP = "build/published.json"


def published(root: Path) -> Path:
    """A folder as a build leaves it: the stamp, and reports/ -> .reports/<edition>/ with its
    manifest."""
    (root / "build").mkdir(parents=True)
    (root / STAMP).write_text("{}\n", encoding="utf-8")
    edition = root / ".reports" / "2025-09-15-abc"
    edition.mkdir(parents=True)
    (edition / "manifest.json").write_text("{}\n", encoding="utf-8")
    (root / "reports").symlink_to(".reports/2025-09-15-abc")
    return root


def test_a_published_edition_keeps_its_stamp(tmp_path: Path, capsys) -> None:
    root = published(tmp_path)
    assert publish_again_if_gone(root, STAMP) is False
    assert (root / STAMP).is_file()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "remove",
    [
        pytest.param(lambda root: (root / "reports").unlink(), id="link-deleted"),
        pytest.param(lambda root: shutil.rmtree(root / ".reports"), id="editions-deleted"),
        pytest.param(lambda root: (root / "reports/manifest.json").unlink(), id="manifest-gone"),
    ],
)
def test_reports_gone_removes_the_stamp_and_says_so(tmp_path: Path, capsys, remove) -> None:
    root = published(tmp_path)
    remove(root)
    assert publish_again_if_gone(root, STAMP) is True
    assert not (root / STAMP).exists()
    assert capsys.readouterr().err == (
        "memo: reports/ is gone (no reports/manifest.json); rule publish will publish the edition "
        "again\n"
    )


def test_a_dry_run_removes_nothing_and_says_what_a_run_will_do(tmp_path: Path, capsys) -> None:
    root = published(tmp_path)
    (root / "reports").unlink()
    assert publish_again_if_gone(root, STAMP, dry_run=True) is True
    assert (root / STAMP).is_file()
    assert "a build, not this dry run, will publish the edition again" in capsys.readouterr().err


def test_nothing_published_yet_is_left_to_the_first_build(tmp_path: Path, capsys) -> None:
    assert publish_again_if_gone(tmp_path, STAMP) is False
    assert capsys.readouterr().err == ""
