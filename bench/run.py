"""Benchmark the memo pipeline on this machine: the default edition and a generated stress edition.

For each edition, in a temporary copy of the project (the checkout's build/ and reports/ are never
touched):

- floor: the work without Snakemake: ``memo derive`` (check and derive, one process), then one
  process that imports once and renders every memo (HTML and PDF) in turn; their wall time divided
  by the cores used — what a perfectly parallel build with no per-job cost takes;
- full: ``snakemake --cores N`` from an empty build folder (no build/, no .snakemake/);
- noop: ``snakemake --cores N`` again with nothing changed, against Snakemake's own dry-run time on
  the same up-to-date workflow (``-n``), its floor (median of --repeat runs each);
- one-change: edit one indicator value that a single memo shows, rebuild; time and jobs run;
- peak memory: the largest resident set of any single process of those runs (psutil samples).

For the stress edition it also builds the first ``--scale`` memos (20) of the same generated
edition (not with ``--quick``, which takes the per-memo figure from the stress build itself).
``per_memo_s_<n>`` is the render phase of the full build of n memos — from the start of the first
render job to the end of the last, as Snakemake records them in .snakemake/metadata — (from the
render server's warm-up end when later) divided by n: the wall time each memo adds once the run is
going, which is what must stay flat as memos multiply (full_n / n would mostly show the fixed cost of
starting Snakemake, the server's warm-up and the derive and publish jobs; that cost is
in full_vs_floor).

It prints a table, then as its last line one JSON object (the stress edition's figures at the top
level, the default edition's under "default").

    python bench/run.py                         # default + stress edition of 200 memos (~5 min)
    python bench/run.py --baseline              # also full builds without the render server
    python bench/run.py --stress-memos 2 --quick    # a smoke run (tests/e2e/test_bench.py)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stress  # noqa: E402  (bench/stress.py, beside this file)

# The memo package measured: a snapshot of this checkout's src/ taken when the bench starts (see
# main), first on every measured command's path, whatever copy of memo is installed and whatever
# is edited in the checkout while the bench runs.
SRC = stress.REPO / "src"

KEYS = (
    "edition",
    "memos",
    "cores",
    "floor_s",
    "full_s",
    "full_vs_floor",
    "noop_s",
    "dryrun_s",
    "noop_vs_dryrun",
    "one_change_s",
    "one_change_jobs",
    "one_change_render_jobs",
    "one_change_expected",
    "peak_rss_mb",
    "peak_process",
    "floor_peak_rss_mb",
    "per_memo_s_20",
    "per_memo_s_200",
)
# Further figures in the JSON line, when measured.
EXTRA = (
    "per_memo_ratio",
    "scale_sizes",
    "full_s_20",
    "per_memo_s",
    "render_phase_s",
    "floor_wall_s",
    "floor_cpu_s",
    "full_cpu_s",
    "snakemake_cpu_s",
    "full_no_server_s",
    "full_no_server_cpu_s",
    "one_change_figure",
    "one_change_rules",
)


@dataclass
class Run:
    """One timed command: wall time, exit code, output and the largest process seen."""

    wall: float
    rc: int
    out: str
    err: str
    peak_rss_mb: float = 0.0
    peak_process: str = ""
    processes: int = 0
    cpu: float = 0.0  # user + system seconds of the whole process tree
    root_cpu: float = 0.0  # user + system seconds of the command's own process (about)

    def plus(self, other: Run) -> Run:
        """Two commands run one after the other, as one measure (times and CPU added)."""
        bigger = self if self.peak_rss_mb >= other.peak_rss_mb else other
        return Run(
            self.wall + other.wall,
            self.rc or other.rc,
            other.out + self.out,
            other.err + self.err,
            bigger.peak_rss_mb,
            bigger.peak_process,
            self.processes + other.processes,
            self.cpu + other.cpu,
            self.root_cpu + other.root_cpu,
        )


@dataclass
class Sampler:
    """Poll a process tree's resident set sizes until stopped; keep the largest single process."""

    pid: int
    interval: float = 0.05
    peak: float = 0.0
    name: str = ""
    seen: set[int] = field(default_factory=set)
    root_cpu: float = 0.0  # CPU seconds of the root process itself, last sampled

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            try:
                t = root.cpu_times()
                self.root_cpu = t.user + t.system
            except psutil.Error:
                pass
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid not in self.seen:
                        self.seen.add(p.pid)
                    if rss > self.peak:
                        self.peak = rss
                        self.name = " ".join(p.cmdline()[:4])[:80]
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` in ``cwd`` with output to files; time it and sample its memory."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env or bench_env()
        )
        sampler = Sampler(proc.pid)
        rc = proc.wait()
        wall = time.perf_counter() - start
        sampler.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        out.seek(0)
        err.seek(0)
        r = Run(
            wall,
            rc,
            out.read(),
            err.read(),
            sampler.peak / 2**20,
            sampler.name,
            len(sampler.seen),
            cpu,
            sampler.root_cpu,
        )
    if check and rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd} (exit {rc}):\n{r.err[-4000:]}")
    return r


def bench_env() -> dict[str, str]:
    """The environment of every measured command: this checkout's package first on the path, so
    the code measured is the code beside this script whatever copy of memo is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    return env


def snakemake(cores: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]


def job_stats(log: str) -> dict[str, int]:
    """The first 'Job stats' table of a Snakemake log: rule -> jobs, plus 'total'."""
    m = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\n\n", log, re.S)
    if not m:
        return {"total": 0}
    return {rule: int(n) for rule, n in re.findall(r"^(\S+)\s+(\d+)\s*$", m.group(1), re.M)}


def jobs_run(log: str) -> dict[str, int]:
    """The jobs a Snakemake run finished, by rule, plus 'total'. (Its first 'Job stats' table is
    the plan, which after a data edit lists every render as waiting for the derive checkpoint.)"""
    counts: dict[str, int] = {}
    for rule in re.findall(r"^Finished jobid: \d+ \(Rule: (\w+)\)", log, re.M):
        counts[rule] = counts.get(rule, 0) + 1
    return {**counts, "total": sum(counts.values())}


def clean_build(root: Path) -> None:
    for name in ("build", ".snakemake", ".reports", "bench-floor"):
        shutil.rmtree(root / name, ignore_errors=True)
    if (root / "reports").is_symlink():
        (root / "reports").unlink()


def median_run(cmd: list[str], root: Path, repeat: int) -> tuple[float, list[Run]]:
    runs = [run(cmd, root) for _ in range(repeat)]
    return statistics.median(r.wall for r in runs), runs


def full_build(root: Path, cores: int, env: dict[str, str] | None = None) -> Run:
    clean_build(root)
    return run(snakemake(cores), root, env=env)


def render_phase(root: Path) -> float:
    """Seconds from the start of the first render job to the end of the last, as Snakemake recorded
    them (.snakemake/metadata: one record per output file, with the job's start and end time)."""
    starts, ends = [], []
    for record in (root / ".snakemake/metadata").iterdir():
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("rule") == "render" and meta.get("starttime") and meta.get("endtime"):
            starts.append(meta["starttime"])
            ends.append(meta["endtime"])
    if not starts:
        return 0.0
    # Jobs that start while the render server warms up wait for it: that wait is start-up (it is
    # in full_vs_floor), not time per memo.
    ready = re.findall(r"ready in [\d.]+ s \(epoch ([\d.]+)\)", _read(root / SERVER_LOG))
    start = max(min(starts), float(ready[-1])) if ready else min(starts)
    return max(ends) - start


SERVER_LOG = ".snakemake/log/memo-render-server.log"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def bench_edition(
    name: str, root: Path, cores: int, repeat: int, log, baseline: bool = False
) -> dict:
    """Every measure of one edition, in the project copy at ``root``."""
    from memo.workflow.plan import output_ids

    ids = output_ids(str(root))
    res: dict = {"edition": name, "memos": len(ids), "cores": cores}
    log(f"[{name}] {len(ids)} memos in {root}")

    clean_build(root)
    # The work itself, without Snakemake: check and derive once, then render every memo in one
    # process (the two commands a build's jobs run, in two processes, one after the other).
    derive = run([sys.executable, "-m", "memo.cli", "derive"], root)
    floor = run([sys.executable, "-m", "memo.cli", "render", "--out", "bench-floor"], root)
    floor = floor.plus(derive)
    res["floor_wall_s"] = floor.wall
    res["floor_s"] = floor.wall / cores
    res["floor_peak_rss_mb"] = floor.peak_rss_mb
    res["floor_cpu_s"] = floor.cpu
    log(f"[{name}] floor: {floor.wall:.1f} s in one process / {cores} = {res['floor_s']:.1f} s")

    peaks = [(floor.peak_rss_mb, "floor: " + floor.peak_process)]
    if baseline:
        off = full_build(root, cores, env=bench_env() | {"MEMO_RENDER_SERVER": "0"})
        res["full_no_server_s"] = off.wall
        res["full_no_server_cpu_s"] = off.cpu
        peaks.append((off.peak_rss_mb, off.peak_process))
        log(
            f"[{name}] full without the render server: {off.wall:.1f} s "
            f"({off.wall / res['floor_s']:.2f} x floor), {off.cpu:.1f} s CPU"
        )

    full = full_build(root, cores)
    res["full_s"] = full.wall
    res["full_vs_floor"] = full.wall / res["floor_s"]
    res["full_cpu_s"] = full.cpu
    res["snakemake_cpu_s"] = full.root_cpu
    res["render_phase_s"] = render_phase(root)
    res["per_memo_s"] = res["render_phase_s"] / len(ids)
    peaks.append((full.peak_rss_mb, full.peak_process))
    log(
        f"[{name}] full: {full.wall:.1f} s ({res['full_vs_floor']:.2f} x floor), "
        f"{full.cpu:.1f} s CPU (Snakemake itself {full.root_cpu:.1f} s; floor {floor.cpu:.1f} s), "
        f"{full.processes} processes, render phase {res['render_phase_s']:.1f} s"
    )

    res["noop_s"], noops = median_run(snakemake(cores), root, repeat)
    if not all("Nothing to be done" in r.err + r.out for r in noops):
        log(f"[{name}] warning: the no-op run did some work")
        res["noop_did_work"] = True
    res["dryrun_s"], _ = median_run(snakemake(cores, "-n"), root, repeat)
    res["noop_vs_dryrun"] = res["noop_s"] / res["dryrun_s"]
    peaks += [(r.peak_rss_mb, r.peak_process) for r in noops]
    log(
        f"[{name}] noop: {res['noop_s']:.2f} s, dry-run {res['dryrun_s']:.2f} s "
        f"({res['noop_vs_dryrun']:.2f} x)"
    )

    indicator, entity, counterpart = (
        stress.ONE_CHANGE_STRESS if name == "stress" else stress.ONE_CHANGE_DEFAULT
    )
    old, new = stress.change_figure(root, indicator, entity, counterpart)
    one = run(snakemake(cores), root)
    stats = jobs_run(one.err + one.out)
    res["one_change_s"] = one.wall
    res["one_change_figure"] = f"{indicator} {entity}/{counterpart}: {old} -> {new}"
    res["one_change_jobs"] = stats.get("total", 0)
    res["one_change_render_jobs"] = stats.get("render", 0)
    res["one_change_rules"] = {k: v for k, v in stats.items() if k != "total"}
    res["one_change_expected"] = stress.ONE_CHANGE_MEMO[name]
    peaks.append((one.peak_rss_mb, one.peak_process))
    log(
        f"[{name}] one change ({res['one_change_figure']}): {one.wall:.1f} s, "
        f"{res['one_change_jobs']} jobs {res['one_change_rules']}"
    )

    res["peak_rss_mb"], res["peak_process"] = max(peaks)
    return res


def bench_scale(root: Path, n: int, cores: int, repeat: int, log) -> dict:
    """Full builds of the first n memos of the stress edition: render phase per memo (median)."""
    per_memo, fulls = [], []
    for _ in range(repeat):
        fulls.append(full_build(root, cores).wall)
        per_memo.append(render_phase(root) / n)
    log(
        f"[scale] {n} memos: full {statistics.median(fulls):.1f} s, "
        f"{statistics.median(per_memo):.3f} s per memo in the render phase"
    )
    return {"per_memo_s": statistics.median(per_memo), "full_s": statistics.median(fulls)}


def table(results: list[dict]) -> str:
    cols = [
        ("edition", "{}"),
        ("memos", "{}"),
        ("floor_s", "{:.1f}"),
        ("full_s", "{:.1f}"),
        ("full_vs_floor", "{:.2f}"),
        ("noop_s", "{:.2f}"),
        ("dryrun_s", "{:.2f}"),
        ("noop_vs_dryrun", "{:.2f}"),
        ("one_change_s", "{:.1f}"),
        ("one_change_jobs", "{}"),
        ("one_change_render_jobs", "{}"),
        ("per_memo_s", "{:.3f}"),
        ("peak_rss_mb", "{:.0f}"),
    ]
    head = [c for c, _ in cols]
    rows = [[f.format(r[c]) for c, f in cols] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--stress-memos", type=int, default=200, help="memos in the stress edition (200)"
    )
    p.add_argument(
        "--scale", type=int, default=20, help="smaller stress size for per-memo time (20)"
    )
    p.add_argument(
        "--cores", type=int, default=2, help="snakemake --cores, and the floor's divisor (2)"
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="repetitions of no-op, dry-run and the smaller stress build (median; 3)",
    )
    p.add_argument(
        "--baseline",
        action="store_true",
        help="also time full builds without the render server (MEMO_RENDER_SERVER=0)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: stress edition only, one repetition, the per-memo time taken from its "
        "own full build (no smaller build)",
    )
    p.add_argument(
        "--project",
        type=Path,
        default=stress.REPO,
        help="project to measure (default: this checkout); e.g. an older commit "
        "unpacked with git archive, for before/after figures",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary project copies")
    p.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    args = p.parse_args(argv)

    repeat = 1 if args.quick else max(1, args.repeat)
    n = args.stress_memos
    scale = n if args.quick else max(1, min(args.scale, n))
    work = Path(tempfile.mkdtemp(prefix="memo-bench-"))
    global SRC
    SRC = work / "src"
    project = args.project.resolve()
    shutil.copytree(project / "src", SRC, ignore=shutil.ignore_patterns("*.egg-info"))
    sys.path.insert(0, str(SRC))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        results = []
        if not args.quick:
            default = stress.copy_project(work / "default", project)
            results.append(
                bench_edition("default", default, args.cores, repeat, log, args.baseline)
            )
        root = stress.make_stress_project(work / f"stress-{n}", n, project)
        res = bench_edition("stress", root, args.cores, repeat, log, args.baseline)
        results.append(res)
        if args.quick:  # the smaller build is the same code as the full one: not run twice
            small = {"per_memo_s": res["per_memo_s"], "full_s": res["full_s"]}
        else:
            small = bench_scale(
                stress.make_stress_project(work / f"stress-{scale}", scale, project),
                scale,
                args.cores,
                repeat,
                log,
            )
    finally:
        if args.keep:
            log(f"project copies kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    res["scale_sizes"] = [scale, n]
    res["per_memo_s_20"] = small["per_memo_s"]
    res["per_memo_s_200"] = res["per_memo_s"]
    res["per_memo_ratio"] = (
        res["per_memo_s_200"] / res["per_memo_s_20"] if small["per_memo_s"] else 0.0
    )
    res["full_s_20"] = small["full_s"]

    print(table(results))
    print(
        f"per memo (render phase / memos, stress): {res['per_memo_s_20']:.3f} s at {scale} memos, "
        f"{res['per_memo_s_200']:.3f} s at {n} ({res['per_memo_ratio']:.2f} x); "
        f"full build / memos: {small['full_s'] / scale:.3f} s at {scale}, {res['full_s'] / n:.3f} s at {n}"
    )
    out = {k: res[k] for k in KEYS if k in res}
    out |= {k: res[k] for k in EXTRA if k in res}
    if not args.quick:
        out["default"] = {k: results[0][k] for k in (*KEYS, *EXTRA) if k in results[0]}
    out["python"] = sys.version.split()[0]
    out["cpus"] = os.cpu_count()
    line = json.dumps(out, sort_keys=False)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
