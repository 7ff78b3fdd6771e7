"""What the Snakefile's ``onstart``, ``onsuccess`` and ``onerror`` handlers do.

Snakemake keeps one handler of each kind per workflow, so everything a run needs at its start and
end goes through here:

- start: the warm render server for local runs (memo.render.server), launched from here;
- end: stop it, cancel the re-evaluation timers Snakemake's scheduler leaves behind, and print one
  line per memo (built, unchanged, failed; its pages) for the person who ran the build.

What the screen shows (``MEMO_BUILD_OUTPUT``): ``summary`` keeps Snakemake's own messages (jobs,
rules, reasons, progress) in its log file, ``.snakemake/log/``, and off the screen, where the memo
commands' own lines (problems, warnings, one line per render) and the summary remain; errors still
show. ``detail`` shows everything Snakemake says. The default is ``summary`` when the output is a
terminal and ``detail`` otherwise (CI logs, tests, a file), so that nothing is lost where no one
is watching.

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
import gc
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from memo.render.client import (
    BINDING,
    ENV_SOCKET,
    ENV_SWITCH,
    MIN_RENDER_JOBS,
    RENDER_RULE,
    _enabled,
    socket_path,
)

DERIVE_RULE = "derive"


ENV_OUTPUT = "MEMO_BUILD_OUTPUT"
MEMOS_DIR = "build/memos"
LOGS_DIR = "build/logs"
_run_started: float | None = None  # when the run's jobs started (onstart), for the summary


def started(workflow: Any) -> None:
    """``onstart``: start the warm render server when Snakemake executes locally."""
    global _run_started
    _run_started = time.time()
    start(workflow)


def finished(workflow: Any = None, failed: bool = False) -> None:
    """``onsuccess`` and ``onerror``: stop the server; let Snakemake exit without waiting; print
    the summary of the memos."""
    stop()
    cancel_scheduler_timers()
    # Nothing Snakemake holds is garbage by now: spare the exit a collection that walks all of
    # it (pandas, SQLAlchemy, the DAG), about half a second after the summary.
    gc.freeze()
    if workflow is not None:
        try:
            print(summary(".", _run_started, failed, _snakemake_log(workflow)), file=sys.stderr)
        except Exception as e:  # the summary must never turn a build into a failure
            print(f"(no summary: {type(e).__name__}: {e})", file=sys.stderr)


def output_mode(stream: Any = None) -> str:
    """``summary`` or ``detail`` (see the module notes)."""
    mode = os.environ.get(ENV_OUTPUT, "").strip().lower()
    if mode in ("summary", "detail"):
        return mode
    stream = stream or sys.stderr
    return "summary" if getattr(stream, "isatty", lambda: False)() else "detail"


def quiet_screen(workflow: Any) -> bool:
    """In ``summary`` mode, send Snakemake's messages below errors to its log file only (its
    screen handler is raised to ERROR). Called when the Snakefile is read; a dry run, which is
    asked to show the plan, keeps them."""
    import logging

    if getattr(workflow, "dryrun", False) or output_mode() != "summary":
        return False
    quieted = False
    # Snakemake 9 logs through the logger of its module snakemake.logging.
    for handler in logging.getLogger("snakemake.logging").handlers:
        if getattr(handler, "name", "") == "DefaultStreamHandler":
            handler.setLevel(logging.ERROR)
            quieted = True
    return quieted


def _snakemake_log(workflow: Any) -> str:
    try:
        logs = workflow.logger_manager.get_logfile()
    except Exception:
        return ""
    return os.path.relpath(logs[0]) if logs else ""


def memo_status(root: str, memo: str, since: float | None) -> tuple[str, str]:
    """(status, detail) of one memo edition after a run that started at ``since``: built (its
    files rewritten in this run), unchanged, failed (its render ran and wrote none), or missing."""
    import json

    meta = os.path.join(root, MEMOS_DIR, f"{memo}.meta.json")
    log = os.path.join(root, LOGS_DIR, f"render-{memo}.log")
    meta_time = os.path.getmtime(meta) if os.path.exists(meta) else None
    log_time = os.path.getmtime(log) if os.path.exists(log) else None
    pages = ""
    if meta_time is not None:
        try:
            with open(meta, encoding="utf-8") as f:
                n = json.load(f).get("pages")
            pages = f"{n} page{'' if n == 1 else 's'}" if n else ""
        except (OSError, ValueError):
            pass
    ran = since is not None and log_time is not None and log_time >= since
    if since is not None and meta_time is not None and meta_time >= since:
        return "built", pages
    if ran:
        return "failed", _last_error(log)
    if meta_time is None:
        return "not built", ""
    return "unchanged", pages


def _last_error(log: str) -> str:
    """The last line of a render log that says what went wrong."""
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return ""
    errors = [line for line in lines if line.startswith("error:")] or lines[-1:]
    return (errors[-1] if errors else "") + f" (log: {os.path.normpath(log)})"


def summary(root: str, since: float | None, failed: bool = False, snakemake_log: str = "") -> str:
    """One line per memo edition (status, pages or the error), and a last line of counts."""
    from memo.workflow.plan import output_ids

    memos = output_ids(root)
    rows = [(memo, *memo_status(root, memo, since)) for memo in memos]
    width = max((len(m) for m in memos), default=0)
    lines = [f"  {memo:<{width}}  {status:<9}  {detail}".rstrip() for memo, status, detail in rows]
    order = ("built", "unchanged", "failed", "not built")
    counts = {s: sum(1 for _m, status, _d in rows if status == s) for s in order}
    told = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    outcome = "build failed" if failed else "build done"
    last = f"{outcome}: {len(memos)} memo{'' if len(memos) == 1 else 's'}, {told}"
    if failed and not any(status == "failed" for _m, status, _d in rows):
        derive_log = os.path.join(root, LOGS_DIR, "derive.log")
        if (
            since is not None
            and os.path.exists(derive_log)
            and os.path.getmtime(derive_log) >= since
        ):
            last += f"; nothing was rendered: the problems are listed above ({os.path.normpath(derive_log)})"
    if snakemake_log:
        last += f"; Snakemake's log: {snakemake_log}"
    return "\n".join(["memos:", *lines, last])


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
    # The wait below must see the socket of the server started here, never a leftover.
    remove_leftover_sockets(path)
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


def remove_leftover_sockets(path: str) -> list[str]:
    """Remove the sockets a killed run left beside ``path`` (its server killed with it could not
    remove them); return their paths. A socket is named after the Snakemake process that started
    its server, so one with this process's id is a leftover (the id was reused), as is one whose
    process is gone (``memo.core.files.writer_alive``); another running Snakemake's is kept. The
    same for a socket still under the name its server binds it with (``memo.render.client.BINDING``)."""
    import glob

    from memo.core.files import writer_alive

    folder, name = os.path.split(path)
    prefix = name[: -len(f"{os.getpid()}.sock")]
    removed = []
    pattern = os.path.join(glob.escape(folder), glob.escape(prefix) + "*.sock")
    for found in glob.glob(pattern) + glob.glob(pattern + glob.escape(BINDING)):
        pid = os.path.basename(found)[len(prefix) :].partition(".")[0]
        if not pid.isdigit() or (int(pid) != os.getpid() and writer_alive(int(pid), Path(found))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(found)
            removed.append(found)
    return removed


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
            _wait(proc, timeout)
        except Exception:
            proc.kill()
            proc.wait()
    if path:
        # Stopped before it could clean up (killed, or told while still starting): its socket
        # file would be left in .snakemake/.
        with contextlib.suppress(OSError):
            os.unlink(path)


def _wait(proc, timeout: float) -> None:
    """Wait for ``proc`` to exit, at most ``timeout`` seconds (``subprocess.TimeoutExpired``):
    woken by its exit where Linux gives a process file descriptor. ``Popen.wait`` with a timeout
    polls, every 50 ms once it has waited 0.06 s: the end of every run lost up to that."""
    import select

    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # not Linux, or older than 5.3
        proc.wait(timeout)
        return
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    proc.wait(0)


def cancel_scheduler_timers() -> int:
    """Cancel pending ``threading.Timer`` threads (the scheduler's, after its last pass)."""
    cancelled = 0
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.is_alive():
            thread.cancel()
            cancelled += 1
    return cancelled
