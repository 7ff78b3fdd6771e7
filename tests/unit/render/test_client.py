"""memo.render.client: the render job's light client hands its memo to the warm server, or renders
in its own process when no server answers."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from memo.render import client
from unit.support import REPO


def test_a_request_round_trips(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEMO_TEST_VALUE", "관세=50%")
    data = client.encode_request(b"argv", [b"render", b"key-figures-en", b"--out", b"build/memos"])
    size = int.from_bytes(data[:4], "big")
    assert size == len(data) - 4
    kind, items, folder, env = client.decode_request(data[4:])
    assert kind == "argv"
    assert items == [b"render", b"key-figures-en", b"--out", b"build/memos"]
    assert folder == str(tmp_path)
    assert env[b"MEMO_TEST_VALUE"] == "관세=50%".encode()


def test_anything_else_is_not_a_request() -> None:
    with pytest.raises(ValueError, match="not a memo render request"):
        client.decode_request(b"GET / HTTP/1.1\0\0\0")


def test_no_server_at_the_socket_means_render_here(tmp_path: Path) -> None:
    assert client.render_remote(str(tmp_path / "nobody.sock"), b"argv", [b"render"]) is None


def test_memo_render_without_a_server_renders_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    monkeypatch.delenv(client.ENV_SOCKET, raising=False)
    monkeypatch.setattr("memo.render.job.cli_render", lambda args: calls.append(args) or 7)
    args = argparse.Namespace(root=".", memos=["x"], out="o", html_only=True)
    assert client.cli_render(args) == 7 and calls == [args]


def test_the_server_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(client.ENV_SWITCH, "0")
    assert not client._enabled()
    monkeypatch.setenv(client.ENV_SWITCH, "1")
    assert client._enabled()
    monkeypatch.delenv(client.ENV_SWITCH)
    assert client._enabled()


def test_the_socket_lives_under_snakemake_unless_the_path_is_too_long() -> None:
    with tempfile.TemporaryDirectory(prefix="m", dir="/tmp") as short:
        assert client.socket_path(short) == f"{short}/.snakemake/memo-render-{os.getpid()}.sock"
        # AF_UNIX paths are limited to 108 bytes: a deep folder's socket goes to the temp folder.
        deep = Path(short) / ("x" * 120)
        path = client.socket_path(deep)
        assert len(path.encode()) <= 100 and not path.startswith(short)


def test_the_light_client_imports_nothing_of_the_renderer() -> None:
    """A render job pays for a bare interpreter and this module only."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO / 'src')!r}); import memo.render.client; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('memo', 'jinja2', 'weasyprint', 'yaml', 'json', 'socket', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "['memo', 'memo.render', 'memo.render.client']", out.stderr
    words = client.command()
    assert " -S -I -c " in words and "memo.render.client import main" in words
