"""``memo preview <memo> [--lang ko]``: the memo's HTML on 127.0.0.1, re-rendered on every save.

The HTTP side of the preview (:mod:`memo.author.preview` keeps the page rendered): ``/`` the page,
``/events`` a stream of server-sent events that carry each new version of it (to which the page's
script listens), ``/pdf`` the PDF of the current HTML, rendered when asked, and ``/status`` its
version and problems as JSON.

The server listens on 127.0.0.1 only and answers only requests addressed to that host (or
``localhost``), so another site open in the browser cannot read the memo through it.
"""

from __future__ import annotations

import argparse
import http.server
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from memo.author.preview import Page, Preview
from memo.core.problems import DataError

KEEPALIVE = 10.0
HOSTS = ("127.0.0.1", "localhost")


def sse_page(page: Page) -> str:
    """A server-sent event carrying a page: its version on the first line, then its HTML."""
    lines = [str(page.version), *page.html.splitlines()]
    return "".join(f"data: {line}\n" for line in lines) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    """``/`` the page, ``/events`` its versions as server-sent events, ``/pdf`` the PDF,
    ``/status`` the version and problems as JSON."""

    preview: Preview
    server_version = "memo-preview"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the page is the output
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in HOSTS:
            self._send(403, b"memo preview answers on 127.0.0.1 only\n", "text/plain")
            return
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(200, self.preview.page.html.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/events":
            self._events()
        elif path == "/pdf":
            try:
                body = self.preview.pdf()
            except Exception as e:  # a render error: say it in plain text
                self._send(500, f"no PDF: {e}\n".encode(), "text/plain; charset=utf-8")
                return
            self._send(200, body, "application/pdf")
        elif path == "/status":
            page = self.preview.page
            status = {
                "version": page.version,
                "seconds": page.seconds,
                "done": page.done,
                "problems": [str(p) for p in page.problems],
            }
            self._send(200, json.dumps(status).encode(), "application/json")
        else:
            self._send(404, b"not found\n", "text/plain")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version = self.preview.page.version
        try:
            self.wfile.write(f"data: {version}\n\n".encode())
            self.wfile.flush()
            while True:
                page = self.preview.wait_for(version, KEEPALIVE)
                if page.version == version:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    version = page.version
                    self.wfile.write(sse_page(page).encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# How often the HTTP server's loop looks whether it was told to stop: shutdown() (Ctrl-C) waits
# for it (socketserver's default, half a second, was felt at every stop).
STOP_POLL = 0.05


def serve(preview: Preview, port: int = 0) -> tuple[Server, threading.Event]:
    """Start the HTTP server (127.0.0.1) and the watcher, each in a thread; return the server and
    the event that stops the watcher."""
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = Server(("127.0.0.1", port), handler)
    stop = threading.Event()
    threading.Thread(target=preview.watch, args=(stop,), daemon=True).start()
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": STOP_POLL}, daemon=True
    ).start()
    return server, stop


def output_id(root: Path, memo: str, lang: str | None) -> str:
    """The edition to preview: ``memo`` with ``lang`` (default: its first language), or ``memo``
    itself when it names an edition."""
    from memo.ingest.config import load_edition

    edition = load_edition(root)
    ids = edition.output_ids()
    if lang:
        return f"{memo}-{lang}"
    if memo in ids:
        return memo
    for m in edition.memos:
        if m.id == memo:
            return m.output_id(m.languages[0])
    return memo


def cli_preview(args: argparse.Namespace) -> int:
    """``memo preview``: serve the memo until interrupted."""
    root = Path(args.root).resolve()
    if not args.memo:
        print(
            "usage: memo preview <memo> [--lang LANG] (name the memo to preview)", file=sys.stderr
        )
        return 2
    try:
        oid = output_id(root, args.memo, args.lang)
    except DataError as e:
        # Still serve: the page shows the problems and recovers when they are fixed.
        oid = f"{args.memo}-{args.lang}" if args.lang else args.memo
        print(f"{len(e.problems)} problems in config/; the page lists them", file=sys.stderr)
    preview = Preview(root, oid)
    preview.load()
    page = preview.render()
    server, stop = serve(preview, args.port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"memo preview: {oid} at {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if page.problems:
        for p in page.problems:
            print(p, file=sys.stderr)
    if not args.no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
    return 0
