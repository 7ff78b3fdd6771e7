"""A warm Python for the end-to-end tests: ``python -m snakemake`` without its imports.

Starting Snakemake 9 costs about 1.2 s of CPU before it reads the Snakefile (its own modules,
pandas, SQLAlchemy), and the end-to-end tests start it about fifty times (and the memo command
line, which shares numpy and other modules with it, about twenty). This module, run as a script, is a process per
test worker that imports ``snakemake.cli`` once and then, for each run asked of it, forks a
child that is ``python -m snakemake ARGS`` (or ``python -m memo.cli ARGS``) from there on: its
own working folder, environment, arguments, ``sys.path[0]``, standard input from ``/dev/null``,
a normal interpreter exit (atexit handlers, threads joined). Only Snakemake's imports have run
in the server, so each child starts as a fresh process would, less those, with two differences
the tests do not meet: what the imports read from the server's environment (the tests' runs
change PATH, TMPDIR and memo's and SLURM's variables, all read later, when the run uses them),
and one hash seed for all the warm runs of a worker where cold runs would each draw their own.

The server then does what ``subprocess.run(..., stdout=PIPE, stderr=STDOUT, timeout=T)`` does
(``stderr=PIPE`` for the memo command line): it reads the run's output from each pipe until
every process holding it has let go, waits for the run to end, and at the timeout kills it (SIGKILL,
the run's process alone) and stops reading. A run also dies with the server, as a child of
``subprocess.run`` does with its caller.

``helpers.run_snakemake`` and ``helpers.run_memo`` send their runs here (:func:`run`, the client
side, at the end of this module) unless the environment asked for changes what a Python process
reads when it starts (``PYTHON*``, the locale, ``HOME``), or another thread of the worker has a
run here already: those start cold, as do the runs the tests start themselves rather than
through those helpers (the kills, the install, the benchmark, the new memo's and new topic's
builds, the preview, the render server's and the Korean font's tests).

Protocol, one JSON object per line on standard input: ``{"cwd", "module", "args", "env",
"outputs", "timeout"}``; the server writes the run's standard output and error to the file
``outputs[0]``, or its standard error to ``outputs[1]`` when there is one, and answers one line,
``{"code", "timed_out"}`` (``code`` as ``subprocess`` gives it: negative for a signal). Its own
standard output is kept for the answers (anything printed goes to standard error). It leaves
when its standard input closes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# What a Python process reads from its environment when it starts: a run whose values differ
# from the server's is not forked but started cold.
STARTUP_PREFIXES = ("PYTHON", "LC_")
STARTUP_NAMES = ("LANG", "LANGUAGE", "HOME")  # HOME: the user site-packages


def startup_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(STARTUP_PREFIXES) or k in STARTUP_NAMES}


def _die_with_parent() -> None:
    """SIGKILL this run if the server goes (a test worker stopped mid-run: subprocess.run kills
    its child then too). Linux's prctl(PR_SET_PDEATHSIG); elsewhere the run is left to end."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(request: dict, outputs: list[int], answers: int) -> None:
    """Become ``python -m MODULE ARGS`` in the request's folder and environment, its standard
    output and error on ``outputs`` (one pipe for both, or one each); never returns (the run's
    SystemExit, or its exception, ends the process with the code a cold one would have; a
    traceback shows this module's frames too)."""
    import runpy

    os.close(answers)
    _die_with_parent()
    os.dup2(outputs[0], 1)
    os.dup2(outputs[-1], 2)
    for fd in outputs:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # TMPDIR is read again when first needed
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    sys.argv = ["-m", *request["args"]]
    runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    raise SystemExit(0)


def _run(request: dict, answers: int) -> dict:
    """Fork the run, copy its output to the files asked for, wait for it; kill it at the timeout,
    or when anything here fails (the server then leaves, and the client starts a new one)."""
    with contextlib.ExitStack() as files:
        outs = [files.enter_context(open(path, "wb")) for path in request["outputs"]]
        pipes = [os.pipe() for _ in outs]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            for (read_end, _), out in zip(pipes, outs, strict=True):
                os.close(read_end)
                out.close()
            _child(request, [write_end for _, write_end in pipes], answers)
        for _, write_end in pipes:
            os.close(write_end)
        reads = {read_end: out for (read_end, _), out in zip(pipes, outs, strict=True)}
        try:
            return _follow(pid, dict(reads), time.monotonic() + request["timeout"])
        except BaseException:
            _kill(pid)
            raise
        finally:
            for read_end in reads:
                os.close(read_end)


def _follow(pid: int, reads: dict, deadline: float) -> dict:
    """What subprocess.run does with its child: read the output to its end, then wait."""
    timed_out = False
    while reads:
        left = deadline - time.monotonic()
        ready = select.select(list(reads), [], [], left)[0] if left > 0 else []
        if not ready:
            timed_out = True
            break
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if data:
                reads[fd].write(data)
            else:
                del reads[fd]
    while not timed_out:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            timed_out = True
        else:
            time.sleep(0.01)
    if timed_out:
        status = _kill(pid)
    return {"code": os.waitstatus_to_exitcode(status), "timed_out": timed_out}


def _kill(pid: int) -> int:
    """SIGKILL the run (the run's process alone, as subprocess.run does) and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return os.waitpid(pid, 0)[1]


def serve() -> None:
    answers = os.dup(1)
    os.dup2(2, 1)  # a print of an import goes to the log, not into the answers
    import snakemake.cli  # noqa: F401  (the cost each run would otherwise pay)

    for line in sys.stdin.buffer:
        answer = _run(json.loads(line), answers)
        os.write(answers, json.dumps(answer).encode() + b"\n")


# ---- the client: the test worker's side ----------------------------------------------------------


class _Client:
    """This worker's server process (its log and the runs' output in a temporary folder), and a
    run through it that behaves as ``subprocess.run``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="memo-forkserver-"))
        self.startup = startup_env(env)
        with open(self.folder / "server.log", "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                bufsize=0,
            )
        self.lock = threading.Lock()

    def run(self, argv: list[str], cwd: Path, env: dict[str, str], timeout: float, merged: bool):
        """The finished run, as ``subprocess.run`` returns it or raises ``TimeoutExpired``; None
        when another thread has a run here (the caller starts its run cold)."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            if self.proc.stdin.closed:  # closed after an error: the caller runs cold
                return None
            outputs = [self.folder / "out.log"] + ([] if merged else [self.folder / "err.log"])
            request = {
                "cwd": str(cwd),
                "module": argv[2],
                "args": argv[3:],
                "env": env,
                "outputs": [str(path) for path in outputs],
                "timeout": timeout,
            }
            data = memoryview(json.dumps(request).encode() + b"\n")
            while data:  # an unbuffered pipe may take part of it
                data = data[self.proc.stdin.write(data) :]
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the fork server left: see {self.folder / 'server.log'}")
            answer = json.loads(line)
            raw = [path.read_bytes() for path in outputs]
        except BaseException:
            self.close(kill=True)  # its run with it; the next run starts a new server
            _forget(self)
            raise
        finally:
            self.lock.release()
        out, err = raw[0], (None if merged else raw[1])
        if answer["timed_out"]:  # the output as far as it came, as subprocess.run gives it
            raise subprocess.TimeoutExpired(argv, timeout, output=out, stderr=err)
        return subprocess.CompletedProcess(
            argv, answer["code"], stdout=_text(out), stderr=None if err is None else _text(err)
        )

    def close(self, kill: bool = False) -> None:
        """Stop the server: at once with ``kill`` (a run in progress dies with it), else once
        it has read the end of its requests."""
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        if kill:
            self.proc.kill()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _text(raw: bytes) -> str:
    """Output decoded as subprocess.run(text=True) decodes it (the locale's encoding, newlines
    translated)."""
    return io.TextIOWrapper(io.BytesIO(raw)).read()


_server: _Client | None = None
_server_lock = threading.Lock()  # two threads' first runs (test_slurm's) start one server


def server(env: dict[str, str]) -> _Client:
    """This worker's server, started with ``env`` if it is not running."""
    global _server
    with _server_lock:
        if _server is None:
            _server = _Client(env)
        return _server


def run(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    server_env: dict[str, str],
    merged: bool = True,
) -> subprocess.CompletedProcess:
    """``argv`` (``python -m MODULE ARGS``) run as ``subprocess.run`` runs it with standard input
    from /dev/null and its standard output and error captured as text, together when ``merged``:
    forked from the server, or cold when ``env`` differs from the server's in what Python reads
    at start or another thread has a run there."""
    if argv[1] != "-m":
        raise ValueError(f"not a python -m command: {argv}")
    warm = server(server_env)
    if startup_env(env) == warm.startup:
        done = warm.run(argv, Path(cwd).resolve(), env, timeout, merged)
        if done is not None:
            return done
    return subprocess.run(
        argv,
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # as a warm run's
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merged else subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=env,
    )


def _forget(server: _Client) -> None:
    global _server
    with _server_lock:
        if _server is server:
            _server = None


def close() -> None:
    """Stop this worker's server, if it started one (tests/conftest.py, at the session's end)."""
    global _server
    with _server_lock:
        server, _server = _server, None
    if server is not None:
        server.close()


if __name__ == "__main__":
    serve()
