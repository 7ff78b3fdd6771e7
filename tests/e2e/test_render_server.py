"""The warm render server (memo.render.server) end to end: the session's snakemake build went
through it; it writes the same files, messages and exit codes as rendering in-process; a job
renders in its own process when no server answers; the server goes away with its parent. (Inputs
changed under a running server, templates and figures, are read again: tests/unit/render/
test_server.py.)

One server, started for a copy of the session build, serves the tests of this module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    MEMOS,
    copy_built,
    language,
    tool_env,
)

from memo.render import client
from memo.workflow import runhooks

pytestmark = pytest.mark.e2e

# Two editions in different languages when the config has them: the server warms one per language.
PAIR = list({language(m): m for m in reversed(MEMOS)}.values())[:2]


def in_process(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``memo <args>`` in a fresh process, no server."""
    return subprocess.run(
        [sys.executable, "-m", "memo.cli", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=tool_env(MEMO_RENDER_SERVER="0"),
        timeout=120,
    )


def light_client(project: Path, socket: str, *args: str) -> subprocess.CompletedProcess:
    """``memo <args>`` the way the render rule runs it: the light client, through ``socket``."""
    return subprocess.run(
        f"{client.command()} {' '.join(args)}",
        shell=True,
        executable="/bin/bash",
        cwd=project,
        capture_output=True,
        text=True,
        env=tool_env(**{client.ENV_SOCKET: socket}),
        timeout=120,
    )


def server_log(project: Path) -> str:
    path = project / ".snakemake/log/memo-render-server.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def files(folder: Path, memos: list[str] | None = None) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if not p.name.startswith(".") and (memos is None or p.name.split(".")[0] in memos)
    }


@pytest.fixture(scope="module")
def served(built_project, reports, tmp_path_factory):
    """A copy of the session build and a running server for it (socket path)."""
    project = copy_built(built_project.root, tmp_path_factory.mktemp("served") / "p")
    socket = runhooks.start(None, workdir=str(project))
    os.environ.pop(client.ENV_SOCKET, None)  # only the clients below are told
    assert socket and os.path.exists(socket), server_log(project)
    yield project, socket
    runhooks.stop()
    assert not os.path.exists(socket)


def test_the_build_went_through_the_server(built_project, reports):
    log = server_log(built_project.root)
    # Every render, and publish, the run's last job.
    assert f"served {len(MEMOS) + 1} requests" in log, log[-3000:]
    assert "published" in (built_project.root / "build/logs/publish.log").read_text("utf-8")
    assert not list((built_project.root / ".snakemake").glob("memo-render-*.sock"))


def test_server_writes_the_same_files_as_in_process(served, tmp_path):
    project, socket = served
    here = in_process(project, "render", *PAIR, "--out", str(tmp_path / "here"))
    assert here.returncode == 0, here.stderr
    there = light_client(project, socket, "render", *PAIR, "--out", str(tmp_path / "there"))
    assert there.returncode == 0, there.stderr
    assert files(tmp_path / "there") == files(tmp_path / "here")
    # And the snakemake build, through its own server, wrote the same bytes, its meta records
    # aside holding the input key rule render passes (`--input-key`, kept for publish).
    built = files(project / "build/memos", PAIR)
    for name in [n for n in built if n.endswith(".meta.json")]:
        meta = json.loads(built[name])
        assert len(meta.pop("input_key")) == 64, name
        built[name] = json.dumps(meta, ensure_ascii=False, indent=1).encode()
    assert built == files(tmp_path / "here")
    assert there.stderr.count(f"[1/{len(PAIR)}] {PAIR[0]}") == 1  # the job's own stderr
    assert "request from pid" in server_log(project)


@pytest.mark.parametrize(
    "args",
    [
        ("render", "no-such-memo-en"),  # an error the render command reports: exit 1
        ("render", "--no-such-option"),  # an argument error: usage, exit 2
        ("render", MEMOS[-1], "--out", "config/config.yaml/x"),  # uncaught: traceback, exit 1
    ],
    ids=["unknown-memo", "bad-option", "unwritable-out"],
)
def test_errors_reach_the_job_as_in_process(served, args):
    project, socket = served
    here = in_process(project, *args)
    there = light_client(project, socket, *args)
    assert here.returncode != 0
    assert there.returncode == here.returncode
    if "Traceback" in here.stderr:
        # The frames above the command differ (runpy and memo.cli here, the server there).
        assert there.stderr.startswith("Traceback (most recent call last):"), there.stderr
        assert there.stderr.splitlines()[-1] == here.stderr.splitlines()[-1]
    else:
        assert there.stderr == here.stderr


def test_no_server_renders_in_process(served, tmp_path):
    project, _socket = served
    gone = str(tmp_path / "nobody.sock")
    out = light_client(project, gone, "render", MEMOS[-1], "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / f"out/{MEMOS[-1]}.pdf").is_file()


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, exited but not yet reaped by init, does not)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False


def test_server_leaves_with_its_parent(built_project, tmp_path):
    project = copy_built(built_project.root, tmp_path / "p")
    # A parent that starts a server and exits at once, as a killed Snakemake would.
    code = (
        "import os; from memo.workflow import runhooks; "
        f"p = runhooks.start(None, workdir={str(project)!r}); print(p, runhooks._server.pid, flush=True); "
        "os._exit(0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=tool_env()
    )
    path, pid = out.stdout.split()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.path.exists(path):
        time.sleep(0.2)
    assert not os.path.exists(path), server_log(project)
    # The socket goes first; the process follows once its last clean-up is done.
    while time.monotonic() < deadline and alive(int(pid)):
        time.sleep(0.2)
    still = alive(int(pid))
    if still:
        os.kill(int(pid), signal.SIGKILL)
    assert not still
    assert "Snakemake is gone" in server_log(project)
