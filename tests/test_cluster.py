"""The SLURM profile (profiles/slurm): a dry run plans the whole build without any SLURM command,
and a real run that needs only the local rules runs them here, submitting nothing.

No SLURM is installed here, and none is faked: snakemake-executor-plugin-slurm needs no sbatch,
sinfo or squeue to plan (-n), nor to run local rules; a render job would need sbatch, and the
second test makes sure none is submitted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MEMOS, REPO, copy_project, set_indicator_value

pytest.importorskip("snakemake_executor_plugin_slurm")

SLURM_COMMANDS = ("sbatch", "sinfo", "squeue", "sacct", "scontrol", "srun")


def no_slurm_env() -> dict[str, str]:
    """This environment, with any folder holding a SLURM command taken off PATH."""
    env = dict(os.environ)
    folders = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(
        d for d in folders if not any(os.path.exists(os.path.join(d, c)) for c in SLURM_COMMANDS)
    )
    for command in SLURM_COMMANDS:
        assert shutil.which(command, path=env["PATH"]) is None
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("MEMO_RENDER_SOCKET", None)
    return env


def snakemake(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=project,
        env=env or no_slurm_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


def job_counts(log: str) -> dict[str, int]:
    table = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\n\n", log, re.S)
    assert table, log[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\S+)\s+(\d+)\s*$", table.group(1), re.M)}


def test_profile_asks_slurm_for_one_core_per_render():
    import yaml

    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm"
    assert profile["default-resources"]["cpus_per_task"] == 1
    assert profile["set-resources"]["render"]["mem_mb"] <= 1000
    assert profile["latency-wait"] >= 30


def test_dry_run_with_the_slurm_profile(tmp_path):
    project = copy_project(tmp_path)
    out = snakemake(project, "-n", "--profile", "profiles/slurm")
    assert out.returncode == 0, out.stdout[-3000:]
    assert "Using profiles profiles/slurm" in out.stdout
    counts = job_counts(out.stdout)
    assert counts["render"] == len(MEMOS)
    assert counts["validate"] == counts["derive"] == counts["publish"] == 1
    # The render jobs carry the profile's resources (what sbatch would be asked for).
    render_blocks = [b for b in out.stdout.split("\n\n") if "rule render:" in b]
    assert render_blocks and all(
        "mem_mb=800" in b and "cpus_per_task=1" in b for b in render_blocks
    )
    # A dry run starts nothing: no render server, no build.
    assert not (project / "build").exists()
    assert not (project / ".snakemake/log/memo-render-server.log").exists()


def test_local_rules_run_on_the_submit_host(tmp_path):
    """After a local build, a data edit no memo shows reruns validate, derive and publish only;
    with the SLURM profile they run here (local rules), and no job is submitted."""
    project = copy_project(tmp_path)
    env = no_slurm_env()
    first = snakemake(project, "--cores", "2", env=env)
    assert first.returncode == 0, first.stdout[-3000:]
    server_log = project / ".snakemake/log/memo-render-server.log"
    before = server_log.read_text() if server_log.exists() else ""

    # North Korea's nuclear tests: in data/, in no memo.
    set_indicator_value(project, "nuclear_tests_count", "PRK", "", "2017", "7")
    out = snakemake(
        project,
        "--profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "1",
        env=env,
    )
    assert out.returncode == 0, out.stdout[-3000:]
    ran = re.findall(r"^(local)?rule (\w+):", out.stdout, re.M)
    assert sorted(rule for _local, rule in ran) == ["all", "derive", "publish", "validate"]
    assert all(local == "local" for local, rule in ran if rule != "all"), ran
    assert "Submitted" not in out.stdout and "sbatch" not in out.stdout
    # The render server is for local execution only.
    assert (server_log.read_text() if server_log.exists() else "") == before
    assert (project / "reports/manifest.json").is_file()
