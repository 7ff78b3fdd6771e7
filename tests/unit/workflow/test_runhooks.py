"""memo.workflow.runhooks: the warm render server is started for local runs with renders to do,
announced to the jobs, and stopped at the end; Snakemake's leftover timers are cancelled."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from memo.render.client import ENV_SOCKET, ENV_SWITCH, socket_path
from memo.workflow import runhooks


def job(rule: str, memo: str = "") -> SimpleNamespace:
    return SimpleNamespace(rule=SimpleNamespace(name=rule), wildcards=SimpleNamespace(memo=memo))


def workflow(*jobs, local: bool = True) -> SimpleNamespace:
    return SimpleNamespace(local_exec=local, dag=SimpleNamespace(needrun_jobs=lambda: list(jobs)))


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_SOCKET, raising=False)
    monkeypatch.delenv(ENV_SWITCH, raising=False)
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
    path = runhooks.start(flow, workdir=str(tmp_path), wait=30)
    assert path is not None and os.path.exists(path)
    assert os.environ[ENV_SOCKET] == path
    assert path == socket_path(str(tmp_path))  # under .snakemake/, or the temp folder if too long
    process = runhooks._server
    runhooks.finished()
    assert process.poll() is not None and runhooks._server is None
    assert ENV_SOCKET not in os.environ and not os.path.exists(path)


def test_leftover_timers_are_cancelled() -> None:
    fired = []
    timer = threading.Timer(60, lambda: fired.append(1))
    timer.start()
    assert runhooks.cancel_scheduler_timers() >= 1
    timer.join(5)
    assert not timer.is_alive() and fired == []
