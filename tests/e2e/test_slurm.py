"""Memos of the default edition rebuilt on a live single-node SLURM cluster with the project's
SLURM profile.

The cluster (tests/cluster/slurm.py: munged, slurmctld and slurmd on 127.0.0.1, from Debian's
slurm-wlm) runs without slurmdbd, so the build is the documented command for such a cluster:
``snakemake --profile profiles/slurm --slurm-status-command squeue``, plus a 2-second first status
check instead of the profile's 20 to keep the test short. What SLURM ran is read from the
scheduler itself: its job completion log (``sacct --completion``: job, state, exit code, node) and
slurmctld's job records (``scontrol show job``: the rule and memo the plugin wrote in each job's
comment).

One test, in steps, because the steps build on each other and one cluster per machine can run, on
a copy of the session's local build: two templates edited, the build on the cluster (derive here,
two renders on the node, one failing; nothing published) and meanwhile the same edits built here
on a copy of the copy, the fix built here, and a rerun on the cluster with nothing changed. (One
cluster run of two renders, not a clean build of every memo then a failing one: the SLURM plugin
checks its jobs' status 2 s after submitting, then 10 s later each time no job has ended, so every
run on the cluster costs 15 to 20 s, and more when no render ends within the first 14 s.) A second
test, without the cluster, covers a failure the cluster run showed: with the profile's keep-going,
a run whose every render fails must not leave the next run thinking there is nothing to do.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cluster import slurm
from helpers import (
    MEMOS,
    copy_built,
    rendered_memos,
    replace_in,
    run_snakemake,
    tool_env,
)

pytestmark = pytest.mark.e2e

# The bottom line's heading in the key figures template, and an error only rendering meets there.
BOTTOM_LINE = '<h2 id="bl-h">'
BROKEN = "{{ memo.no_such_field.text }}"

SLURM_BUILD = (
    *("--profile", "profiles/slurm", "--slurm-status-command", "squeue"),
    *("--slurm-init-seconds-before-status-checks", "2"),
)


@pytest.fixture
def cluster():
    """A running single-node cluster, stopped (jobs cancelled, folder removed) after the test."""
    try:
        running = slurm.start(wait=600)  # another test run's cluster, on a shared machine
    except slurm.CannotStart as e:
        pytest.skip(f"cannot start SLURM daemons on this machine: {e}")
    try:
        yield running
    finally:
        slurm.stop(running)


def snakemake(cluster: slurm.Cluster, project: Path, *args: str) -> subprocess.CompletedProcess:
    """snakemake in ``project``, its SLURM commands talking to ``cluster``."""
    return run_snakemake(project, *args, timeout=600, env=cluster.env(tool_env()))


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a link to a folder is followed): relative path -> bytes."""
    root = folder.resolve()
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def rules_run(log: str) -> tuple[list[str], list[str]]:
    """The rules Snakemake ran here (localrule, localcheckpoint) and those it submitted, as it
    printed them."""
    ran = re.findall(r"^(local)?(?:rule|checkpoint) (\w+):", log, re.M)
    return sorted(r for local, r in ran if local), sorted(r for local, r in ran if not local)


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("error:")]


@pytest.mark.slurm
def test_default_edition_on_a_slurm_cluster(cluster, built_project, reports, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    edition = os.readlink(project / "reports")
    # A template error in the one memo whose template it is, met only while rendering, and
    # another memo's template touched, so that it renders again beside it.
    template = project / "templates/key_figures.html.j2"
    text = template.read_text(encoding="utf-8")
    line = text[: text.index(BOTTOM_LINE)].count("\n") + 1
    template.write_text(text.replace(BOTTOM_LINE, BOTTOM_LINE + BROKEN, 1), encoding="utf-8")
    touched = project / "templates/us_brief.html.j2"
    touched.write_text(touched.read_text(encoding="utf-8") + "{# touched #}\n", encoding="utf-8")
    broken, rerendered = "key-figures-en", "us-brief-en"
    assert {broken, rerendered} <= set(MEMOS)

    # 1. The build: each render is a SLURM job, everything else runs here. The broken render
    # fails on the node, the other completes, nothing is published. (The profile's one retry is
    # turned off here, to halve the run.) 2. Meanwhile (the cluster run mostly waits for SLURM's
    # status checks), the same edits on a copy built here.
    here_copy = copy_built(project, tmp_path / "here")
    with ThreadPoolExecutor(1) as pool:
        on_cluster = pool.submit(snakemake, cluster, project, *SLURM_BUILD, "--retries", "0")
        here = snakemake(cluster, here_copy, "--cores", "2")
        failed = on_cluster.result()
    assert failed.returncode != 0, failed.stdout[-4000:]
    run_id = re.search(r"^SLURM run ID: (\S+)$", failed.stdout, re.M).group(1)
    # (The failed job's log, shown, holds the node's own "localrule render:".)
    local, submitted = rules_run(failed.stdout)
    assert "derive" in local and "publish" not in local, failed.stdout[-4000:]
    assert set(submitted) == {"render"}, failed.stdout[-4000:]
    assert os.readlink(project / "reports") == edition
    assert files(project / "reports") == files(reports)

    jobs = cluster.finished_jobs()
    assert len(jobs) == 2, jobs  # nothing else ran on the cluster
    comments = {r["JobId"]: r["Comment"] for r in cluster.job_records()}
    ended = {comments[job["JobID"]]: (job["State"], job["ExitCode"]) for job in jobs}
    assert ended == {
        f"rule_render_wildcards_{broken}": ("FAILED", "1:0"),
        f"rule_render_wildcards_{rerendered}": ("COMPLETED", "0:0"),
    }, ended
    for job in jobs:
        assert job["JobName"] == run_id, job
        assert (job["NodeList"], job["Partition"]) == (slurm.NODE, slurm.PARTITION), job
        assert job["WorkDir"] == str(project), job

    # What the node rendered: the same bytes as the local build (`snakemake --cores 2`, the
    # session's built_project); the failed render left nothing.
    for ext in ("html", "pdf"):
        rendered = project / f"build/memos/{rerendered}.{ext}"
        assert rendered.read_bytes() == (reports / f"{rerendered}.{ext}").read_bytes(), rendered
        assert not (project / f"build/memos/{broken}.{ext}").exists()

    # 2. The same message as the local build's, citing the template at the line of the error.
    assert here.returncode != 0, here.stdout[-4000:]
    cited = [e for e in error_lines(here.stdout) if f"templates/key_figures.html.j2:{line}:" in e]
    assert cited, here.stdout[-4000:]
    assert set(cited) <= set(error_lines(failed.stdout)), failed.stdout[-4000:]

    # 3. Fixed, and built here: the one memo left is rendered, and the edition published holds
    # the local build's bytes.
    template.write_text(text, encoding="utf-8")
    fixed = snakemake(cluster, project, "--cores", "2")
    assert fixed.returncode == 0, fixed.stdout[-4000:]
    assert rendered_memos(fixed.stdout) == [broken], fixed.stdout[-4000:]
    assert files(project / "reports") == files(reports)

    # 4. With the SLURM profile again, nothing changed: nothing is submitted.
    again = snakemake(cluster, project, *SLURM_BUILD)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "Nothing to be done" in again.stdout, again.stdout[-4000:]
    assert "submitted with SLURM jobid" not in again.stdout
    assert len(cluster.finished_jobs()) == 2
    assert len(cluster.job_records()) == 2


def test_a_run_after_every_render_failed_renders_again(built_project, reports, tmp_path):
    """A broken print.css fails every render; with keep-going (the SLURM profile's setting) all of
    them run, fail, and Snakemake removes all their outputs. The next run must plan every render
    again, not find the last publish up to date and exit 0 on the previous edition. Local runs:
    Snakemake decides this the same way whatever executes the jobs."""
    project = copy_built(built_project.root, tmp_path / "project")
    replace_in(project / "templates/print.css", "@page {", "h1 { foo: bar; }\n@page {")
    run = run_snakemake(project, "--cores", "2", "--keep-going")
    assert run.returncode != 0, run.stdout[-4000:]
    assert sorted(rendered_memos(run.stdout)) == sorted(MEMOS), run.stdout[-4000:]
    assert not list((project / "build/memos").glob("*.pdf"))
    assert files(project / "reports") == files(reports)
    # The next run plans every render again, and publish after them (Snakemake's dry run decides
    # what to run as the run itself does).
    plan = run_snakemake(project, "--cores", "2", "--keep-going", "-n")
    assert plan.returncode == 0, plan.stdout[-4000:]
    assert sorted(rendered_memos(plan.stdout)) == sorted(MEMOS), plan.stdout[-4000:]
    assert re.search(r"^(local)?rule publish:", plan.stdout, re.M), plan.stdout[-4000:]
