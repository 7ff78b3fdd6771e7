"""The warm render server (memo.render_server): same files, same messages, same exit codes as
rendering in-process; a light client; fallback when no server answers; inputs changed under a
running server are read again; the server goes away with its parent.

One server, started for a project copy, serves the tests of this module (about 3 s of warm-up).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, copy_project, run_snakemake, set_indicator_value

from memo import render_server

SRC = str(REPO / "src")


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join([SRC, *filter(None, [out.get("PYTHONPATH")])])
    out.pop(render_server.ENV_SOCKET, None)
    out.update(extra)
    return out


def in_process(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``memo <args>`` in a fresh process, no server."""
    return subprocess.run(
        [sys.executable, "-m", "memo.cli", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env(MEMO_RENDER_SERVER="0"),
        timeout=120,
    )


def light_client(project: Path, socket: str, *args: str) -> subprocess.CompletedProcess:
    """``memo <args>`` the way the render rule runs it: the light client, through ``socket``."""
    return subprocess.run(
        f"{render_server.command()} {' '.join(args)}",
        shell=True,
        executable="/bin/bash",
        cwd=project,
        capture_output=True,
        text=True,
        env=env(MEMO_RENDER_SOCKET=socket),
        timeout=120,
    )


def server_log(project: Path) -> str:
    path = project / ".snakemake/log/memo-render-server.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A project copy and a running server for it (socket path)."""
    project = copy_project(tmp_path_factory.mktemp("served"))
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env()["PYTHONPATH"]
    try:
        socket = render_server.start(None, workdir=project)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    os.environ.pop(render_server.ENV_SOCKET, None)  # only the clients below are told
    assert socket and os.path.exists(socket)
    yield project, socket
    render_server.stop()
    assert not os.path.exists(socket)


def test_light_client_imports_nothing_of_the_renderer():
    code = (
        f"import sys; sys.path.insert(0, {SRC!r}); import memo.render_server; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('memo', 'jinja2', 'weasyprint', 'yaml', 'json', 'socket')))"
    )
    out = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "['memo', 'memo.render_server']", out.stderr
    # `memo render` (the full command line) does not load the renderer before it must either.
    code = "import sys, memo.cli, memo.render_server; print('weasyprint' in sys.modules, 'jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env())
    assert out.stdout.strip() == "False False", out.stderr


def test_server_writes_the_same_files_as_in_process(served, tmp_path):
    project, socket = served
    here = in_process(
        project, "render", "key-figures-en", "korea-brief-ko", "--out", str(tmp_path / "here")
    )
    assert here.returncode == 0, here.stderr
    there = light_client(
        project,
        socket,
        "render",
        "key-figures-en",
        "korea-brief-ko",
        "--out",
        str(tmp_path / "there"),
    )
    assert there.returncode == 0, there.stderr
    assert files(tmp_path / "there") == files(tmp_path / "here")
    assert there.stderr.count("[1/2] key-figures-en") == 1  # the job's own stderr, as in-process
    assert "request from pid" in server_log(project)


@pytest.mark.parametrize(
    "args",
    [
        ("render", "no-such-memo-en"),  # an error the render command reports: exit 1
        ("render", "--no-such-option"),  # an argument error: usage, exit 2
        (
            "render",
            "key-figures-en",
            "--out",
            "config/config.yaml/x",
        ),  # uncaught: traceback, exit 1
    ],
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


def test_no_server_renders_in_process(tmp_path, served):
    project, _socket = served
    gone = str(tmp_path / "nobody.sock")
    out = light_client(project, gone, "render", "key-figures-en", "--out", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out/key-figures-en.pdf").is_file()


def test_changed_data_is_read_again(served, tmp_path):
    project, socket = served
    set_indicator_value(project, "us_tariff_rate_pct", "IND", "", "2025-08-06", "55")
    try:
        there = light_client(
            project, socket, "render", "key-figures-en", "--out", str(tmp_path / "there")
        )
        here = in_process(project, "render", "key-figures-en", "--out", str(tmp_path / "here"))
        assert there.returncode == here.returncode == 0, there.stderr + here.stderr
        assert files(tmp_path / "there") == files(tmp_path / "here")
        assert "55" in (tmp_path / "there/key-figures-en.html").read_text(encoding="utf-8")
    finally:
        set_indicator_value(project, "us_tariff_rate_pct", "IND", "", "2025-08-06", "50")


def test_server_leaves_with_its_parent(tmp_path):
    project = copy_project(tmp_path)
    (project / ".snakemake").mkdir()
    # A parent that starts a server and exits at once, as a killed Snakemake would.
    code = (
        "import os, sys; from memo import render_server; "
        f"p = render_server.start(None, workdir={str(project)!r}); print(p, render_server._server.pid, flush=True); "
        "os._exit(0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env())
    path, pid = out.stdout.split()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.path.exists(path):
        time.sleep(0.2)
    assert not os.path.exists(path), server_log(project)

    def running() -> bool:
        try:
            os.kill(int(pid), 0)
            return Path(f"/proc/{pid}/status").read_text().find("zombie") < 0
        except (ProcessLookupError, FileNotFoundError):
            return False

    # The server removes its socket, then exits: on a loaded machine that takes a moment.
    while time.monotonic() < deadline and running():
        time.sleep(0.05)
    alive = running()
    if alive:
        os.kill(int(pid), signal.SIGKILL)
    assert not alive
    assert "Snakemake is gone" in server_log(project)


def test_snakemake_build_through_the_server(tmp_path):
    """A whole build with the server forced on gives the files of a build without it."""
    with_server = copy_project(tmp_path, "with")
    without = copy_project(tmp_path, "without")
    old = dict(os.environ)
    try:
        os.environ.update(env(MEMO_RENDER_SERVER="1"))
        a = run_snakemake(with_server, "--cores", "2")
        os.environ.update(env(MEMO_RENDER_SERVER="0"))
        b = run_snakemake(without, "--cores", "2")
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert a.returncode == 0, a.stdout[-3000:]
    assert b.returncode == 0, b.stdout[-3000:]
    log = server_log(with_server)
    assert "served 4 renders" in log, log
    assert not server_log(without)
    assert files(with_server / "build/memos") == files(without / "build/memos")
    assert not list((with_server / ".snakemake").glob("memo-render-*.sock"))
    shutil.rmtree(with_server / "build", ignore_errors=True)
