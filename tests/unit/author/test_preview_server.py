"""memo.author.preview_server: the page's versions as server-sent events, the server answering on
127.0.0.1 only, and the edition ``memo preview <memo>`` shows. (The browser side is
tests/e2e/test_preview.py.)"""

from __future__ import annotations

import http.client
import json

from memo.author.preview_server import output_id, serve, sse_page


def test_an_event_carries_the_version_then_the_page(preview):
    event = sse_page(preview.page)
    lines = event.split("\n")
    assert lines[0] == "data: 1" and event.endswith("\n\n")
    assert all(line.startswith("data: ") for line in lines[:-2])


def test_the_server_answers_only_requests_to_127_0_0_1(preview):
    server, stop = serve(preview, 0)
    try:
        port = server.server_address[1]
        assert server.server_address[0] == "127.0.0.1"

        def get(path: str, host: str) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            body = response.read() if path != "/events" else response.fp.readline()
            conn.close()
            return response.status, body

        assert get("/", f"127.0.0.1:{port}")[0] == 200
        assert get("/", f"localhost:{port}")[0] == 200
        assert get("/", "attacker.example")[0] == 403
        assert get("/events", f"127.0.0.1:{port}") == (200, b"data: 1\n")
        assert get("/nothing", f"127.0.0.1:{port}")[0] == 404
        status, body = get("/status", f"127.0.0.1:{port}")
        assert status == 200
        assert json.loads(body)["version"] == 1 and json.loads(body)["problems"] == []
    finally:
        stop.set()
        server.shutdown()


def test_the_edition_previewed_is_the_memos_first_language_unless_named(project):
    assert output_id(project, "trade-brief", None) == "trade-brief-en"
    assert output_id(project, "trade-brief", "ko") == "trade-brief-ko"
    assert output_id(project, "trade-brief-ko", None) == "trade-brief-ko"
    # An unknown memo is previewed as named: the page says what is wrong.
    assert output_id(project, "no-such-memo", None) == "no-such-memo"
