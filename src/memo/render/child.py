"""Render requests, served in a child the render server (``memo.render.server``) forked: for each,
the child reads the request (``memo.render.client`` wrote it), becomes the job (its stdin, stdout,
stderr, folder and environment), renders as ``memo render`` would, and sends back the exit status;
then it waits a moment for another request. A child whose client goes away (the job was killed)
kills itself."""

from __future__ import annotations

import os
import struct
import sys
import time

from memo.render.client import MAX_REQUEST, decode_request

# A child serves up to CHILD_REQUESTS requests, one after the other, waiting at most CHILD_IDLE
# seconds for each after the first: a child's first render costs more than its later ones (it
# fills the caches its parent's warm-up did not), and a fork per memo paid that for every memo.
CHILD_REQUESTS = 64
CHILD_IDLE = 1.0
# What a child tells the server through their pipe, with its pid: it waits for a request (the
# server then takes none, so that the child gets it), it took one, it stopped waiting.
IDLE, AGAIN, LEFT = b"I", b"A", b"L"


def serve_requests(conn, prepared_now, next_request, most: int, waiting=None) -> int:
    """Serve requests in a forked child, one after the other: ``conn`` first, then each one
    ``next_request()`` returns (None: no more), at most ``most``, each with the inputs
    ``prepared_now()`` returns as it starts. The child's caches (fonts cut, templates and styles
    met) then serve its next memo, as in one process. It stops after a render that failed: what
    that left behind is not trusted with another memo. ``waiting()`` is called before a reply when
    the child will wait for another request (the server then leaves that request to it). Returns
    this child's own exit status."""
    served = 0
    while conn is not None:
        served += 1
        going_on = served < most
        status, rendered = serve_child(conn, prepared_now(), waiting if going_on else None)
        if status or rendered != 0 or not going_on:
            return status
        conn = next_request()
    return 0


def next_request(listener, stop_fd: int, accept, current, log):
    """The next request's connection, from ``accept()`` (a connection and its client's pid, or
    None when another took it), or None: after CHILD_IDLE seconds without one, once ``stop_fd``
    is readable (the server stopped or died), or when ``current()`` says the code changed (the
    request is then refused: its client renders in its own process, with the new code); ``log``
    writes the server's log."""
    import select

    deadline = time.monotonic() + CHILD_IDLE
    while (left := deadline - time.monotonic()) > 0:
        try:
            ready, _, _ = select.select([listener, stop_fd], [], [], left)
        except InterruptedError:
            continue
        if stop_fd in ready:
            return None
        if listener in ready:
            conn, peer_pid = accept()
            if conn is None:
                continue
            if not current():
                conn.close()
                return None
            log(f"request from pid {peer_pid}: child {os.getpid()}, again")
            return conn
    return None


def tell(fd: int, what: bytes) -> None:
    """Tell the server (``what``: IDLE, AGAIN or LEFT), in one write of 5 bytes."""
    os.write(fd, struct.pack("=i", os.getpid()) + what)


def read_told(fd: int) -> list[tuple[int, bytes]]:
    """What children told (pid, IDLE/AGAIN/LEFT), from the non-blocking pipe ``fd``. A pipe keeps
    each write of up to 4096 bytes whole, and reads here take whole records."""
    try:
        data = os.read(fd, 4095)
    except BlockingIOError:
        return []
    return [
        (struct.unpack("=i", data[i : i + 4])[0], data[i + 4 : i + 5])
        for i in range(0, len(data) - 4, 5)
    ]


def serve_child(conn, prepared, on_success=None) -> tuple[int, int | None]:
    """Serve one request in a forked child: this child's own exit status, and the render's (None
    when there was none). ``on_success()`` runs when the render succeeded, before its client
    learns the result."""
    import socket

    conn.settimeout(30)
    head, fds, _flags, _addr = socket.recv_fds(conn, 4 + 65536, 3)
    if len(head) < 4 or len(fds) != 3:
        return 1, None
    size = int.from_bytes(head[:4], "big")
    if size > MAX_REQUEST:
        return 1, None
    body = head[4:]
    while len(body) < size:
        chunk = conn.recv(min(65536, size - len(body)))
        if not chunk:
            return 1, None
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

    status = run_render(kind, items, prepared)

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):  # let go of the job's pipes before it learns the result
        os.dup2(devnull, target)
    os.close(devnull)
    done.set()
    if status == 0 and on_success is not None:
        on_success()
    conn.sendall(b"R%d" % status)
    # Shut down before closing: the watching thread, blocked reading this socket, wakes and ends
    # (a plain close would leave it reading whatever socket gets the number next).
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()
    return 0, status


# The memo commands a child runs: the render jobs, and the build's last job, publish (warm, it
# takes a fraction of a new process's time: the imports are done).
SERVED = ("render", "publish")


def run_render(kind: str, items: list[bytes], prepared=None) -> int:
    """``memo.render.job.cli_render`` (or ``memo publish``) on the request's arguments (``memo``
    command-line words, or the parsed arguments of ``memo render`` as JSON), with the exit status
    the ``memo`` process would have."""
    import argparse
    import json
    import traceback

    try:
        if kind == "argv":
            from memo.cli import build_parser, run

            args = build_parser().parse_args([os.fsdecode(a) for a in items])
            if args.command not in SERVED:
                served = " and ".join(SERVED)
                print(
                    f"error: the render server runs {served}, not {args.command!r}",
                    file=sys.stderr,
                )
                return 2
            if args.command != "render":
                return run(args)
        else:
            args = argparse.Namespace(**json.loads(items[0]))
        from memo.render.job import cli_render as render_here

        return int(render_here(args, prepared) or 0)
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
