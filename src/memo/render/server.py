"""A warm render server for local Snakemake runs: one process imports WeasyPrint and loads the
inputs once, and every ``memo render <id>`` job (``memo.render.client``) hands it its memo instead
of paying that start-up again.

Why: a render job started as a new Python process spends about 0.6 s importing WeasyPrint and
0.1 s loading inputs before it renders anything; with one job per memo that start-up costs more
than the rendering. Per-memo jobs stay (a data edit reruns only the memos that show it); only the
process that does the work changes. docs/performance.md has the measurements.

How: the Snakefile's ``onstart`` (``memo.workflow.runhooks``) launches ``python -m
memo.render.server serve``. The server binds a Unix socket under ``.snakemake/`` (mode 0600, peer
uid checked) at once, then imports the renderer and, when the figures of a previous ``memo
derive`` exist, prepares the inputs and renders one pending memo per language into a scratch
folder (fonts, catalogue, compiled templates), while the derive job runs. Before each request it
checks that the inputs it prepared are still those on disk (sizes and times of data/, config/,
templates/, assets/ and build/derived/; ``memo.render.watch``), preparing them again when not,
then forks a child, which becomes the job (its stdin, stdout, stderr, folder and environment),
runs ``memo.render.job.cli_render`` with the prepared inputs and sends back the exit status; the
child then waits a moment for another request (``memo.render.child``), and while one waits the
server leaves the next request to it.

The server exits when told (``onsuccess``/``onerror``), on SIGTERM/SIGINT, when Snakemake (its
parent) is gone, when the memo package changed since it started, and after ``IDLE_TIMEOUT``
seconds without a request. A child whose client went away (the job was killed) kills itself;
files it had not renamed into place never appear.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from memo.render import child
from memo.render.client import BINDING, IDLE_TIMEOUT, TICK, client_main
from memo.render.watch import code_signature, inputs_key

# Renders pending from which fresh inputs are warmed before the first child (_warm_light): it
# costs about two seconds before any child starts and saves about a quarter of each child's CPU.
LIGHT_WARM_MIN = 8
# A one-line page, rendered to warm WeasyPrint (its fonts and styles) before any child needs it.
WARM_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>w</title></head><body><p>w</p></body></html>'
)


def _peer(conn) -> tuple[int, int, int]:
    """Process id, user id and group id of the client at the other end."""
    import socket
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)


# The server's log once it serves (a copy of its stderr then): children write to it too, whose
# stderr is their job's while they serve it.
_log_file = None


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=_log_file or sys.stderr, flush=True)


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
        self._wake = -1  # write end of the pipe a stop signal wakes the serving loop with
        self.cpu = 0.0  # CPU seconds of the children reaped so far
        import socket

        # Renamed once it listens: it appears (runhooks.start waits for it) when renders can connect.
        bound = path + BINDING
        old = os.umask(0o077)
        try:
            if os.path.exists(bound):
                os.unlink(bound)
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(bound)
            self.listener.listen(256)
        finally:
            os.umask(old)
        self.inode = os.stat(bound).st_ino
        os.replace(bound, path)
        self.code = code_signature()
        self._prepared: tuple | None = None  # (inputs key, memo.render.job.Prepared)
        self._warming = False  # warm_up() renders in full; prepared() alone warms lightly
        # Closed by the server when it stops (or dies): its children waiting for a request leave.
        self._stop_r, self._stop_w = os.pipe()
        # Children say here when they wait for a request (the server then takes none, so that
        # the waiting child gets it), take one, or stop waiting: (pid, IDLE/AGAIN/LEFT) records.
        self._status_r, self._status_w = os.pipe()
        os.set_blocking(self._status_r, False)
        self.idle: set[int] = set()  # children waiting for a request
        self.again = 0  # requests children took themselves

    def warm_up(self) -> None:
        """Import the renderer, load the fonts and, when ``memo derive`` has written the figures
        (a rebuild), prepare the inputs and render one pending memo per language."""
        import gc
        import tempfile

        start = time.monotonic()
        self._warming = True
        try:
            from memo.render import job

            self.prepared()
            if self._prepared is None:
                # A first build: derive has not written the figures yet. Warm, on the core derive
                # leaves free, what does not need them: WeasyPrint's import (half a second or
                # more, with its libraries: memo.render.weasy) and its fonts, with a one-line PDF.
                # Else the first request would wait for all of it.
                from memo.render.pdf import PdfRenderer

                with tempfile.TemporaryDirectory(prefix="memo-warm-") as scratch:
                    PdfRenderer(Path(self.root)).render(WARM_PAGE, Path(scratch) / "warm.pdf")
            else:
                edition = self._prepared[1].edition
                with tempfile.TemporaryDirectory(prefix="memo-warm-") as scratch:
                    job.render_memos(
                        Path(self.root),
                        self._first_per_language(edition),
                        Path(scratch),
                        True,
                        self._prepared[1],
                    )
                # Then compile every template the edition uses (only now: the renders above
                # installed the translations, and Jinja compiles {% trans %} for that style).
                for template in sorted({m.template for m in edition.memos}):
                    self._prepared[1].env.get_template(template)
        except Exception as e:  # bad data, a broken template: the jobs will report it themselves
            _log(f"warm-up incomplete: {type(e).__name__}: {e}")
        finally:
            self._warming = False
        import memo.cli  # noqa: F401  (the children parse their arguments with it)

        # Children share the warm objects copy-on-write; keep the collector from touching (and so
        # copying) them in every child.
        gc.collect()
        gc.freeze()
        _log(f"ready in {time.monotonic() - start:.1f} s (epoch {time.time():.3f})")

    def prepared(self, warm: bool = True):
        """The prepared inputs (``memo.render.job.Prepared``) for the files as they are now;
        loaded again when any input changed (a derive ran since), None when they cannot load;
        then, with ``warm``, warmed lightly when enough renders are pending."""

        from memo.render import i18n, job

        key = inputs_key(self.root)
        if self._prepared is not None and self._prepared[0] == key:
            return self._prepared[1]
        # Something changed: forget it all, including the translation catalogues read for it.
        i18n.translations.cache_clear()
        self._prepared = None
        try:
            self._prepared = (key, job.prepare(Path(self.root), pdf=True))
        except Exception as e:  # the job reports it when it renders in its child
            _log(f"inputs not prepared: {type(e).__name__}: {e}")
            return None
        if (
            warm
            and not self._warming
            and len(self.pending or self._prepared[1].edition.output_ids()) >= (LIGHT_WARM_MIN)
        ):
            self._warm_light()
        return self._prepared[1]

    def _first_per_language(self, edition) -> list[str]:
        """One memo per language, the first pending one (a rebuild's) when there is one."""
        ids = set(edition.output_ids())
        first: dict[str, str] = {}
        for oid in [oid for oid in self.pending if oid in ids] or edition.output_ids():
            first.setdefault(edition.memo(oid)[1], oid)
        return list(first.values())

    def _warm_light(self) -> None:
        """Before the first child of freshly prepared inputs (a first build: the warm-up ran
        before derive wrote the figures), warm what every child would otherwise do cold, for a
        fraction of a render: the HTML of one pending memo per language (templates compiled,
        catalogues read, fonts cut), every template compiled, and a one-line PDF (WeasyPrint's
        fonts and styles). Measured on the stress edition: a child's render takes a quarter
        less CPU, for about 0.15 s here."""
        import gc
        import tempfile

        from memo.render import job

        start = time.monotonic()
        prepared = self._prepared[1]
        try:
            edition = prepared.edition
            for oid in self._first_per_language(edition):
                job.render_one(Path(self.root), prepared, oid)
            for template in sorted({m.template for m in edition.memos}):
                prepared.env.get_template(template)
            if prepared.renderer is not None:
                with tempfile.TemporaryDirectory(prefix="memo-warm-") as scratch:
                    prepared.renderer.render(WARM_PAGE, Path(scratch) / "warm.pdf")
        except Exception as e:  # bad data, a broken template: the jobs will report it themselves
            _log(f"light warm-up incomplete: {type(e).__name__}: {e}")
        gc.collect()
        gc.freeze()
        _log(f"warmed for the prepared inputs in {time.monotonic() - start:.2f} s")

    def serve(self) -> None:
        import select
        import signal

        # Told to stop, the loop wakes at once (Python retries a select a signal interrupts, with
        # its timeout): Snakemake waits for this exit at the end of every run.
        wake_r, self._wake = os.pipe()
        os.set_blocking(self._wake, False)

        def on_signal(signum, frame):
            self.stopping = True
            with contextlib.suppress(OSError):
                os.write(self._wake, b"\0")

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        global _log_file
        _log_file = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
        # The children accept requests too: whoever takes one first, the others go on waiting.
        self.listener.setblocking(False)
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
                # A child waiting for a request takes the next one; the server only when none is.
                watched = [wake_r, self._status_r] + ([] if self.idle else [self.listener])
                try:
                    wait = 0.05 if self.children else TICK  # reap finished renders promptly
                    ready, _, _ = select.select(watched, [], [], wait)
                except InterruptedError:
                    continue
                self._read_status()
                if self.listener not in ready or self.idle:
                    continue
                conn, peer_pid = self._accept()
                if conn is None:
                    continue
                last = time.monotonic()
                if not self._current():
                    # The memo package changed since this server imported it: refuse (the client
                    # renders in-process with the new code) and stop serving.
                    conn.close()
                    _log("the memo package changed: stopping")
                    break
                # Load changed inputs here, once, so that every child shares them.
                self.prepared()
                child = self._fork(conn)
                served += 1
                _log(f"request from pid {peer_pid}: child {child}")
        finally:
            self.close()
            self._reap()
            while self.children and os.getppid() == self.parent:  # let running renders finish
                time.sleep(0.01)  # one waiting for a request leaves at once; Snakemake waits
                self._reap()
            _log(
                f"served {served + self.again} requests ({self.again} by a child that had "
                f"served one), {self.cpu:.1f} s CPU"
            )

    def _accept(self):
        """A connection from this user and its client's process id; (None, 0) when none waits
        (a child took it first) or another user's client called."""
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return None, 0
        peer_pid, peer_uid, _gid = _peer(conn)
        if peer_uid != os.getuid():
            conn.close()
            return None, 0
        return conn, peer_pid

    def _next_request(self):
        """In a child: the next request's connection (None: no more), the server told of it."""
        conn = child.next_request(self.listener, self._stop_r, self._accept, self._current, _log)
        child.tell(self._status_w, child.AGAIN if conn is not None else child.LEFT)
        return conn

    def _current(self) -> bool:
        """Whether the memo package is still the code this server imported."""
        return code_signature() == self.code

    def _read_status(self) -> None:
        for pid, what in child.read_told(self._status_r):
            if what == child.IDLE:
                self.idle.add(pid)
            else:
                self.idle.discard(pid)
                self.again += what == child.AGAIN

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

            if self._wake >= 0:
                os.close(self._wake)
            os.close(self._stop_w)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            status = child.serve_requests(
                conn,
                lambda: self.prepared(warm=False),  # a child renders at once: no warm-up
                self._next_request,
                child.CHILD_REQUESTS,
                lambda: child.tell(self._status_w, child.IDLE),
            )
        finally:
            with contextlib.suppress(Exception):  # the font folders this child made, if any
                from memo.render.pdf import remove_folders_made_here

                remove_folders_made_here()
            os._exit(status)  # no finalizer runs: they would clean up state the parent still uses

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
        # After the exits seen: what a child said, it said before it exited.
        self._read_status()
        self.idle &= self.children

    def close(self) -> None:
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        self.listener.close()
        if self._stop_w >= 0:  # the children waiting for a request leave
            for fd in (self._stop_w, self._stop_r, self._status_w):
                os.close(fd)
            self._stop_w = -1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["serve"]:
        return client_main(argv)
    import argparse

    p = argparse.ArgumentParser(
        prog="python -m memo.render.server serve", description=__doc__.split("\n")[0]
    )
    p.add_argument("--socket", required=True, help="Unix socket path to listen on")
    p.add_argument("--parent", type=int, required=True, help="exit when this process is gone")
    p.add_argument("--root", default=".", help="project folder to warm up for")
    p.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT)
    p.add_argument("--pending", default="", help="memo ids to be rendered, comma-separated")
    args = p.parse_args(argv[1:])
    if os.getppid() != args.parent:
        return 0
    pending = [oid for oid in args.pending.split(",") if oid]
    Server(args.socket, args.parent, args.root, args.idle_timeout, pending).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
