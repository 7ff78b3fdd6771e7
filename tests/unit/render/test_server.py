"""memo.render.server: the warm render server's pieces that need no Snakemake run: what it watches,
and its socket (this user's only)."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memo.render import server
from unit.support import make_project


def test_the_socket_is_private_and_removed_on_close(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    s = server.Server(path, os.getppid(), str(tmp_path))
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    finally:
        s.close()
    assert not os.path.exists(path)


def test_the_socket_appears_only_once_it_listens(tmp_path: Path, monkeypatch) -> None:
    # A render that finds the socket connects at once: a socket bound but not yet listening
    # refused it (the render then ran in a process of its own; test_runhooks saw it under load).
    import socket

    path = str(tmp_path / "s.sock")
    seen = []

    class Spied(socket.socket):
        def listen(self, *args) -> None:
            seen.append(os.path.exists(path))
            super().listen(*args)

    monkeypatch.setattr(socket, "socket", Spied)
    (tmp_path / f"s.sock{server.BINDING}").write_text("")  # a killed server's leftover
    s = server.Server(path, os.getppid(), str(tmp_path))
    try:
        assert seen == [False]
        assert os.listdir(tmp_path) == ["s.sock"]
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
    finally:
        s.close()
    assert not os.path.exists(path)


def test_main_without_serve_is_the_light_client(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["render", "tariff-brief-en"]
    seen = []
    monkeypatch.setattr(server, "client_main", lambda a: seen.append(a) or 0)
    assert server.main(argv) == 0 and seen == [argv]


def test_inputs_prepared_after_derive_are_warmed_before_any_child(tmp_path: Path, capsys) -> None:
    """A first build: the server starts before derive has written the figures, so its warm-up
    cannot render; the first request's fresh inputs are warmed then (templates compiled, one
    HTML per language rendered), so that no child compiles them again."""
    from unit.support import derived

    root = make_project(tmp_path / "p")
    # A build with enough renders pending for the warm-up to pay (these names stand for them).
    pending = [f"memo-{i}" for i in range(server.LIGHT_WARM_MIN)]
    s = server.Server(str(tmp_path / "s.sock"), os.getppid(), str(root), pending=pending)
    try:
        s.warm_up()
        assert s.prepared() is None  # no figures yet
        derived(root)
        prepared = s.prepared()
        assert prepared is not None
        compiled = {t.name for t in prepared.env.cache.values()}
        assert {m.template for m in prepared.edition.memos} <= compiled
        assert "warmed for the prepared inputs" in capsys.readouterr().err
        assert s.prepared() is prepared  # the same inputs: neither prepared nor warmed again
        assert "warmed" not in capsys.readouterr().err
    finally:
        s.close()


def test_a_small_build_is_not_warmed_before_its_children(tmp_path: Path, capsys) -> None:
    from unit.support import derived

    root = make_project(tmp_path / "p")
    s = server.Server(str(tmp_path / "s.sock"), os.getppid(), str(root))
    try:
        derived(root)
        assert len(s.prepared().edition.output_ids()) < server.LIGHT_WARM_MIN
        assert "warmed" not in capsys.readouterr().err  # two seconds first would cost more
    finally:
        s.close()


def test_a_first_build_warms_the_pdf_renderer_before_derive_is_done(tmp_path: Path) -> None:
    """No figures yet (derive is running): the warm-up still imports WeasyPrint and renders a
    one-line PDF, so that the first render does not wait for it. In a process of its own, to see
    what that process imported."""
    root = make_project(tmp_path / "p")
    code = (
        "import sys, os\n"
        "from memo.render import server\n"
        f"s = server.Server({str(tmp_path / 's.sock')!r}, os.getppid(), {str(root)!r})\n"
        "assert 'weasyprint' not in sys.modules\n"
        "s.warm_up()\n"
        "s.close()\n"
        "print('weasyprint' in sys.modules, s._prepared is None)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True"]
    assert "inputs not prepared" in run.stderr and "warm-up incomplete" not in run.stderr


def test_told_to_stop_the_server_leaves_without_waiting_for_its_tick(tmp_path: Path) -> None:
    """SIGTERM wakes the serving loop: with a tick of an hour the server still stops (a timeout
    guards against the hang it would be otherwise, it times nothing)."""
    root = make_project(tmp_path / "p")
    sock = tmp_path / "s.sock"
    code = (
        "import os, sys\n"
        "from memo.render import server\n"
        "server.TICK = 3600\n"
        f"sys.exit(server.main(['serve', '--socket', {str(sock)!r}, '--parent', "
        f"str(os.getppid()), '--root', {str(root)!r}]))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:  # the log: once ready, it waits in its loop
            if "ready in" in line:
                break
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not sock.exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_child_serves_the_next_request_with_the_inputs_as_they_are_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After its first memo a child waits for another request (the caches it filled serve that
    one too); a template changed in between is read again, and so are the figures `memo derive`
    wrote again; told to stop, the server does not wait for its idle child. The waits below are
    guards against a hang, they time nothing."""
    from memo.render.client import render_remote
    from unit.support import derived

    root = derived(make_project(tmp_path / "p"))
    sock, log = tmp_path / "s.sock", tmp_path / "server.log"
    code = (
        "import os, sys\n"
        "from memo.render import child, server\n"
        "child.CHILD_IDLE = 3600\n"  # the child waits for the next request as long as it takes
        f"sys.exit(server.main(['serve', '--socket', {str(sock)!r}, '--parent', "
        f"str(os.getppid()), '--root', {str(root)!r}]))\n"
    )
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stderr=err)
    try:
        deadline = time.monotonic() + 120
        while "ready in" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        monkeypatch.chdir(root)  # a request renders in its client's folder

        def render(out: str) -> int | None:
            # HTML only: what is checked is what the child read, not the PDF of it.
            args = ["render", "tariff-brief-en", "--out", str(tmp_path / out), "--html-only"]
            return render_remote(str(sock), b"argv", [a.encode() for a in args])

        assert render("first") == 0
        template = root / "templates/tariff_brief.html.j2"
        text = template.read_text(encoding="utf-8")
        heading = '<h2>{{ _("Bottom line") }}</h2>'
        assert heading in text
        template.write_text(text.replace(heading, "<h2>Zanzibar</h2>", 1), encoding="utf-8")
        assert render("second") == 0

        assert "Zanzibar" not in (tmp_path / "first/tariff-brief-en.html").read_text()
        assert "<h2>Zanzibar</h2>" in (tmp_path / "second/tariff-brief-en.html").read_text()

        # A figure changed and derived again under the running server: the next render shows it.
        data = root / "data/indicators.csv"
        row = "us_tariff_rate_pct,IND,,2025-08-06,50,"
        assert row in data.read_text(encoding="utf-8")
        data.write_text(data.read_text(encoding="utf-8").replace(row, row[:-3] + "45,"), "utf-8")
        derived(root)
        assert render("third") == 0

        def text(out: str) -> str:
            return re.sub(r"<[^>]+>", "", (tmp_path / out / "tariff-brief-en.html").read_text())

        assert "charges 50%" in text("second") and "charges 45%" in text("third")
        record = json.loads((tmp_path / "third/tariff-brief-en.figures.json").read_text())
        shown = [
            f["value"]
            for f in record["figures"]
            if (f["indicator"], f["entity"], f["period"])
            == ("us_tariff_rate_pct", "IND", "2025-08-06")
        ]
        assert shown and set(shown) == {45}, record["figures"]

        served = log.read_text()
        assert served.count("request from pid") == 3 and served.count(", again") == 2, served
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert "served 3 requests (2 by a child that had served one)" in log.read_text()
    finally:
        proc.kill()
        proc.wait()
