"""bench/run.py in its smallest mode: it runs, prints a table, and ends with one JSON line holding
every figure the README's performance section quotes. Times are never asserted, only their types:
this machine's load is not the code's fault."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import REPO, tool_env

pytestmark = pytest.mark.e2e

NUMBERS = (
    "full_s",
    "floor_s",
    "full_vs_floor",
    "noop_s",
    "dryrun_s",
    "noop_vs_dryrun",
    "one_change_s",
    "peak_rss_mb",
    "per_memo_s_20",
    "per_memo_s_200",
)


def test_bench_quick_run_ends_with_json(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench/run.py"),
            "--stress-memos",
            "2",
            "--quick",
            "--json-out",
            str(tmp_path / "bench.json"),
        ],
        cwd=tmp_path,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=900,  # a guard against a hang, not a time limit: the machine may be busy
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert json.loads((tmp_path / "bench.json").read_text()) == result
    assert "full_vs_floor" in lines[0]  # the table's header

    for key in NUMBERS:
        assert isinstance(result[key], float) and result[key] >= 0, (key, result.get(key))
    assert result["full_s"] > 0 and result["floor_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["memos"] == 2 and result["edition"] == "stress"
    assert isinstance(result["one_change_jobs"], int)
    # The edited figure is shown by one memo alone: one render job, beside what every run shares.
    assert result["one_change_render_jobs"] == 1, result["one_change_rules"]
    assert set(result["one_change_rules"]) <= {"render", "derive", "publish", "all"}
    # The bench worked on copies: nothing was built in the checkout by it.
    assert not (REPO / "bench-floor").exists()
