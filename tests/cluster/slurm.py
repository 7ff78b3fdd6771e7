"""A single-node SLURM cluster on 127.0.0.1, from Debian's packages, for the tests and for trying
the SLURM profile by hand.

    python tests/cluster/slurm.py start     # prints: export SLURM_CONF=/tmp/memo-slurm/conf/slurm.conf
    python tests/cluster/slurm.py status    # daemons, node, queue, finished jobs
    python tests/cluster/slurm.py stop      # cancels jobs, stops the daemons, removes the folder

Everything lives in one folder (``--dir``, default ``$TMPDIR/memo-slurm``): the generated
slurm.conf, a fresh munge key, sockets, state, spool, pid files and logs. Three daemons are
started directly, without systemd or the packages' service files: munged (on its own socket, so a
munge already on the machine is neither used nor disturbed), slurmctld and slurmd (on free TCP
ports of 127.0.0.1). ``start`` returns once the node is idle, ready for jobs.

No slurmdbd: accounting_storage/none, and slurmctld appends every finished job to a job completion
log (jobcomp/filetxt), which ``sacct --completion`` reads. Finished jobs also stay in slurmctld's
memory for an hour (MinJobAge), so ``squeue --states=all`` and ``scontrol show job`` see them;
snakemake-executor-plugin-slurm follows its jobs that way with ``--slurm-status-command squeue``.

Commands on the submit side find the configuration through SLURM_CONF. Inside a job, Snakemake's
jobstep executor starts ``srun`` with every SLURM_* variable removed, SLURM_CONF included, so the
node's commands must find it where a compute node keeps it: /run/slurm/conf, the place a configless
slurmd links its cached copy to (a configless slurmd cannot be used here: before it has the
configuration it knows only munge's default socket). ``start`` links /run/slurm/conf to the
cluster's conf/ folder and ``stop`` removes the link: one such cluster runs on a machine at a
time (``start(wait=...)`` waits for another to stop; the command line refuses), and none where
/etc/slurm/slurm.conf exists.

Needs root (slurmd starts each job as the user who submitted it) and the Debian packages slurm-wlm
and munge (tests/cluster/install.sh). Only the standard library is used.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NODE = "memo-node"
PARTITION = "memo"
COMMANDS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "sacct")
# Started in this order, stopped in the reverse.
DAEMONS = ("munged", "slurmctld", "slurmd")
# Where SLURM commands look for slurm.conf when SLURM_CONF is not set: the compiled-in default,
# then the folder a configless slurmd links to its cached copy. One per machine.
ETC_CONF = Path("/etc/slurm/slurm.conf")
RUN_CONF = Path("/run/slurm/conf")


class CannotStart(RuntimeError):
    """The daemons cannot run on this machine at all (not Linux, not root); the text says why."""


class StartFailed(RuntimeError):
    """The cluster could not be started; the text names the cause and ends with the daemon's log."""


def default_dir() -> Path:
    return Path(tempfile.gettempdir()) / "memo-slurm"


def cannot_start_reason() -> str | None:
    """Why systemd-less SLURM daemons cannot run here, or None if they can."""
    if not sys.platform.startswith("linux"):
        return f"SLURM daemons run on Linux only (this is {sys.platform})"
    if os.geteuid() != 0:
        return (
            "not root: slurmd must run as root to start each job as the user who submitted it "
            "(run the tests as root, as CI does)"
        )
    return None


@dataclass(frozen=True)
class Cluster:
    """A cluster's folder: configuration, munge key and socket, state, logs, pid files."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "conf/slurm.conf"

    @property
    def jobcomp_log(self) -> Path:
        return self.root / "log/jobcomp.log"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with SLURM_CONF set to this cluster."""
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = str(self.conf)
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> str:
        """Run a SLURM command against this cluster; its standard output."""
        done = subprocess.run(
            args, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{shlex.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def pid(self, daemon: str) -> int | None:
        """The pid of this cluster's ``daemon`` (or of the ``owner``, the process that started it)
        while it runs, else None."""
        try:
            pid = int((self.root / f"run/{daemon}.pid").read_text().strip())
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, ValueError):
            return None
        # "pid (comm) state ...": a reused pid is not ours, and an exited (zombie) daemon is gone.
        comm, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
        if state in "ZX" or not (
            daemon == "owner" or comm.startswith(daemon[:15]) or daemon.startswith(comm)
        ):
            return None
        return pid

    def alive(self) -> bool:
        """Whether a daemon of this cluster runs, or the process starting it."""
        return any(self.pid(d) for d in ("owner", *DAEMONS))

    def owns_run_conf(self) -> bool:
        """Whether /run/slurm/conf is this cluster's conf/ folder."""
        return RUN_CONF.is_symlink() and Path(os.readlink(RUN_CONF)) == self.conf.parent

    def node_state(self) -> str:
        """The node's state as sinfo prints it (idle, mix, alloc, down*, ...), '' if unknown."""
        try:
            out = self.run("sinfo", "--noheader", "--Node", "--format=%t", f"--nodes={NODE}")
        except (RuntimeError, subprocess.TimeoutExpired):
            return ""
        return out.strip()

    def finished_jobs(self) -> list[dict[str, str]]:
        """Every job that ended, oldest first, from slurmctld's job completion log through
        ``sacct --completion``: JobID, JobName, State, ExitCode, NodeList, Partition, WorkDir,
        Start, End (Submit is the start time in this mode; Eligible is when it was queued)."""
        fields = (
            "JobID,JobName,State,ExitCode,NodeList,Partition,WorkDir,Eligible,Start,End,Elapsed"
        )
        out = self.run(
            "sacct", "--completion", "--parsable2", f"--format={fields}", "--starttime=2000-01-01"
        )
        lines = out.splitlines()
        if not lines:
            return []
        header = lines[0].split("|")
        return [dict(zip(header, line.split("|"), strict=True)) for line in lines[1:] if line]

    def job_records(self) -> list[dict[str, str]]:
        """slurmctld's record of every job it holds (queued, running, or ended within
        MinJobAge), as ``scontrol show job`` prints them: JobId, JobName, Comment, JobState,
        StdOut, SubmitTime, StartTime, EndTime, ..."""
        out = self.run("scontrol", "--oneliner", "show", "job", check=False)
        return [parse_fields(line) for line in out.splitlines() if line.startswith("JobId=")]

    def status(self) -> str:
        lines = [f"SLURM_CONF={self.conf}"]
        for daemon in DAEMONS:
            pid = self.pid(daemon)
            lines.append(f"{daemon}: " + (f"running, pid {pid}" if pid else "not running"))
        if self.pid("slurmctld"):
            lines.append(self.run("sinfo", "--Node", "--long", check=False).rstrip())
            lines.append(self.run("squeue", "--states=all", check=False).rstrip())
            lines.append(f"finished jobs ({self.jobcomp_log}):")
            lines.append(
                self.run(
                    "sacct",
                    "--completion",
                    "--starttime=2000-01-01",
                    "--format=JobID,JobName%40,State,ExitCode,Start,End",
                    check=False,
                ).rstrip()
            )
        return "\n".join(lines)


_FIELD = re.compile(r"(\w[\w/:]*)=(.*?)(?= \w[\w/:]*=|$)")


def parse_fields(line: str) -> dict[str, str]:
    """``Key=value Key=value ...`` (values may hold spaces) as a dict."""
    return {key: value.strip() for key, value in _FIELD.findall(line.strip())}


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now, all different (each held until all are chosen)."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            s = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
        return ports


def node_hardware() -> str:
    """This machine as slurmd sees it (CPUs, sockets, cores, threads, memory), for the NodeName
    line: a node declared bigger than it is would be drained by slurmctld."""
    out = subprocess.run(
        ["slurmd", "-C"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    fields = parse_fields(out.splitlines()[0])
    keep = ("CPUs", "Boards", "SocketsPerBoard", "CoresPerSocket", "ThreadsPerCore", "RealMemory")
    return " ".join(f"{k}={fields[k]}" for k in keep if k in fields)


def slurm_conf(root: Path, host: str, ctld_port: int, slurmd_port: int, hardware: str) -> str:
    """The cluster's slurm.conf: one node, one partition, every file under ``root``."""
    return f"""\
# Generated by tests/cluster/slurm.py: a single-node cluster on 127.0.0.1.
ClusterName=memo-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={root}/munge/munge.socket
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/run/slurmctld.pid
SlurmdPidFile={root}/run/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
# No cgroups (a container may not delegate them): job processes are tracked by parentage;
# tasks are bound to their cores with sched_setaffinity.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
# No slurmdbd: each finished job is appended to the job completion log (sacct --completion).
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={root}/log/jobcomp.log
# Finished jobs stay visible to squeue and scontrol for an hour.
MinJobAge=3600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
ReturnToService=2
NodeName={NODE} NodeHostname={host} NodeAddr=127.0.0.1 {hardware} State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""


def start(root: Path | None = None, timeout: float = 60, wait: float = 0) -> Cluster:
    """Write the configuration into ``root`` (a new folder; default: a new temporary one), start
    munged, slurmctld and slurmd, and return once the node is idle. Another such cluster running
    on this machine is waited for up to ``wait`` seconds. On failure, whatever started is stopped
    and the folder removed. Raises CannotStart where the daemons cannot run on this machine,
    StartFailed otherwise."""
    reason = cannot_start_reason()
    if reason:
        raise CannotStart(reason)
    missing = [c for c in COMMANDS if shutil.which(c) is None]
    if missing:
        raise StartFailed(
            f"not installed: {', '.join(missing)} (Debian packages slurm-wlm and munge; "
            "bash tests/cluster/install.sh installs them)"
        )
    if ETC_CONF.exists():
        raise StartFailed(
            f"{ETC_CONF} exists: this machine has a SLURM of its own, whose configuration the "
            "commands inside jobs would read instead of the test cluster's"
        )
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="memo-slurm-"))
    else:
        root.mkdir(parents=True)
    cluster = Cluster(root.resolve())
    try:
        (root / "run").mkdir(mode=0o700)
        (root / "run/owner.pid").write_text(f"{os.getpid()}\n")
        _claim_run_conf(cluster, wait)
        _start(cluster, timeout)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _claim_run_conf(cluster: Cluster, wait: float) -> None:
    """Link /run/slurm/conf to this cluster's conf/ folder, where commands inside its jobs will
    read it; wait up to ``wait`` seconds while another cluster holds it. A link left by a cluster
    that is gone (no daemon, and the process that started it has ended) is replaced."""
    RUN_CONF.parent.mkdir(exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        # One claim at a time on this machine, so that two never both replace a stale link.
        with open(RUN_CONF.parent / "memo-test-cluster.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if RUN_CONF.is_symlink():
                other = Cluster(Path(os.readlink(RUN_CONF)).parent)
                if not other.alive():
                    RUN_CONF.unlink()
            elif RUN_CONF.exists():
                raise StartFailed(f"{RUN_CONF} exists: a configless slurmd of this machine's SLURM")
            if not RUN_CONF.is_symlink():
                RUN_CONF.symlink_to(cluster.conf.parent)
                return
        if time.monotonic() > deadline:
            raise StartFailed(
                f"another local cluster is running ({other.root}); stop it first: "
                f"python tests/cluster/slurm.py stop --dir {other.root}"
            )
        time.sleep(1)


def _start(cluster: Cluster, timeout: float) -> None:
    root = cluster.root
    # munged wants every folder on the way to its socket searchable by all (clients connect to
    # it), and its key readable by no one else.
    os.chmod(root, 0o711)
    for sub in ("conf", "munge", "key", "state", "spool", "log"):
        (root / sub).mkdir(mode=0o711 if sub == "munge" else 0o755 if sub == "conf" else 0o700)
    key = root / "key/munge.key"
    key.write_bytes(os.urandom(1024))  # as `mungekey` makes one
    key.chmod(0o400)
    ctld_port, node_port = free_ports(2)
    host = socket.gethostname().split(".")[0]
    cluster.conf.write_text(
        slurm_conf(root, host, ctld_port, node_port, node_hardware()), encoding="utf-8"
    )
    env = cluster.env()

    munge_log = root / "log/munged.log"
    _launch(
        [
            "munged",
            f"--socket={root}/munge/munge.socket",
            f"--key-file={key}",
            f"--pid-file={root}/run/munged.pid",
            f"--log-file={munge_log}",
            f"--seed-file={root}/munge/munged.seed",
        ],
        munge_log,
        env,
    )
    _wait_for("munged", lambda: cluster.pid("munged") is not None, timeout, munge_log)

    ctld_log = root / "log/slurmctld.log"
    _launch(["slurmctld", "-f", str(cluster.conf)], ctld_log, env)

    def controller_answers() -> bool:
        ping = ["scontrol", "ping"]
        return subprocess.run(ping, env=env, capture_output=True, check=False).returncode == 0

    _wait_for("slurmctld", controller_answers, timeout, ctld_log)

    slurmd_log = root / "log/slurmd.log"
    _launch(["slurmd", "-f", str(cluster.conf), "-N", NODE], slurmd_log, env)
    _wait_for("the node (slurmd)", lambda: cluster.node_state() == "idle", timeout, slurmd_log)


def _launch(args: list[str], log: Path, env: dict[str, str]) -> None:
    """Start a daemon that forks into the background; fail with its log if it exits non-zero."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise StartFailed(
            f"{shlex.join(args)}: exit {done.returncode}: {done.stderr.strip()}\n"
            f"{log}:\n{_tail(log)}"
        )


def _wait_for(what: str, ready: Callable[[], bool], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise StartFailed(f"{what} not ready after {timeout:.0f} s; {log}:\n{_tail(log)}")
        time.sleep(0.1)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"({path} not written)"
    return "\n".join(text.splitlines()[-lines:])


def stop(cluster: Cluster, remove: bool = True, timeout: float = 20) -> None:
    """Cancel every job, stop slurmd, slurmctld and munged (TERM, then KILL), remove the
    /run/slurm/conf link and the folder. Safe on a half-started or already stopped cluster."""
    if cluster.pid("slurmctld") and cluster.pid("slurmd"):
        # Jobs first, while slurmd is there to end their processes.
        subprocess.run(
            ["scancel", "--full", f"--partition={PARTITION}"],
            env=cluster.env(),
            capture_output=True,
            timeout=10,
            check=False,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and cluster.run("squeue", "--noheader", check=False):
            time.sleep(0.2)
    for daemon in reversed(DAEMONS):
        pid = cluster.pid(daemon)
        if pid is None:
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while cluster.pid(daemon) and time.monotonic() < deadline:
            time.sleep(0.1)
        if cluster.pid(daemon):
            os.kill(pid, signal.SIGKILL)
    if cluster.owns_run_conf():
        RUN_CONF.unlink()
    if remove:
        shutil.rmtree(cluster.root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start, inspect or stop a single-node SLURM cluster on 127.0.0.1."
    )
    parser.add_argument("command", choices=("start", "status", "stop"))
    parser.add_argument(
        "--dir", type=Path, default=default_dir(), help="the cluster's folder (%(default)s)"
    )
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir.resolve())
    me = "python tests/cluster/slurm.py"
    if args.command == "start":
        if cluster.root.exists():
            print(f"{cluster.root} exists; first: {me} stop --dir {args.dir}", file=sys.stderr)
            return 1
        try:
            cluster = start(cluster.root)
        except (CannotStart, StartFailed) as e:
            print(f"cannot start the cluster: {e}", file=sys.stderr)
            return 1
        print(f"export SLURM_CONF={shlex.quote(str(cluster.conf))}")
        print(f"# node {NODE} is idle; partition {PARTITION}; stop: {me} stop", file=sys.stderr)
    elif not cluster.root.exists():
        print(f"no cluster in {cluster.root}", file=sys.stderr)
        return 1 if args.command == "status" else 0
    elif args.command == "status":
        print(cluster.status())
    else:
        stop(cluster)
    return 0


if __name__ == "__main__":
    sys.exit(main())
