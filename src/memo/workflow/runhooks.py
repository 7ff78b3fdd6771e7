"""What the Snakefile's ``onstart``, ``onsuccess`` and ``onerror`` handlers do.

Snakemake keeps one handler of each kind per workflow, so everything a run needs at its start and
end goes through here:

- start: the warm render server for local runs (memo.render.server), launched from here;
- end: stop it, and cancel the re-evaluation timers Snakemake's scheduler leaves behind.

About those timers: with a job rate limit (``max-jobs-per-timespan``, always set, default 100/1s)
the scheduler ends every pass by starting a ``threading.Timer`` that wakes it for another pass one
timespan later. Each job that finishes adds a pass, and so one more such chain of timers; with
hundreds of jobs the scheduler spends seconds of CPU on passes that find nothing to do.
profiles/default sets the timespan to 10 s, which makes those passes ten times rarer; the timers
are not daemon threads, so the last one would keep Snakemake from exiting for up to a timespan
after the last job. ``finished`` cancels them: the run ends when its work does.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import Any

from memo.render.client import (
    ENV_SOCKET,
    ENV_SWITCH,
    MIN_RENDER_JOBS,
    RENDER_RULE,
    _enabled,
    socket_path,
)

DERIVE_RULE = "derive"


def started(workflow: Any) -> None:
    """``onstart``: start the warm render server when Snakemake executes locally."""
    start(workflow)


def finished() -> None:
    """``onsuccess`` and ``onerror``: stop the server; let Snakemake exit without waiting."""
    stop()
    cancel_scheduler_timers()


_server = None  # the subprocess.Popen of the running server, in the Snakemake process


def pending_renders(workflow) -> list[str] | None:
    """Memo ids of the render jobs this run will execute (None if Snakemake does not say yet:
    the derive checkpoint has to run before the renders are planned)."""
    try:
        jobs = list(workflow.dag.needrun_jobs())
        if any(job.rule.name == DERIVE_RULE for job in jobs):
            return None
        return [job.wildcards.memo for job in jobs if job.rule.name == RENDER_RULE]
    except Exception:  # another Snakemake version: do not guess, start the server
        return None


def start(workflow=None, workdir=".", wait: float = 5.0) -> str | None:
    """Start the server for this Snakemake run; return its socket path, or None if not started.

    Only for local execution (on a cluster every job runs on some node where no server listens,
    and renders in its own process), and only for ``MIN_RENDER_JOBS`` renders or more.
    """
    global _server
    import subprocess

    if not _enabled() or _server is not None:
        return None
    pending = None
    if workflow is not None:
        if not getattr(workflow, "local_exec", False):
            return None
        pending = pending_renders(workflow)
        forced = os.environ.get(ENV_SWITCH) == "1"
        if pending is not None and (not pending or (len(pending) < MIN_RENDER_JOBS and not forced)):
            return None
    path = socket_path(workdir)
    log_dir = os.path.join(workdir, ".snakemake", "log")
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, "memo-render-server.log"), "ab") as log:
        _server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "memo.render.server",
                "serve",
                "--socket",
                path,
                "--parent",
                str(os.getpid()),
                "--root",
                os.path.abspath(workdir),
                "--pending",
                ",".join(pending or []),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            close_fds=True,
        )
    deadline = time.monotonic() + wait
    while not os.path.exists(path):
        if _server.poll() is not None or time.monotonic() > deadline:
            stop()
            return None
        time.sleep(0.01)
    os.environ[ENV_SOCKET] = path
    return path


def stop(timeout: float = 5.0) -> None:
    """Stop the server started by ``start`` (if any) and stop announcing it."""
    global _server
    path = os.environ.pop(ENV_SOCKET, None)
    proc, _server = _server, None
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except Exception:
            proc.kill()
            proc.wait()
    if path:
        # Stopped before it could clean up (killed, or told while still starting): its socket
        # file would be left in .snakemake/.
        with contextlib.suppress(OSError):
            os.unlink(path)


def cancel_scheduler_timers() -> int:
    """Cancel pending ``threading.Timer`` threads (the scheduler's, after its last pass)."""
    cancelled = 0
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.is_alive():
            thread.cancel()
            cancelled += 1
    return cancelled
