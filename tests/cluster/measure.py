"""What a SLURM job costs a memo, measured in one run on the local single-node cluster.

    python tests/cluster/measure.py             # about 3 minutes
    python tests/cluster/measure.py --repeat 5

Starts the cluster (tests/cluster/slurm.py), builds a temporary copy of the project locally, then
times, for one memo (key-figures-en), each repeated and reported as the median:

- ``render_s``: ``memo render`` in its own process (what the job finally runs);
- ``srun_s``: the same command run as a SLURM job with ``srun`` (which returns as soon as the job
  ends): SLURM's own cost per job is ``srun_s - render_s`` (submission, scheduling, start on the
  node, completion);
- ``local_job_s``: ``snakemake --cores 1 -f build/memos/<memo>.pdf``, the render as a local job;
- ``slurm_job_s``: the same with the SLURM profile: submission, the job on the node (Snakemake's
  jobstep executor, srun, Snakemake again, the render) and the status checks that notice it ended;
  ``node_s`` is the job's run time on the node as slurmctld recorded it (whole seconds).

and the default edition built from nothing both ways (``local_full_s`` with ``--cores 2``,
``slurm_full_s`` with the profile). ``*_cpu_s`` are CPU seconds of the processes started here (this
process's children); ``*_node_cpu_s`` are those of slurmd and everything it started for the job,
read from a cpuacct cgroup slurmd is moved into (cgroup v1 or v2; left out where none can be made).
CPU seconds move much less than wall times when other work shares the machine.

The SLURM runs use ``--slurm-status-command squeue`` (no slurmdbd here) and a first status check
after 1 s (``--slurm-init-seconds-before-status-checks 1``; the profile says 20 for a real queue).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import slurm  # noqa: E402
from helpers import copy_project  # noqa: E402

MEMO = "key-figures-en"
SLURM_PROFILE = (
    *("--profile", "profiles/slurm", "--slurm-status-command", "squeue"),
    *("--slurm-init-seconds-before-status-checks", "1"),
)


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run a command; its wall and CPU seconds (children), failing if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {done.returncode}\n{done.stdout[-3000:]}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


class NodeCpu:
    """CPU seconds used by a process and everything it starts afterwards: a cgroup of its own."""

    def __init__(self, pid: int) -> None:
        self.folder: Path | None = None
        name = f"memo-slurm-measure-{os.getpid()}"
        v1 = Path("/sys/fs/cgroup/cpuacct")
        v2 = next(
            (
                Path(line.split()[1])
                for line in Path("/proc/mounts").read_text().splitlines()
                if line.split()[2] == "cgroup2"
            ),
            None,
        )
        for base, usage in ((v1, "cpuacct.usage"), (v2, "cpu.stat")):
            if base is None or not (base / "cgroup.procs").exists():
                continue
            try:
                (base / name).mkdir()
                (base / name / "cgroup.procs").write_text(f"{pid}\n")
            except OSError:
                continue
            self.base, self.folder, self.usage = base, base / name, usage
            return

    def seconds(self) -> float:
        if self.folder is None:
            return float("nan")
        text = (self.folder / self.usage).read_text()
        if self.usage == "cpu.stat":
            return int(text.split("usage_usec")[1].split()[0]) / 1e6
        return int(text) / 1e9

    def close(self) -> None:
        if self.folder is None:
            return
        for pid in (self.folder / "cgroup.procs").read_text().split():
            (self.base / "cgroup.procs").write_text(f"{pid}\n")
        self.folder.rmdir()


def seconds(stamp: str) -> float:
    return time.mktime(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S"))


def measure(repeat: int, work: Path) -> dict[str, float]:
    cluster = slurm.start()
    node = NodeCpu(cluster.pid("slurmd"))
    try:
        env = cluster.env()
        env.pop("MEMO_RENDER_SOCKET", None)
        snakemake = [sys.executable, "-m", "snakemake"]
        memo = [sys.executable, "-m", "memo.cli"]
        project = copy_project(work, "local")
        figures: dict[str, list[float]] = {}

        def add(name: str, value: float) -> None:
            figures.setdefault(name, []).append(value)

        def on_node(name: str, args: list[str]) -> None:
            """Run ``args`` here; record its wall and CPU seconds, and the node's CPU seconds."""
            cpu_before = node.seconds()
            wall, cpu = timed(args, project, env)
            add(f"{name}_s", wall)
            add(f"{name}_cpu_s", cpu)
            add(f"{name}_node_cpu_s", node.seconds() - cpu_before)

        wall, cpu = timed([*snakemake, "--cores", "2"], project, env)
        add("local_full_s", wall)
        add("local_full_cpu_s", cpu)
        scratch = work / "scratch"
        scratch.mkdir()
        render = [*memo, "--root", str(project), "render", MEMO, "--out", str(scratch)]
        target = f"build/memos/{MEMO}.pdf"
        for _ in range(repeat):
            wall, cpu = timed(render, project, env)
            add("render_s", wall)
            add("render_cpu_s", cpu)
            on_node("srun", ["srun", "--quiet", "-c", "1", "--mem", "800", *render])
            wall, cpu = timed([*snakemake, "--cores", "1", "-f", target], project, env)
            add("local_job_s", wall)
            add("local_job_cpu_s", cpu)
            known = {r["JobId"] for r in cluster.job_records()}
            on_node("slurm_job", [*snakemake, *SLURM_PROFILE, "-f", target])
            (job,) = [r for r in cluster.job_records() if r["JobId"] not in known]
            add("node_s", seconds(job["EndTime"]) - seconds(job["StartTime"]))
            add("queued_s", seconds(job["StartTime"]) - seconds(job["SubmitTime"]))

        on_cluster = copy_project(work, "cluster")
        cpu_before = node.seconds()
        wall, cpu = timed([*snakemake, *SLURM_PROFILE], on_cluster, env)
        add("slurm_full_s", wall)
        add("slurm_full_cpu_s", cpu)
        add("slurm_full_node_cpu_s", node.seconds() - cpu_before)
    finally:
        slurm.stop(cluster)
        node.close()
    return {name: round(statistics.median(values), 2) for name, values in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="memo-slurm-measure-"))
    try:
        result = measure(args.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["slurm_overhead_s"] = round(result["srun_s"] - result["render_s"], 2)
    result["job_overhead_s"] = round(result["slurm_job_s"] - result["local_job_s"], 2)
    result["load_1min"] = round(os.getloadavg()[0], 2)
    for name, value in result.items():
        print(f"{name:20} {value:8.2f}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
