"""A warm render server for local Snakemake runs: one process imports WeasyPrint once, and every
``memo render <id>`` job hands it its memo instead of paying that start-up again.

Why: a render job started as a new Python process spends about 0.6 s importing WeasyPrint and
0.1–0.6 s loading and checking the data before it renders anything; with one job per memo that
start-up costs more than the rendering. Per-memo jobs stay (a data edit reruns only the memos that
show it); only the process that does the work changes. docs/performance.md has the measurements.

How:

- ``start(workflow)`` (the Snakefile's ``onstart``, through memo.runhooks) launches
  ``python -m memo.render_server serve`` when Snakemake executes locally and has at least
  ``MIN_RENDER_JOBS`` memos to render, and exports ``MEMO_RENDER_SOCKET`` so that the jobs it spawns
  find it. The server binds a Unix socket under ``.snakemake/`` (mode 0600, peer uid checked) at
  once, then imports the renderer, prepares the inputs (``memo.render.prepare``), renders one
  pending memo per language into a scratch folder (fonts, catalogue) and compiles the edition's
  templates; then it freezes the garbage collector's view of all that, shared by every child.
- A render job starts ``python -S -I`` importing only this module (``command()``: no site-packages,
  no console-script wrapper, about 10 ms) or goes through ``memo render`` (``cli_render``).
  Either client connects to the socket, passes its stdin, stdout and stderr (SCM_RIGHTS), its
  arguments, folder and environment, and waits. The server forks a child per request, so jobs
  render in parallel as Snakemake schedules them. The child runs ``memo.render.cli_render`` — the
  code path of an in-process render, writing each file atomically — on the job's own stderr, and
  sends back the exit status, which the client exits with. An uncaught exception prints its
  traceback to the job's stderr and exits 1, as Python would.
- When no server answers (cluster nodes, an executor other than the local one, the server died,
  or the memo package changed since it started) the client renders in-process: the script client
  execs ``python -m memo.cli render ...``, ``memo render`` calls ``memo.render.cli_render``.
- The server exits on ``stop()`` (``onsuccess``/``onerror``), on SIGTERM/SIGINT, when Snakemake (its
  parent) is gone, and after ``IDLE_TIMEOUT`` seconds without a request. A child whose client went
  away (the job was killed) kills itself; files it had not renamed into place never appear.

Inputs that change while the server runs are picked up: the prepared inputs are reused only while
every file under data/, config/, templates/ and assets/ has the size and time it had when they
were loaded (``warm_prepared``).

``MEMO_RENDER_SERVER=0`` turns the server off, ``MEMO_RENDER_SERVER=1`` starts it even for a few
memos; unset, it starts for ``MIN_RENDER_JOBS`` or more.
"""

# Only the standard library at the top: this file is also the job's client, run without site.
from __future__ import annotations

import os
import sys
import time

ENV_SOCKET = "MEMO_RENDER_SOCKET"
ENV_SWITCH = "MEMO_RENDER_SERVER"
IDLE_TIMEOUT = 900.0  # seconds without a request before the server exits on its own
ACK_TIMEOUT = 120.0  # a client waits this long to be taken on (the server may be warming up)
TICK = 0.5  # how often the server checks its parent and the clock
# Fewer render jobs than this: no server. Its warm-up (imports, inputs, one memo per language) costs
# about what four in-process starts do, and a one-memo rebuild would wait for it.
MIN_RENDER_JOBS = 6
RENDER_RULE = "render"
MAX_REQUEST = 1 << 22
MAGIC = b"memo-render 1"
INPUT_DIRS = ("data", "config", "templates", "assets")

PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _enabled() -> bool:
    """MEMO_RENDER_SERVER: 0 off, 1 on whatever the number of jobs, unset or other: automatic."""
    return os.environ.get(ENV_SWITCH, "") != "0"


# ---------------------------------------------------------------------------------------------
# Clients. The light one runs without site-packages and imports nothing beyond os, sys, time and
# the C socket module: a job pays about 10 ms of CPU for it.


def command() -> str:
    """Shell words that start the light client: this Python without site, importing this module.

    Used by the render rule instead of ``memo``: a job then starts a bare interpreter (no site,
    no console-script wrapper, no package imports; this module's compiled bytecode) to hand its
    memo to the server. The words after it are ``memo`` arguments (``render <id> --out DIR``).
    """
    import shlex

    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(PACKAGE)!r}); "
        "from memo.render_server import main; sys.exit(main())"
    )
    return f"{shlex.quote(sys.executable)} -S -I -c {shlex.quote(code)}"


def client_main(argv: list[str]) -> int:
    """The light client: ``render_server.py render <ids> [--out DIR]`` — ``memo`` arguments.

    Renders through the server when one is announced, else becomes ``python -m memo.cli``.
    """
    path = os.environ.get(ENV_SOCKET)
    if path and _enabled():
        code = render_remote(path, b"argv", [os.fsencode(a) for a in argv])
        if code is not None:
            return code
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "memo.cli", *argv])
    return 1  # not reached


def cli_render(args) -> int:
    """``memo render``: through the warm server when one is announced, in this process otherwise."""
    path = os.environ.get(ENV_SOCKET)
    if path and _enabled():
        import json

        code = render_remote(path, b"json", [json.dumps(vars(args), default=str).encode()])
        if code is not None:
            return code
    from memo.render import cli_render as render_here

    return render_here(args)


def encode_request(kind: bytes, items: list[bytes]) -> bytes:
    """Length, then NUL-separated: magic, kind, folder, item count, items, environment (k=v)."""
    env = [k + b"=" + v for k, v in os.environb.items()]
    fields = [MAGIC, kind, os.fsencode(os.getcwd()), b"%d" % len(items), *items, *env]
    body = b"\0".join(fields)
    return len(body).to_bytes(4, "big") + body


def decode_request(body: bytes) -> tuple[str, list[bytes], str, dict[bytes, bytes]]:
    """(kind, items, folder, environment) of a request body."""
    fields = body.split(b"\0")
    if len(fields) < 4 or fields[0] != MAGIC:
        raise ValueError("not a memo render request")
    n = int(fields[3])
    items, env = fields[4 : 4 + n], fields[4 + n :]
    return (
        fields[1].decode(),
        items,
        os.fsdecode(fields[2]),
        dict(e.split(b"=", 1) for e in env if e),
    )


def render_remote(path: str, kind: bytes, items: list[bytes]) -> int | None:
    """Have the server at ``path`` render; its exit status, or None when no server took the job."""
    import _socket

    data = encode_request(kind, items)
    fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))  # struct cmsg: C ints
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(ACK_TIMEOUT)
        sock.connect(path)
        sent = sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        if sent < len(data):
            sock.sendall(data[sent:])
        if sock.recv(1) != b"A":  # refused (stale server) or gone before taking the job
            return None
        sock.settimeout(None)
        chunks = []
        while chunk := sock.recv(64):
            chunks.append(chunk)
        reply = b"".join(chunks)
    except OSError:
        return None
    finally:
        sock.close()
    if reply[:1] == b"R":
        try:
            return int(reply[1:])
        except ValueError:
            pass
    # Taken, then lost without an exit status: the child died. Render here instead (outputs are
    # written atomically, so whatever it left is replaced whole).
    print("note: the render server lost this memo; rendering it in this process", file=sys.stderr)
    return None


# ---------------------------------------------------------------------------------------------
# Starting and stopping from the Snakefile (runs inside the Snakemake process).

_server = None  # the subprocess.Popen of the running server, in the Snakemake process


def socket_path(workdir) -> str:
    """The server's socket: under .snakemake/, or under the temp folder when that path is too long."""
    path = os.path.join(os.path.abspath(workdir), ".snakemake", f"memo-render-{os.getpid()}.sock")
    if len(path.encode()) > 100:  # AF_UNIX paths are limited to 108 bytes
        import tempfile

        path = os.path.join(tempfile.gettempdir(), f"memo-render-{os.getuid()}-{os.getpid()}.sock")
    return path


def pending_renders(workflow) -> list[str] | None:
    """Memo ids of the render jobs this run will execute (None if Snakemake does not say)."""
    try:
        return [
            job.wildcards.memo
            for job in workflow.dag.needrun_jobs()
            if job.rule.name == RENDER_RULE
        ]
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
                "memo.render_server",
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
    os.environ.pop(ENV_SOCKET, None)
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


# ---------------------------------------------------------------------------------------------
# Prepared inputs kept warm in the server (and inherited by each child it forks).

_warm: tuple | None = None  # (inputs key, memo.render.prepare result); set in the server only


def _inputs_key(root, pdf: bool) -> tuple:
    """Size, time and inode of every file rendering may read, and where."""
    from pathlib import Path

    root = Path(root).resolve()
    files = []
    for d in INPUT_DIRS:
        for p in sorted((root / d).rglob("*")):
            try:
                st = p.stat()
            except OSError:
                continue
            if not p.is_dir():
                files.append((str(p), st.st_size, st.st_mtime_ns, st.st_ino))
    return (str(root), pdf, tuple(files))


def keep_warm(root) -> None:
    """Prepare the inputs of ``root`` (``memo.render.prepare``) and keep them for later renders."""
    global _warm
    from pathlib import Path

    from memo import render

    key = _inputs_key(root, True)  # taken first: a file changed while loading makes it miss later
    _warm = None
    _warm = (key, render.prepare(Path(root), pdf=True))


def warm_prepared(root, pdf: bool) -> tuple | None:
    """The kept inputs if they are still those of ``root`` as it is now, else None (load afresh)."""
    if _warm is None:
        return None
    key, value = _warm
    if key == _inputs_key(root, pdf):
        return value
    # Something changed: forget it all, including the translation catalogues read for it.
    from memo import i18n

    i18n.translations.cache_clear()
    return None


# ---------------------------------------------------------------------------------------------
# The server process.


def _code_signature() -> tuple:
    """Sizes and times of the memo package's modules: a change means this server's code is stale."""
    out = []
    for folder, _dirs, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                out.append((folder, name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


def _peer(conn) -> tuple[int, int, int]:
    """Process id, user id and group id of the client at the other end."""
    import socket
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


class Server:
    def __init__(
        self,
        path: str,
        parent: int,
        root: str,
        idle_timeout: float = IDLE_TIMEOUT,
        pending: list[str] | None = None,
    ) -> None:
        self.path = path
        self.pending = pending or []
        self.parent = parent
        self.root = root
        self.idle_timeout = idle_timeout
        self.children: set[int] = set()
        self.stopping = False
        self.cpu = 0.0  # CPU seconds of the children reaped so far
        import socket

        old = os.umask(0o077)
        try:
            if os.path.exists(path):
                os.unlink(path)
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path)
            self.listener.listen(256)
        finally:
            os.umask(old)
        self.inode = os.stat(path).st_ino
        self.code = _code_signature()

    def warm_up(self) -> None:
        """Import the renderer, prepare the inputs, compile the templates, load the fonts."""
        import gc
        import tempfile
        from pathlib import Path

        start = time.monotonic()
        try:
            from memo import render

            keep_warm(self.root)
            _key, (_dataset, edition, env, _renderer) = _warm
            # One memo per language to be rendered (of the pending ones when known): it loads that
            # language's fonts, catalogue and line breaking, which each child would load again.
            ids = set(edition.output_ids())
            pending = [oid for oid in self.pending if oid in ids] or edition.output_ids()
            first: dict[str, str] = {}
            for oid in pending:
                first.setdefault(edition.memo(oid)[1], oid)
            with tempfile.TemporaryDirectory(prefix="memo-warm-") as scratch:
                render.render_memos(Path(self.root), list(first.values()), Path(scratch), pdf=True)
            # Then compile every template the edition uses (only now: the renders above installed
            # the translations, and Jinja compiles {% trans %} for the gettext style installed).
            for template in sorted({m.template for m in edition.memos}):
                env.get_template(template)
        except Exception as e:  # bad data, a broken template: the jobs will report it themselves
            _log(f"warm-up incomplete: {type(e).__name__}: {e}")
        import memo.cli  # noqa: F401  (the children parse their arguments with it)

        # Children share the warm objects copy-on-write; keep the collector from touching (and so
        # copying) them in every child.
        gc.collect()
        gc.freeze()
        _log(f"ready in {time.monotonic() - start:.1f} s (epoch {time.time():.3f})")

    def serve(self) -> None:
        import select
        import signal

        def on_signal(signum, frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.warm_up()
        last = time.monotonic()
        served = 0
        try:
            while not self.stopping:
                self._reap()
                if os.getppid() != self.parent:
                    _log("Snakemake is gone: stopping")
                    break
                if not self.children and time.monotonic() - last > self.idle_timeout:
                    _log("idle: stopping")
                    break
                try:
                    wait = 0.05 if self.children else TICK  # reap finished renders promptly
                    ready, _, _ = select.select([self.listener], [], [], wait)
                except InterruptedError:
                    continue
                if not ready:
                    continue
                try:
                    conn, _ = self.listener.accept()
                except OSError:
                    continue
                last = time.monotonic()
                peer_pid, peer_uid, _gid = _peer(conn)
                if peer_uid != os.getuid():
                    conn.close()
                    continue
                if _code_signature() != self.code:
                    # The memo package changed since this server imported it: refuse (the client
                    # renders in-process with the new code) and stop serving.
                    conn.close()
                    _log("the memo package changed: stopping")
                    break
                child = self._fork(conn)
                served += 1
                _log(f"request from pid {peer_pid}: child {child}")
        finally:
            self.close()
            while self.children and os.getppid() == self.parent:  # let running renders finish
                self._reap()
                time.sleep(0.05)
            _log(f"served {served} renders, {self.cpu:.1f} s CPU")

    def _fork(self, conn) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            self.children.add(pid)
            conn.close()
            return pid
        status = 1
        try:
            import signal

            self.listener.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            status = _child(conn)
        finally:
            os._exit(
                status
            )  # never run finalizers: they would clean up state the parent still uses

    def _reap(self) -> None:
        for pid in list(self.children):
            try:
                done, _status, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                done, usage = pid, None
            if done:
                self.children.discard(pid)
                if usage is not None:
                    cpu = usage.ru_utime + usage.ru_stime
                    self.cpu += cpu
                    _log(
                        f"child {pid} done: status {_status >> 8}, {cpu:.2f} s CPU, "
                        f"{usage.ru_minflt} page faults"
                    )

    def close(self) -> None:
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.listener.close()


def _child(conn) -> int:
    """Serve one request in a forked child; return this child's own exit status."""
    import socket

    conn.settimeout(30)
    head, fds, _flags, _addr = socket.recv_fds(conn, 4 + 65536, 3)
    if len(head) < 4 or len(fds) != 3:
        return 1
    size = int.from_bytes(head[:4], "big")
    if size > MAX_REQUEST:
        return 1
    body = head[4:]
    while len(body) < size:
        chunk = conn.recv(min(65536, size - len(body)))
        if not chunk:
            return 1
        body += chunk
    kind, items, cwd, env = decode_request(body)
    conn.settimeout(None)

    # Become the job: its stdin, stdout and stderr, its folder, its environment.
    sys.stdout.flush()
    sys.stderr.flush()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    for key, value in env.items():
        os.environb[key] = value
    conn.sendall(b"A")
    done = _watch_client(conn)

    status = run_render(kind, items)

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):  # let go of the job's pipes before it learns the result
        os.dup2(devnull, target)
    done.set()
    conn.sendall(b"R%d" % status)
    conn.close()
    return 0


def run_render(kind: str, items: list[bytes]) -> int:
    """``memo.render.cli_render`` on the request's arguments (``memo`` command-line words, or the
    parsed arguments as JSON), with the exit status a ``memo render`` process would have."""
    import argparse
    import json
    import traceback

    try:
        if kind == "argv":
            from memo.cli import build_parser

            args = build_parser().parse_args([os.fsdecode(a) for a in items])
            if args.command != "render":
                print(
                    f"error: the render server only renders, not {args.command!r}", file=sys.stderr
                )
                return 2
        else:
            args = argparse.Namespace(**json.loads(items[0]))
        from memo.render import cli_render as render_here

        return int(render_here(args) or 0)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1


def _watch_client(conn):
    """Kill this child if its client goes away before the result is sent (its job was killed).

    Returns the event to set once the result is on its way.
    """
    import signal
    import threading

    done = threading.Event()

    def watch() -> None:
        try:
            conn.recv(1)
        except OSError:
            pass
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()
    return done


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["serve"]:
        return client_main(argv)
    import argparse

    p = argparse.ArgumentParser(
        prog="python -m memo.render_server serve", description=__doc__.split("\n")[0]
    )
    p.add_argument("--socket", required=True, help="Unix socket path to listen on")
    p.add_argument("--parent", type=int, required=True, help="exit when this process is gone")
    p.add_argument("--root", default=".", help="project folder to warm up for")
    p.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT)
    p.add_argument("--pending", default="", help="memo ids to be rendered, comma-separated")
    args = p.parse_args(argv[1:])
    if os.getppid() != args.parent:
        return 0
    # Run as `python -m memo.render_server`, this file is the module __main__; memo.render asks
    # memo.render_server for the warm inputs, so serve from that module, not from this copy.
    from memo import render_server

    pending = [oid for oid in args.pending.split(",") if oid]
    render_server.Server(args.socket, args.parent, args.root, args.idle_timeout, pending).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
