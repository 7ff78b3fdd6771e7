"""One render request, served in a child the render server (``memo.render.server``) forked: the
child reads the request (``memo.render.client`` wrote it), becomes the job (its stdin, stdout,
stderr, folder and environment), renders as ``memo render`` would, and sends back the exit status.
A child whose client goes away (the job was killed) kills itself."""

from __future__ import annotations

import os
import sys

from memo.render.client import MAX_REQUEST, decode_request


def serve_child(conn, prepared) -> int:
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

    status = run_render(kind, items, prepared)

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


def run_render(kind: str, items: list[bytes], prepared=None) -> int:
    """``memo.render.job.cli_render`` on the request's arguments (``memo`` command-line words, or the
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
