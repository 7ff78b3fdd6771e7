"""memo.core.files.read_input: an input file is read only when it is a regular file inside the
project; a link leading out of it, a FIFO or a device is refused before a byte is read."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from memo.core.files import UnsafeInput, read_input


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data/sources.csv").write_text("id,title\narticle,The article\n", encoding="utf-8")
    return root


def test_a_plain_file_is_read_whole(project: Path) -> None:
    assert read_input(project / "data/sources.csv", "data/sources.csv").startswith(b"id,title")


def test_a_link_within_the_project_is_followed(project: Path) -> None:
    (project / "data/v2").mkdir()
    (project / "data/sources.csv").rename(project / "data/v2/sources.csv")
    (project / "data/sources.csv").symlink_to("v2/sources.csv")
    assert read_input(project / "data/sources.csv", "data/sources.csv").startswith(b"id,title")


@pytest.mark.parametrize("dangling", [False, True])
def test_a_link_out_of_the_project_is_refused(project: Path, dangling: bool) -> None:
    secret = project.parent / "secret.csv"
    if not dangling:
        secret.write_text("id,title\nTOPSECRET,do not print\n", encoding="utf-8")
    (project / "data/sources.csv").unlink()
    (project / "data/sources.csv").symlink_to(secret)
    with pytest.raises(UnsafeInput) as caught:
        read_input(project / "data/sources.csv", "data/sources.csv")
    assert caught.value.reason == "is a link to a file outside the project; memo does not read it"
    assert "TOPSECRET" not in str(caught.value) + caught.value.hint


def test_a_data_folder_linked_out_of_the_project_is_refused(tmp_path: Path, project: Path) -> None:
    elsewhere = tmp_path / "shared"
    (project / "data").rename(elsewhere)
    (project / "data").symlink_to(elsewhere)
    with pytest.raises(UnsafeInput):
        read_input(project / "data/sources.csv", "data/sources.csv")


def test_a_fifo_is_refused_without_waiting_for_a_writer(project: Path) -> None:
    os.mkfifo(project / "data/events.csv")
    result: list[BaseException] = []

    def read() -> None:
        try:
            read_input(project / "data/events.csv", "data/events.csv")
        except BaseException as e:  # noqa: BLE001 (the test reports what was raised)
            result.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "read_input blocked on a FIFO"
    assert isinstance(result[0], UnsafeInput)
    assert result[0].reason == "is not a regular file"


def test_a_missing_file_is_the_usual_error(project: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_input(project / "data/events.csv", "data/events.csv")
