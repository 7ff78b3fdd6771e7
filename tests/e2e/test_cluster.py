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
from pathlib import Path

import pytest
import yaml
from helpers import (
    MEMOS,
    REPO,
    copy_built,
    copy_project,
    figure_record,
    indicator_rows,
    run_snakemake,
    set_indicator_value,
    tool_env,
)

pytestmark = pytest.mark.e2e

SLURM_COMMANDS = ("sbatch", "sinfo", "squeue", "sacct", "scontrol", "srun")


def no_slurm_env(tmp_path: Path) -> dict[str, str]:
    """The tests' environment with no SLURM command on PATH: a folder of PATH holding one (Debian's
    slurm-client puts them in /usr/bin) is replaced by links to everything else in it."""
    env = tool_env()
    folders = []
    for i, folder in enumerate(env.get("PATH", "").split(os.pathsep)):
        if not any(os.path.exists(os.path.join(folder, c)) for c in SLURM_COMMANDS):
            folders.append(folder)
            continue
        mirror = tmp_path / f"path-{i}"
        mirror.mkdir()
        for entry in Path(folder).iterdir():
            if entry.name not in SLURM_COMMANDS:
                (mirror / entry.name).symlink_to(entry)
        folders.append(str(mirror))
    env["PATH"] = os.pathsep.join(folders)
    for command in SLURM_COMMANDS:
        assert shutil.which(command, path=env["PATH"]) is None
    return env


def job_counts(log: str) -> dict[str, int]:
    table = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\n\n", log, re.S)
    assert table, log[-3000:]
    return {rule: int(n) for rule, n in re.findall(r"^(\S+)\s+(\d+)\s*$", table.group(1), re.M)}


def test_profile_asks_slurm_for_one_core_per_render():
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm"
    assert profile["default-resources"]["cpus_per_task"] == 1
    assert profile["set-resources"]["render"]["mem_mb"] <= 1000
    assert profile["latency-wait"] >= 30


def test_dry_run_with_the_slurm_profile(tmp_path):
    project = copy_project(tmp_path)
    out = run_snakemake(project, "-n", "--profile", "profiles/slurm", env=no_slurm_env(tmp_path))
    assert out.returncode == 0, out.stdout[-3000:]
    assert "Using profiles profiles/slurm" in out.stdout
    counts = job_counts(out.stdout)
    assert counts["render"] == len(MEMOS)
    assert counts["derive"] == counts["publish"] == 1
    # The render jobs carry the profile's resources (what sbatch would be asked for).
    blocks = re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", out.stdout)
    render_blocks = [b.split("\n\n")[0] for b in blocks if b.startswith("rule render:")]
    assert len(render_blocks) == len(MEMOS)
    assert all("mem_mb=800" in b and "cpus_per_task=1" in b for b in render_blocks)
    # A dry run starts nothing: no render server, no build.
    assert not (project / "build").exists()
    assert not (project / ".snakemake/log/memo-render-server.log").exists()


def _row_no_memo_reads(project: Path) -> tuple[str, str, str, str, str]:
    """The key and value of a data row of an indicator no memo shows or derives anything from."""
    rows = indicator_rows(project)
    used = set()
    for memo in MEMOS:
        for f in figure_record(project / "build/memos", memo)["figures"]:
            used.add(f["indicator"])
            used |= {rows[int(ref.rsplit(":", 1)[1])]["indicator"] for ref in f["inputs"]}
    row = next(r for r in rows.values() if r["indicator"] not in used)
    return (row["indicator"], row["entity"], row["counterpart"], row["period"], row["value"])


def test_local_rules_run_on_the_submit_host(built_project, reports, tmp_path):
    """After a local build, a data edit no memo shows renders nothing; with the SLURM profile the
    jobs it does rerun (derive, and publish) are local rules: they run here, and no job is
    submitted."""
    project = copy_built(built_project.root, tmp_path / "p")
    server_log = project / ".snakemake/log/memo-render-server.log"
    before = server_log.read_text()

    *key, value = _row_no_memo_reads(project)
    set_indicator_value(project, *key, f"{float(value) + 1:g}")
    out = run_snakemake(
        project,
        "--profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "1",
        env=no_slurm_env(tmp_path),
    )
    assert out.returncode == 0, out.stdout[-3000:]
    ran = re.findall(r"^(local)?(?:rule|checkpoint) (\w+):", out.stdout, re.M)
    assert "derive" in {rule for _local, rule in ran}, out.stdout[-3000:]
    assert {rule for _local, rule in ran} <= {"derive", "publish", "all"}, ran
    assert all(local == "local" for local, rule in ran if rule != "all"), ran
    assert "Submitted" not in out.stdout and "sbatch" not in out.stdout
    # The render server is for local execution only.
    assert server_log.read_text() == before
    assert (project / "reports/manifest.json").is_file()
