"""The render job's client of the warm render server: hand the memo to the server, or render here.
(Rule publish, the run's last job, goes through it too: ``publish`` instead of ``render``.)

A render job starts ``python -S -I`` importing only this module (:func:`command`: no site-packages,
no console-script wrapper, about 10 ms) or goes through ``memo render`` (:func:`cli_render`).
Either connects to the socket named by ``MEMO_RENDER_SOCKET``, passes its stdin, stdout and stderr
(SCM_RIGHTS), its arguments, folder and environment, and waits for the exit status, which it
exits with. When no server answers (cluster nodes, another executor, the server died or its code
is stale) it renders in its own process: the script client execs ``python -m memo.cli render``,
``memo render`` calls ``memo.render.job.cli_render``.

Only the standard library here: this file is the job's client, run without site.
"""

from __future__ import annotations

import os
import sys

ENV_SOCKET = "MEMO_RENDER_SOCKET"
ENV_SWITCH = "MEMO_RENDER_SERVER"
IDLE_TIMEOUT = 900.0  # seconds without a request before the server exits on its own
ACK_TIMEOUT = 120.0  # a client waits this long to be taken on (the server may be warming up)
TICK = 0.5  # how often the server checks its parent and the clock
# Fewer render jobs than this: no server. Its warm-up (imports, inputs, one memo per language) costs
# about what four in-process starts do, and a one-memo rebuild would wait for it.
MIN_RENDER_JOBS = 2
RENDER_RULE = "render"
MAX_REQUEST = 1 << 22
MAGIC = b"memo-render 1"

# The memo package folder (src/memo), for the script client's sys.path.
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
        "from memo.render.client import main; sys.exit(main())"
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
    from memo.render.job import cli_render as render_here

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
    # Taken, then lost without an exit status: the child died. Run it here instead (outputs are
    # written atomically, so whatever it left is replaced whole; a publish run again with the same
    # inputs publishes nothing new).
    print("note: the render server lost this job; running it in this process", file=sys.stderr)
    return None


# The server binds its socket under this name beside the socket's, and renames it once it listens.
BINDING = ".new"


def socket_path(workdir) -> str:
    """The server's socket: under .snakemake/, or under the temp folder when that path is too long."""
    path = os.path.join(os.path.abspath(workdir), ".snakemake", f"memo-render-{os.getpid()}.sock")
    if len(path.encode()) > 100:  # AF_UNIX paths are limited to 108 bytes
        import tempfile

        path = os.path.join(tempfile.gettempdir(), f"memo-render-{os.getuid()}-{os.getpid()}.sock")
    return path


def main(argv: list[str] | None = None) -> int:
    """The script client: ``memo`` arguments (``render <ids> --out DIR``)."""
    return client_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
