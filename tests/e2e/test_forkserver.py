"""The warm Snakemake of the end-to-end tests (``tests/forkserver.py``) runs Snakemake as a cold
``python -m snakemake`` would: in the folder, environment and with the arguments given, its output
(to the last writer's) and exit code returned, a run over its time killed. The other end-to-end
tests rely on it."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import forkserver
import pytest
from helpers import run_memo, run_snakemake, tool_env

pytestmark = pytest.mark.e2e

PROBE = """\
import os, sys, tempfile
print("cwd", os.getcwd())
print("path", sys.path)
print("argv", sys.argv[1:])
print("env", os.environ.get("MEMO_PROBE"))
print("tmp", tempfile.gettempdir())
print("stdin", repr(sys.stdin.read()))
if os.environ.get("MEMO_PROBE_LATE"):  # a process that writes after Snakemake has left
    import subprocess
    subprocess.Popen(["sh", "-c", "sleep 0.5; echo late line"])
if os.environ.get("MEMO_PROBE_MARK"):
    mark = os.environ["MEMO_PROBE_MARK"]  # written whole, then named: read once it is there
    with open(mark + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(mark + ".tmp", mark)
if os.environ.get("MEMO_PROBE_SLEEP"):
    import time
    time.sleep(float(os.environ["MEMO_PROBE_SLEEP"]))
if os.environ.get("MEMO_PROBE_FAIL"):
    raise ValueError("probe failed")

rule all:
    run:
        pass
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    (tmp_path / "Snakefile").write_text(PROBE, encoding="utf-8")
    return tmp_path


def lines(out: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def test_a_run_is_python_m_snakemake_in_its_folder_and_environment(probe: Path) -> None:
    temp = probe / "temp"
    temp.mkdir()
    env = tool_env(MEMO_PROBE="x", TMPDIR=str(temp), MEMO_PROBE_LATE="1")
    args = ("-n", "--quiet")
    cold = subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=probe,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    warm = run_snakemake(probe, *args, env=env)
    assert warm.returncode == cold.returncode == 0, warm.stdout
    seen = lines(warm.stdout)
    assert seen == lines(cold.stdout)
    assert seen["cwd"] == str(probe)
    assert seen["argv"] == "['-n', '--quiet']"
    assert seen["env"] == "x"
    assert seen["tmp"] == str(temp)
    assert seen["late"] == "line"  # read until every writer let go, as subprocess.run reads

    again = run_snakemake(probe, *args)  # nothing of the last run's environment stays
    assert lines(again.stdout)["env"] == "None"


def test_a_failing_run_reports_its_code_and_traceback(probe: Path) -> None:
    run = run_snakemake(probe, "-n", env=tool_env(MEMO_PROBE_FAIL="1"))
    assert run.returncode == 1
    assert "probe failed" in run.stdout


def test_a_run_over_its_time_is_killed(probe: Path) -> None:
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_snakemake(probe, "-n", timeout=1, env=tool_env(MEMO_PROBE_SLEEP="600"))
    assert time.monotonic() - started < 300  # killed, not waited for (a guard, not a timing)
    assert run_snakemake(probe, "-n", "--quiet").returncode == 0  # the server goes on


def test_a_server_gone_mid_run_takes_the_run_along_and_the_next_run_starts_another(
    probe: Path,
) -> None:
    import psutil

    server = forkserver.server(tool_env())
    mark = probe / "pid"
    env = tool_env(MEMO_PROBE_SLEEP="600", MEMO_PROBE_MARK=str(mark))
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_snakemake, probe, "-n", timeout=600, env=env)
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        run = int(mark.read_text())
        server.proc.kill()
        with pytest.raises(RuntimeError, match="fork server left"):
            running.result(timeout=120)

    def alive() -> bool:
        try:
            return psutil.Process(run).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + 60
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive()  # as subprocess.run kills its child when the caller stops
    assert run_snakemake(probe, "-n", "--quiet").returncode == 0
    assert forkserver.server(tool_env()) is not server


def test_a_memo_command_keeps_its_two_streams_apart_as_a_cold_one(probe: Path) -> None:
    # The probe folder is no memo project: memo validate says so on standard error.
    cold = subprocess.run(
        [sys.executable, "-m", "memo.cli", "--root", str(probe), "validate"],
        cwd=probe,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=tool_env(),
    )
    warm = run_memo(probe, "validate")
    assert cold.returncode != 0 and cold.stderr
    assert (warm.returncode, warm.stdout, warm.stderr) == (
        cold.returncode,
        cold.stdout,
        cold.stderr,
    )
