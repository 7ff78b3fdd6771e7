"""What the Snakefile's ``onstart``, ``onsuccess`` and ``onerror`` handlers do.

Snakemake keeps one handler of each kind per workflow, so everything a run needs at its start and
end goes through here:

- start: the warm render server for local runs (memo.render_server);
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

import threading
from typing import Any

from memo import render_server


def started(workflow: Any) -> None:
    """``onstart``: start the warm render server when Snakemake executes locally."""
    render_server.start(workflow)


def finished() -> None:
    """``onsuccess`` and ``onerror``: stop the server; let Snakemake exit without waiting."""
    render_server.stop()
    cancel_scheduler_timers()


def cancel_scheduler_timers() -> int:
    """Cancel pending ``threading.Timer`` threads (the scheduler's, after its last pass)."""
    cancelled = 0
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.is_alive():
            thread.cancel()
            cancelled += 1
    return cancelled
