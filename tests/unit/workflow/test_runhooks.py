"""memo.workflow.runhooks: the warm render server is started for local runs with renders to do,
announced to the jobs, and stopped at the end; Snakemake's leftover timers are cancelled; the build
ends with one line per memo (built, unchanged, failed with its error, not built; pages), and what
the screen shows."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from memo.render.client import BINDING, ENV_SOCKET, ENV_SWITCH, socket_path
from memo.workflow import runhooks


def job(rule: str, memo: str = "") -> SimpleNamespace:
    return SimpleNamespace(rule=SimpleNamespace(name=rule), wildcards=SimpleNamespace(memo=memo))


def workflow(*jobs, local: bool = True) -> SimpleNamespace:
    return SimpleNamespace(local_exec=local, dag=SimpleNamespace(needrun_jobs=lambda: list(jobs)))


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv(ENV_SOCKET, raising=False)
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    # A socket whose path under .snakemake/ is too long goes to the temp folder: this test's own,
    # not the /tmp that other tests' and builds' sockets share.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    yield
    runhooks.stop()


def test_pending_renders() -> None:
    renders = workflow(job("render", "a-en"), job("publish"), job("render", "b-ko"))
    assert runhooks.pending_renders(renders) == ["a-en", "b-ko"]
    # Before the derive checkpoint has run, Snakemake cannot say which renders will run.
    assert runhooks.pending_renders(workflow(job("derive"), job("render", "a-en"))) is None
    assert runhooks.pending_renders(SimpleNamespace()) is None  # another Snakemake


@pytest.mark.parametrize(
    ("flow", "switch"),
    [
        (workflow(job("render", "a-en"), job("render", "b-en")), "0"),  # switched off
        (workflow(job("render", "a-en"), job("render", "b-en"), local=False), ""),  # a cluster
        (workflow(job("render", "a-en")), ""),  # one render: not worth the warm-up
        (workflow(job("publish")), ""),  # nothing to render
    ],
    ids=["off", "cluster", "one-render", "no-render"],
)
def test_no_server_when_it_would_not_help(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flow, switch: str
) -> None:
    if switch:
        monkeypatch.setenv(ENV_SWITCH, switch)
    assert runhooks.start(flow, workdir=str(tmp_path)) is None
    assert runhooks._server is None and ENV_SOCKET not in os.environ


def test_a_server_is_started_announced_and_stopped(tmp_path: Path) -> None:
    flow = workflow(job("render", "a-en"), job("render", "b-en"))
    # A killed run's leftover with this process's id (ids are reused): the path must become the
    # new server's socket, not be taken for it.
    leftover = Path(socket_path(str(tmp_path)))
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_text("")
    path = runhooks.start(flow, workdir=str(tmp_path), wait=30)
    assert path is not None and stat.S_ISSOCK(os.stat(path).st_mode)
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(path)  # someone listens
    assert os.environ[ENV_SOCKET] == path
    assert path == socket_path(str(tmp_path))  # under .snakemake/, or the temp folder if too long
    process = runhooks._server
    runhooks.finished()
    assert process.poll() is not None and runhooks._server is None
    assert ENV_SOCKET not in os.environ and not os.path.exists(path)


def test_sockets_of_killed_runs_are_removed(tmp_path: Path) -> None:
    gone = _exited_pid()
    own = Path(socket_path(str(tmp_path)))
    folder, prefix = own.parent, own.name[: -len(f"{os.getpid()}.sock")]
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "own": own,  # this process's id: a leftover
        "gone": folder / f"{prefix}{gone}.sock",  # its process is gone
        "binding": folder / f"{prefix}{gone}.sock{BINDING}",  # its server killed while binding
        "running": folder / f"{prefix}{os.getppid()}.sock",  # another run's, still running
        "other": folder / "memo-render-notes.sock",  # not a server's socket
        "log": folder / "memo-render-server.log",
    }
    for path in names.values():
        path.write_text("")
    try:
        removed = runhooks.remove_leftover_sockets(str(own))
        assert sorted(removed) == sorted(str(names[k]) for k in ("own", "gone", "binding"))
        assert [k for k, path in names.items() if path.exists()] == ["running", "other", "log"]
    finally:
        for path in names.values():
            path.unlink(missing_ok=True)


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_the_wait_for_the_server_ends_with_it_or_at_its_timeout() -> None:
    done = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"])
    runhooks._wait(done, 60)
    assert done.returncode == 0
    stuck = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            runhooks._wait(stuck, 0.1)
    finally:
        stuck.kill()
        stuck.wait()


def test_leftover_timers_are_cancelled() -> None:
    fired = []
    timer = threading.Timer(60, lambda: fired.append(1))
    timer.start()
    assert runhooks.cancel_scheduler_timers() >= 1
    timer.join(5)
    assert not timer.is_alive() and fired == []


# ---- the summary and the screen ------------------------------------------------------------


def write(path, text: str, at: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (at, at))


def test_the_summary_says_what_became_of_each_memo(project):
    start = time.time()
    before, during = start - 100, start + 1
    memos = project / "build/memos"
    logs = project / "build/logs"
    # tariff-brief-en: rendered in this run; trade-brief-en: from an earlier run;
    # trade-brief-ko: its render ran and failed.
    write(memos / "tariff-brief-en.meta.json", json.dumps({"pages": 2}), during)
    write(logs / "render-tariff-brief-en.log", "[1/1] tariff-brief-en: 0.3 s\n", during)
    write(memos / "trade-brief-en.meta.json", json.dumps({"pages": 1}), before)
    write(logs / "render-trade-brief-en.log", "[1/1] trade-brief-en: 0.3 s\n", before)
    write(
        logs / "render-trade-brief-ko.log",
        "starting\nerror: memo trade-brief-ko: templates/trade_brief.html.j2:5: no figure\n",
        during,
    )
    text = runhooks.summary(str(project), start, failed=True, snakemake_log="x.log")
    assert text.splitlines() == [
        "memos:",
        "  tariff-brief-en  built      2 pages",
        "  trade-brief-en   unchanged  1 page",
        "  trade-brief-ko   failed     error: memo trade-brief-ko: "
        "templates/trade_brief.html.j2:5: no figure "
        f"(log: {project}/build/logs/render-trade-brief-ko.log)",
        "build failed: 3 memos, 1 built, 1 unchanged, 1 failed; Snakemake's log: x.log",
    ]


def test_a_failed_derive_says_nothing_was_rendered(project):
    start = time.time()
    write(project / "build/logs/derive.log", "data/indicators.csv:3: value: …\n", start + 1)
    last = runhooks.summary(str(project), start, failed=True).splitlines()[-1]
    assert last == (
        "build failed: 3 memos, 3 not built; nothing was rendered: the problems are listed "
        f"above ({project}/build/logs/derive.log)"
    )


def test_a_run_with_nothing_to_do_has_every_memo_unchanged(project):
    write(project / "build/memos/tariff-brief-en.meta.json", '{"pages": 1}', time.time() - 5)
    lines = runhooks.summary(str(project), None).splitlines()
    assert lines[1] == "  tariff-brief-en  unchanged  1 page"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "stream", "mode"),
    [
        ("", Terminal(), "summary"),
        ("", io.StringIO(), "detail"),
        ("detail", Terminal(), "detail"),
        ("summary", io.StringIO(), "summary"),
    ],
)
def test_the_screen_shows_a_summary_at_a_terminal_unless_told(monkeypatch, env, stream, mode):
    monkeypatch.setenv(runhooks.ENV_OUTPUT, env)
    assert runhooks.output_mode(stream) == mode


def test_quiet_screen_raises_snakemakes_screen_handler_to_errors(monkeypatch):
    logger = logging.getLogger("snakemake.logging")
    handler = logging.StreamHandler(io.StringIO())
    handler.name = "DefaultStreamHandler"
    logger.addHandler(handler)
    try:
        monkeypatch.setenv(runhooks.ENV_OUTPUT, "summary")
        assert not runhooks.quiet_screen(SimpleNamespace(dryrun=True))
        assert handler.level == logging.NOTSET
        assert runhooks.quiet_screen(SimpleNamespace(dryrun=False))
        assert handler.level == logging.ERROR
        handler.setLevel(logging.NOTSET)
        monkeypatch.setenv(runhooks.ENV_OUTPUT, "detail")
        assert not runhooks.quiet_screen(SimpleNamespace(dryrun=False))
        assert handler.level == logging.NOTSET
    finally:
        logger.removeHandler(handler)
