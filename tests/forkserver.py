"""A warm Snakemake for the end-to-end tests: ``python -m snakemake`` without its imports.

Starting Snakemake 9 costs about 1.2 s of CPU before it reads the Snakefile (its own modules,
pandas, SQLAlchemy), and the end-to-end tests start it about fifty times. This module, run as a
script, is a process per test worker that imports ``snakemake.cli`` once and then, for each run
asked of it, forks a child that is ``python -m snakemake ARGS`` from there on: its own working
folder, environment, arguments, ``sys.path[0]``, standard input from ``/dev/null`` and its output
to a file, and a normal interpreter exit (atexit handlers, threads joined). Nothing of Snakemake
has run in the parent, so each child starts as a fresh process would, less the imports.

``helpers.run_snakemake`` sends its runs here unless the environment asked for changes what a
Python process reads when it starts (``PYTHON*``, the locale): those start Snakemake cold, as do
the tests that start it with ``subprocess.Popen`` (the kills, the install, the benchmark).

Protocol, one JSON object per line on standard input: ``{"cwd", "args", "env", "output"}``; the
server answers the child's pid on a line, then its exit code (``subprocess`` style: negative for
a signal) on another. It leaves when its standard input closes (the test worker is gone).
"""

from __future__ import annotations

import json
import os
import sys

# What a Python process reads from its environment when it starts: a run whose values differ
# from the server's is not forked but started cold.
STARTUP_PREFIXES = ("PYTHON", "LC_")
STARTUP_NAMES = ("LANG", "LANGUAGE")


def startup_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(STARTUP_PREFIXES) or k in STARTUP_NAMES}


def _child(request: dict) -> None:
    """Become ``python -m snakemake ARGS`` in the request's folder and environment; never returns
    (the run's SystemExit, or its traceback, ends the process as it would a cold one)."""
    import runpy
    import tempfile

    out = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # TMPDIR is read again when first needed
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    sys.argv = ["-m", *request["args"]]
    runpy.run_module("snakemake", run_name="__main__", alter_sys=True)
    raise SystemExit(0)


def serve() -> None:
    import snakemake.cli  # noqa: F401  (the cost each run would otherwise pay)

    requests = sys.stdin.buffer
    answers = sys.stdout.buffer
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        answers.write(f"{pid}\n".encode())
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(f"{os.waitstatus_to_exitcode(status)}\n".encode())
        answers.flush()


if __name__ == "__main__":
    serve()
