"""memo.distribute.send: `memo send` against a real SMTP server on 127.0.0.1 (aiosmtpd).

Each test builds its own reports/ folder (manifest.json per docs/DESIGN.md and small real PDFs made
with pikepdf) and its own recipients, so nothing here depends on the render pipeline.
"""

from __future__ import annotations

import asyncio
import email
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from memo.cli import main
from memo.core.problems import DataError
from memo.distribute.ledger import has_real_sends, read_ledger
from memo.distribute.report import format_report
from memo.distribute.send import SendOptions, run_send
from memo.distribute.signoff import SendRefused
from memo.distribute.smtp import Backoff

REPO = Path(__file__).resolve().parents[3]
EDITION = "2025-09-15"
KO_TITLE = "한미 관세 협상: 한국의 선택지"
KO_BOTTOM = "한국은 대미 투자 약속을 관세 인하와 연계해야 한다."
FAST = Backoff(retries=2, delay=0.01, factor=2.0)
SENDER = "Policy Memo Unit <memos@example.org>"
APPROVER = "Dana Whitfield"
INPUT_DIGEST = hashlib.sha256(b"the inputs of this edition").hexdigest()

RECIPIENTS = """\
name,email,organisation,audiences,language
Kim Min-jun,minjun.kim@mofa.example.kr,Ministry of Foreign Affairs,rok_officials,ko
Park Ji-ho,jiho.park@nsc.example.kr,Office of National Security,rok_officials,en
Jordan Ellis,jordan.ellis@senate.example.org,Senate Finance Committee,us_policymakers,en
Lee Seo-yeon,seoyeon.lee@motie.example.kr,Ministry of Trade,us_policymakers,ko
"""

MEMOS_YAML = """\
audiences:
  rok_officials: {label: Korean officials}
  us_policymakers: {label: US policymakers}
  senior_readers: {label: Senior readers}
memos:
  - {id: korea-brief, audience: rok_officials, title: Korea brief, languages: [en, ko]}
  - {id: us-brief, audience: us_policymakers, title: US brief, languages: [en]}
"""

# (manifest id, audience, language, title, bottom line)
MEMOS = [
    ("korea-brief-en", "rok_officials", "en", "Tariff talks: Korea's options", "Tie investment."),
    ("korea-brief-ko", "rok_officials", "ko", KO_TITLE, KO_BOTTOM),
    ("us-brief-en", "us_policymakers", "en", "Tariffs on allies: costs", "Allies pay; so do we."),
]
# Who gets what: Lee reads Korean, but the US brief has only an English edition.
EXPECTED = {
    "minjun.kim@mofa.example.kr": "korea-brief-ko",
    "jiho.park@nsc.example.kr": "korea-brief-en",
    "jordan.ellis@senate.example.org": "us-brief-en",
    "seoyeon.lee@motie.example.kr": "us-brief-en",
}


# ------------------------------------------------------------------------------------------------
# A project folder with published reports


def make_pdf(title: str, pages: int = 1) -> bytes:
    """Return the bytes of a small real PDF with ``pages`` blank pages and ``title`` in its info."""
    import pikepdf  # imported where used, as aiosmtpd is: only the worker running these tests pays

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out, static_id=True)  # the same PDF every time: no ID made from the clock
    return out.getvalue()


def publish(root: Path, pdf_pages: dict[str, int] | None = None) -> dict[str, bytes]:
    """Write .reports/<edition>/ (PDFs, manifest.json), link reports to it; return the PDFs."""
    folder = root / ".reports" / EDITION
    folder.mkdir(parents=True, exist_ok=True)
    pdfs: dict[str, bytes] = {}
    entries = []
    for memo_id, audience, language, title, bottom in MEMOS:
        data = make_pdf(title, (pdf_pages or {}).get(memo_id, 1))
        (folder / f"{memo_id}.pdf").write_bytes(data)
        (folder / f"{memo_id}.html").write_text(f"<h1>{title}</h1>", encoding="utf-8")
        pdfs[memo_id] = data
        entries.append(
            {
                "id": memo_id,
                "audience": audience,
                "language": language,
                "title": title,
                "bottom_line": bottom,
                "html": f"{memo_id}.html",
                "pdf": f"{memo_id}.pdf",
                "pages": 1,
                "edition_date": EDITION,
            }
        )
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    manifest = {
        "edition": EDITION,
        "generated_from": "0" * 64,
        "input_digest": INPUT_DIGEST,
        "memos": entries,
        "files": {name: digest for name, digest in files.items() if name != "manifest.json"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    link = root / "reports"
    if not link.is_symlink():
        link.symlink_to(Path(".reports") / EDITION)
    return pdfs


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with config/memos.yaml, config/recipients.csv and published reports."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "memos.yaml").write_text(MEMOS_YAML, encoding="utf-8")
    (tmp_path / "config" / "recipients.csv").write_text(RECIPIENTS, encoding="utf-8")
    publish(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------------
# A real SMTP server on 127.0.0.1


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler: records accepted messages; can greylist, reject or stall on cue."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.reject: set[str] = set()  # 550 at RCPT TO
        self.greylist: set[str] = set()  # 451 once at end of DATA
        # Take the whole message, keep it, then drop the connection without the final reply: once.
        self.drop_after_data: set[str] = set()
        self.drop_at_rcpt: set[str] = set()  # drop the connection at RCPT TO, once
        self.stall_after: int | None = None  # hold MAIL FROM once this many messages arrived
        self.stall_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.stall_after is not None and len(self.messages) >= self.stall_after:
            await asyncio.sleep(self.stall_seconds)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address in self.drop_at_rcpt:
            self.drop_at_rcpt.discard(address)
            server.transport.abort()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                if rcpt in self.greylist:
                    self.greylist.discard(rcpt)
                    return "451 4.7.1 greylisted, try again later"
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            dropped = self.drop_after_data & set(envelope.rcpt_tos)
            if dropped:
                # Delivered, but the client never hears so: the reply below goes nowhere.
                self.drop_after_data -= dropped
                server.transport.abort()
        return "250 2.0.0 queued"

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        """Return the parsed messages each envelope recipient received."""
        out: dict[str, list[EmailMessage]] = {}
        for _, rcpts, content in list(self.messages):
            parsed = email.message_from_bytes(content, policy=policy.default)
            for r in rcpts:
                out.setdefault(r, []).append(parsed)
        return out


class Server:
    """An SMTP server on 127.0.0.1 with a :class:`Recorder`, started and stopped by a test."""

    def __init__(self, port: int | None = None, **smtp_options: object) -> None:
        from aiosmtpd.controller import Controller

        self.port = port or free_port()
        self.recorder = Recorder()
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, **smtp_options
        )

    def start(self) -> Server:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def env(self, **extra: str) -> dict[str, str]:
        """Return the MEMO_SMTP_* environment that points `memo send` at this server."""
        return {
            "MEMO_SMTP_HOST": "127.0.0.1",
            "MEMO_SMTP_PORT": str(self.port),
            "MEMO_SMTP_STARTTLS": "false",
            "MEMO_MAIL_FROM": SENDER,
            **extra,
        }


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server().start()
    yield s
    s.stop()


def options(root: Path, env: dict[str, str], **kw: object) -> SendOptions:
    """Return send options for ``root`` that really send, signed off, with tiny retry delays.

    ``first_send`` is set while the ledger remembers no real send: these tests are about delivery;
    the refusal of a real send on an empty ledger has its own tests.
    """
    ledger = read_ledger(root / "ledger" / "deliveries.jsonl")
    kw.setdefault("first_send", not has_real_sends(ledger))
    kw.setdefault("approved_by", APPROVER)
    return SendOptions(root=root, send=True, env=env, backoff=FAST, **kw)  # type: ignore[arg-type]


def ledger_lines(root: Path) -> list[dict]:
    path = root / "ledger" / "deliveries.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def attachment(msg: EmailMessage) -> EmailMessage:
    (part,) = list(msg.iter_attachments())
    return part


# ------------------------------------------------------------------------------------------------
# Delivery


def test_each_recipient_gets_its_edition_once_with_the_pdf(project: Path, server: Server) -> None:
    pdfs = {m[0]: (project / "reports" / f"{m[0]}.pdf").read_bytes() for m in MEMOS}
    report = run_send(
        options(project, server.env(), base_url="https://memos.example.org/2025/"),
        progress_stream=io.StringIO(),
    )
    assert report.ok and len(report.sent) == 4

    got = server.recorder.by_recipient()
    assert {r: len(msgs) for r, msgs in got.items()} == dict.fromkeys(EXPECTED, 1)
    for address, memo_id in EXPECTED.items():
        (msg,) = got[address]
        assert msg["X-Memo-Id"] == memo_id
        assert msg["From"].addresses[0].addr_spec == "memos@example.org"
        assert msg["To"].addresses[0].addr_spec == address
        part = attachment(msg)
        assert part.get_content_type() == "application/pdf"
        assert part.get_content() == pdfs[memo_id]
        html_link = f"https://memos.example.org/2025/{memo_id}.html"
        assert html_link in msg.get_body(("plain",)).get_content()
        assert f'href="{html_link}"' in msg.get_body(("html",)).get_content()

    # The Korean edition: subject and file name travel encoded, and decode back exactly.
    (kim,) = got["minjun.kim@mofa.example.kr"]
    assert kim["Subject"] == KO_TITLE
    assert attachment(kim).get_filename() == f"한미 관세 협상 한국의 선택지 {EDITION}.pdf"
    assert KO_BOTTOM in kim.get_body(("plain",)).get_content()
    raw = next(c for _, r, c in server.recorder.messages if r == ["minjun.kim@mofa.example.kr"])
    assert raw.isascii(), "headers and bodies must be 7-bit on the wire"
    assert b"Subject: =?utf-8?" in raw
    assert re.search(rb"filename\*(0\*)?=utf-8''%ED%95%9C", raw), "RFC 2231 file name"

    # The ledger holds one "sent" line per delivery, with the attachment's sha256.
    lines = ledger_lines(project)
    assert [line["result"] for line in lines] == ["sent"] * 4
    for line in lines:
        assert line["edition"] == EDITION
        assert line["sha256"] == hashlib.sha256(pdfs[line["memo"]]).hexdigest()
        assert line["time"].endswith("Z")


def test_a_reader_of_several_memos_gets_them_in_one_message(project: Path, server: Server) -> None:
    """Park reads both audiences' memos: one message, both PDFs, a ledger line for each."""
    recipients = project / "config" / "recipients.csv"
    recipients.write_text(
        RECIPIENTS.replace(",rok_officials,en\n", ',"rok_officials;us_policymakers",en\n'),
        encoding="utf-8",
    )
    manifest_path = project / "reports" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["memos"]:
        korean = entry["language"] == "ko"
        entry["marking"] = "내부 업무용" if korean else "For official use"
        entry["publisher"] = "정책메모팀" if korean else "Policy Memo Unit"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    report = run_send(
        options(project, server.env(), base_url="https://memos.example.org/"), io.StringIO()
    )
    assert report.ok and len(report.sent) == 5
    got = server.recorder.by_recipient()
    assert {r: len(msgs) for r, msgs in got.items()} == dict.fromkeys(EXPECTED, 1)
    (park,) = got["jiho.park@nsc.example.kr"]
    assert park["X-Memo-Id"] == "korea-brief-en us-brief-en"
    assert [a.get_content() for a in park.iter_attachments()] == [
        (project / "reports" / f"{m}.pdf").read_bytes() for m in ("korea-brief-en", "us-brief-en")
    ]
    assert park["Subject"] == "[For official use] Policy Memo Unit: 2 memos of 15 September 2025"
    text = park.get_body(("plain",)).get_content()
    assert "the 2 memos of the edition of 15 September 2025" in text
    assert "https://memos.example.org/korea-brief-en.html" in text
    assert "https://memos.example.org/us-brief-en.html" in text
    assert "All memos of this edition: https://memos.example.org/index.html" in text
    # The Korean reader's message is Korean: subject, date in words.
    (kim,) = got["minjun.kim@mofa.example.kr"]
    assert kim["Subject"] == f"[내부 업무용] 정책메모팀: {KO_TITLE}"
    assert "2025년 9월 15일자 정책 메모를 보내 드립니다:" in kim.get_body(("plain",)).get_content()
    lines = [(line["memo"], line["recipient"]) for line in ledger_lines(project)]
    assert sorted(lines) == sorted(
        [*((m, r) for r, m in EXPECTED.items()), ("us-brief-en", "jiho.park@nsc.example.kr")]
    )


def test_rerun_sends_nothing_already_delivered(project: Path, server: Server) -> None:
    run_send(options(project, server.env()), progress_stream=io.StringIO())
    again = run_send(options(project, server.env()), progress_stream=io.StringIO())
    assert again.sent == [] and len(again.already) == 4 and again.ok
    assert len(server.recorder.messages) == 4
    assert "4 already delivered" in format_report(again, "outbox")


def test_dry_run_writes_eml_files_and_sends_nothing(project: Path, server: Server) -> None:
    dry = SendOptions(root=project, env=server.env())  # send=False is the default
    report = run_send(dry, progress_stream=io.StringIO())
    assert server.recorder.messages == []
    assert len(report.written) == 4
    eml = project / "outbox" / EDITION / "minjun.kim@mofa.example.kr.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Subject"] == KO_TITLE
    assert [line["result"] for line in ledger_lines(project)] == ["dry-run"] * 4
    assert "nothing was sent" in format_report(report, "outbox")

    # A dry run delivers nothing, so the real run that follows sends everything.
    real = run_send(options(project, server.env()), progress_stream=io.StringIO())
    assert len(real.sent) == 4 and len(server.recorder.messages) == 4


def test_changed_pdf_is_reported_and_resent_only_when_asked(project: Path, server: Server) -> None:
    run_send(options(project, server.env()), progress_stream=io.StringIO())
    new = publish(project, pdf_pages={"korea-brief-ko": 2})  # the Korean PDF changes

    report = run_send(options(project, server.env()), progress_stream=io.StringIO())
    assert report.sent == [] and report.ok
    assert [(d.memo.id, d.recipient.email) for d, _ in report.changed] == [
        ("korea-brief-ko", "minjun.kim@mofa.example.kr")
    ]
    # No figure records in this folder: what changed is unknown, so nothing goes without --all.
    assert "1 changed, not sent: the edition the recipient has is no longer kept" in format_report(
        report, "outbox"
    )
    assert len(server.recorder.messages) == 4

    again = run_send(
        options(project, server.env(), resend_changed=True), progress_stream=io.StringIO()
    )
    assert [(d.memo.id, d.recipient.email) for d in again.sent] == [
        ("korea-brief-ko", "minjun.kim@mofa.example.kr")
    ]
    latest = server.recorder.by_recipient()["minjun.kim@mofa.example.kr"][-1]
    assert attachment(latest).get_content() == new["korea-brief-ko"]
    # And once resent, the new edition counts as delivered.
    third = run_send(
        options(project, server.env(), resend_changed=True), progress_stream=io.StringIO()
    )
    assert third.sent == [] and len(third.already) == 4


# ------------------------------------------------------------------------------------------------
# Failures


def test_451_then_success_is_delivered_once(project: Path, server: Server) -> None:
    server.recorder.greylist.add("jiho.park@nsc.example.kr")
    stderr = io.StringIO()
    report = run_send(options(project, server.env()), progress_stream=stderr)
    assert report.ok and len(report.sent) == 4
    assert len(server.recorder.by_recipient()["jiho.park@nsc.example.kr"]) == 1
    assert "451" in stderr.getvalue() and "retrying" in stderr.getvalue()
    assert [line["result"] for line in ledger_lines(project)] == ["sent"] * 4


def test_550_is_recorded_as_permanent_and_the_others_are_delivered(
    project: Path, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    server.recorder.reject.add("jordan.ellis@senate.example.org")
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    send = ["--root", str(project), "send", "--send", "--approved-by", APPROVER, "--first-send"]
    code = main([*send, "--retries", "2", "--retry-delay", "0"])
    assert code == 1
    got = server.recorder.by_recipient()
    assert set(got) == set(EXPECTED) - {"jordan.ellis@senate.example.org"}
    results = {line["recipient"]: line for line in ledger_lines(project)}
    assert results["jordan.ellis@senate.example.org"]["result"] == "failed-permanent"
    assert "550" in results["jordan.ellis@senate.example.org"]["detail"]
    out = capsys.readouterr().out
    assert "us-brief-en -> jordan.ellis@senate.example.org: failed-permanent" in out

    # The summary command shows the open failure.
    assert main(["--root", str(project), "ledger"]) == 0
    summary = capsys.readouterr().out
    assert "not delivered (1)" in summary and "jordan.ellis@senate.example.org" in summary


def test_server_down_is_retried_then_reported(project: Path) -> None:
    # The port is held, bound, but nothing listens: connection refused, and no other test's
    # server can take it before this one's comes back.
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    port = held.getsockname()[1]
    env = Server(port).env()
    stderr = io.StringIO()
    try:
        report = run_send(options(project, env), progress_stream=stderr)
    finally:
        held.close()
    assert not report.ok
    assert "unreachable" in report.stopped
    assert stderr.getvalue().count("retrying in") == FAST.retries
    (failed,) = report.failed
    assert failed[1] == "failed-transient" and "refused" in failed[2]
    assert len(report.not_attempted) == 3
    assert [line["result"] for line in ledger_lines(project)] == ["failed-transient"]

    # When the server is back, the next run delivers everything, once.
    server = Server(port).start()
    try:
        again = run_send(options(project, env), progress_stream=io.StringIO())
    finally:
        server.stop()
    assert again.ok and len(again.sent) == 4
    assert Counter(r for _, rs, _ in server.recorder.messages for r in rs) == Counter(
        list(EXPECTED)
    )


def test_server_back_during_backoff_delivers_without_failure(project: Path) -> None:
    server = Server()
    started: list[float] = []

    def sleep(seconds: float) -> None:  # the first retry wait is when the server comes up
        if not started:
            server.start()
            started.append(seconds)

    try:
        report = run_send(options(project, server.env(), sleep=sleep), io.StringIO())
    finally:
        if started:
            server.stop()
    assert started and report.ok and len(report.sent) == 4 and report.failed == []


def test_authentication_secrets_are_never_printed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    secret = "s3cr3t-pa55word-xyzzy"

    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == secret.encode()
        return AuthResult(success=ok, handled=False)

    server = Server(auth_require_tls=False, authenticator=authenticator).start()
    try:
        env = server.env(MEMO_SMTP_USER="memo-bot", MEMO_SMTP_PASSWORD="wrong-" + secret)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        send = ["--root", str(project), "send", "--send", "--approved-by", APPROVER]
        assert main([*send, "--first-send", "--retry-delay", "0"]) == 1
        refused = capsys.readouterr()
        assert "authentication refused" in refused.out
        assert server.recorder.messages == []

        monkeypatch.setenv("MEMO_SMTP_PASSWORD", secret)
        # Nothing was recorded (authentication is fatal): still the first send.
        assert main([*send, "--first-send", "--retry-delay", "0"]) == 0
        sent = capsys.readouterr()
        assert len(server.recorder.messages) == 4
    finally:
        server.stop()
    written = (project / "ledger" / "deliveries.jsonl").read_text(encoding="utf-8")
    for text in (refused.out, refused.err, sent.out, sent.err, written):
        assert secret not in text


def test_progress_line_counts_sent_failed_remaining(project: Path, server: Server) -> None:
    server.recorder.reject.add("jiho.park@nsc.example.kr")
    stderr = io.StringIO()
    run_send(options(project, server.env()), progress_stream=stderr)
    lines = [line for line in stderr.getvalue().splitlines() if line.startswith("send: ")]
    assert lines[0] == "send: 0 sent, 0 failed, 4 remaining"
    assert lines[-1] == "send: 3 sent, 1 failed, 0 remaining"


# ------------------------------------------------------------------------------------------------
# A run killed half-way


def test_run_killed_midway_resumes_without_duplicates(project: Path, server: Server) -> None:
    recorder = server.recorder
    recorder.stall_after, recorder.stall_seconds = 1, 30.0  # hold the second message
    env = {**os.environ, **server.env()}
    cmd = [sys.executable, "-m", "memo.cli", "--root", str(project), "send", "--send"]
    cmd += ["--approved-by", APPROVER]
    proc = subprocess.Popen(
        [*cmd, "--first-send"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        # Kill once the first message has arrived and its ledger line is on disk.
        while not (recorder.messages and ledger_lines(project)):
            assert proc.poll() is None, "memo send ended before it could be killed"
            assert time.monotonic() < deadline, "no message arrived"
            time.sleep(0.02)
        time.sleep(0.1)  # the second transaction is now held at MAIL FROM
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert len(recorder.messages) == 1

    recorder.stall_after = None
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 already delivered" in rerun.stdout

    received = Counter(r for _, rcpts, _ in recorder.messages for r in rcpts)
    assert received == Counter(list(EXPECTED)), "each recipient exactly one message"
    sent = [(line["memo"], line["recipient"]) for line in ledger_lines(project)]
    assert sorted(sent) == sorted((m, r) for r, m in EXPECTED.items())
    assert read_ledger(project / "ledger" / "deliveries.jsonl")  # still a well-formed ledger


# ------------------------------------------------------------------------------------------------
# A connection dropped after the whole message went out (issue 16)


def message_ids(server: Server, address: str) -> list[str]:
    return [m["Message-ID"] for m in server.recorder.by_recipient().get(address, [])]


def test_drop_after_data_is_uncertain_never_retried_and_resent_only_when_asked(
    project: Path, server: Server, capsys: pytest.CaptureFixture
) -> None:
    jiho = "jiho.park@nsc.example.kr"
    server.recorder.drop_after_data.add(jiho)
    report = run_send(options(project, server.env()), progress_stream=io.StringIO())

    # The server kept the message: exactly one copy, no retry, and the others went out.
    assert len(message_ids(server, jiho)) == 1
    assert len(server.recorder.messages) == 4
    assert [(d.recipient.email, d.memo.id) for d, _ in report.uncertain] == [
        (jiho, "korea-brief-en")
    ]
    assert len(report.sent) == 3 and not report.failed and not report.ok
    assert "1 uncertain" in format_report(report, "outbox")
    (line,) = [x for x in ledger_lines(project) if x["recipient"] == jiho]
    assert line["result"] == "uncertain"
    first_id = message_ids(server, jiho)[0]
    assert line["message_id"] == first_id

    # `memo ledger` names the uncertain delivery.
    assert main(["--root", str(project), "ledger"]) == 0
    summary = capsys.readouterr().out
    assert "uncertain (1)" in summary and f"korea-brief-en -> {jiho}" in summary

    # A rerun sends nothing: not the uncertain one, not the delivered ones.
    again = run_send(options(project, server.env()), progress_stream=io.StringIO())
    assert again.sent == [] and len(again.already) == 3
    assert [d.recipient.email for d, _ in again.held] == [jiho]
    assert again.ok, "held on purpose: not a failure of this run"
    assert "uncertain from an earlier run, not sent again" in format_report(again, "outbox")
    assert len(server.recorder.messages) == 4

    # Asked to, it resends that one only, with the same Message-ID.
    resent = run_send(
        options(project, server.env(), resend_uncertain=True), progress_stream=io.StringIO()
    )
    assert [d.recipient.email for d in resent.sent] == [jiho] and resent.ok
    assert message_ids(server, jiho) == [first_id, first_id]
    assert len(server.recorder.messages) == 5
    # Once confirmed, it counts as delivered.
    last = run_send(
        options(project, server.env(), resend_uncertain=True), progress_stream=io.StringIO()
    )
    assert last.sent == [] and len(last.already) == 4


def test_a_drop_before_the_message_went_out_is_retried(project: Path, server: Server) -> None:
    # Dropped at RCPT TO: nothing was handed over, so retrying cannot make a second copy.
    server.recorder.drop_at_rcpt.add("jordan.ellis@senate.example.org")
    stderr = io.StringIO()
    report = run_send(options(project, server.env()), progress_stream=stderr)
    assert report.ok and report.uncertain == [] and len(report.sent) == 4
    assert "connection dropped" in stderr.getvalue() and "retrying" in stderr.getvalue()
    assert len(server.recorder.by_recipient()["jordan.ellis@senate.example.org"]) == 1


# ------------------------------------------------------------------------------------------------
# Sign-off, ledger memory and the reviewed bytes (issue 12)


def test_a_real_send_without_an_approver_is_refused(
    project: Path, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    assert main(["--root", str(project), "send", "--send", "--first-send"]) == 1
    assert "--approved-by NAME" in capsys.readouterr().err
    assert server.recorder.messages == [] and ledger_lines(project) == []

    code = main(
        ["--root", str(project), "send", "--send", "--first-send", "--approved-by", "\x1b[2J"]
    )
    assert code == 1 and server.recorder.messages == []


def test_the_ledger_names_the_approver_the_manifest_and_the_inputs(
    project: Path, server: Server, capsys: pytest.CaptureFixture
) -> None:
    run_send(options(project, server.env()), progress_stream=io.StringIO())
    manifest = (project / "reports" / "manifest.json").read_bytes()
    lines = ledger_lines(project)
    assert len(lines) == 4
    for line in lines:
        assert line["approved_by"] == APPROVER
        assert line["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
        assert line["input_digest"] == INPUT_DIGEST
    assert main(["--root", str(project), "ledger"]) == 0
    out = capsys.readouterr().out
    assert f"signed off by {APPROVER} (manifest {hashlib.sha256(manifest).hexdigest()[:12]}" in out


def test_a_real_send_on_an_empty_or_missing_ledger_needs_first_send(
    project: Path, server: Server
) -> None:
    ledger = project / "ledger" / "deliveries.jsonl"
    for prepare in (lambda: None, lambda: ledger.parent.mkdir() or ledger.write_text("")):
        prepare()
        with pytest.raises(SendRefused, match="records no earlier send.*--first-send"):
            run_send(options(project, server.env(), first_send=False), io.StringIO())
        assert server.recorder.messages == []
    # A dry run leaves dry-run lines only: still no memory of a real send.
    run_send(SendOptions(root=project, env=server.env()), progress_stream=io.StringIO())
    with pytest.raises(SendRefused, match="records no earlier send"):
        run_send(options(project, server.env(), first_send=False), io.StringIO())

    first = run_send(options(project, server.env(), first_send=True), io.StringIO())
    assert len(first.sent) == 4
    # Once the ledger remembers sends, --first-send is a mistake, not a licence.
    with pytest.raises(SendRefused, match="already records sends"):
        run_send(options(project, server.env(), first_send=True), io.StringIO())
    assert len(server.recorder.messages) == 4


def test_a_file_changed_after_the_build_stops_the_send(project: Path, server: Server) -> None:
    pdf = project / "reports" / "us-brief-en.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%tampered\n")
    with pytest.raises(DataError) as caught:
        run_send(options(project, server.env()), progress_stream=io.StringIO())
    (problem,) = caught.value.problems
    assert problem.path == "reports/manifest.json" and problem.column == "files.us-brief-en.pdf"
    assert server.recorder.messages == [] and ledger_lines(project) == []


def test_links_point_where_the_build_said_it_would_publish(project: Path, server: Server) -> None:
    manifest_path = project / "reports" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["base_url"] = "https://unit.github.io/memo/"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    run_send(options(project, server.env()), progress_stream=io.StringIO())
    (msg,) = server.recorder.by_recipient()["jordan.ellis@senate.example.org"]
    assert "https://unit.github.io/memo/us-brief-en.html" in msg.get_body(("plain",)).get_content()


# ------------------------------------------------------------------------------------------------
# The send workflow's ledger, on its branch (.github/ledger-branch.sh, .github/send-steps.sh)


def with_workflow_scripts(project: Path) -> Path:
    """Give a project copy the workflow's scripts and this test run's environment as .venv."""
    shutil.copytree(REPO / ".github", project / ".github")
    (project / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return project


def script(
    project: Path, name: str, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """Run one of the workflow's scripts in ``project`` as the workflow does."""
    return subprocess.run(
        ["bash", str(project / ".github" / name), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_ledger_on_its_branch_outlives_the_artifact(
    project: Path, server: Server, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    env = {**os.environ, **server.env(), "LEDGER_REMOTE": str(origin), "APPROVER": APPROVER}
    with_workflow_scripts(project)

    # The first send: no branch yet, so no ledger; a real send is refused without first_send.
    fetched = script(project, "ledger-branch.sh", "fetch", "ledger", env=env)
    assert fetched.returncode == 0 and "no branch memo-ledger yet" in fetched.stdout
    refused = script(project, "send-steps.sh", "send", env=env)
    assert refused.returncode == 1 and "records no earlier send" in refused.stderr
    first = script(project, "send-steps.sh", "send", env={**env, "FIRST_SEND": "true"})
    assert first.returncode == 0, first.stderr
    assert len(server.recorder.messages) == 4
    pushed = script(project, "ledger-branch.sh", "push", "ledger", "first send", env=env)
    assert pushed.returncode == 0 and "committed to memo-ledger" in pushed.stdout, pushed.stderr

    # Months later, on a fresh runner: a new checkout, and the ledger artifact has expired.
    later = tmp_path / "later"
    shutil.copytree(
        project, later, symlinks=True, ignore=shutil.ignore_patterns("ledger", "outbox")
    )
    # Without its ledger, a real send refuses rather than mailing everyone again...
    blind = script(later, "send-steps.sh", "send", env=env)
    assert blind.returncode == 1 and "records no earlier send" in blind.stderr
    # ...and with the ledger from the branch, it knows everything was delivered.
    fetched = script(later, "ledger-branch.sh", "fetch", "ledger", env=env)
    assert fetched.returncode == 0 and "4 lines from branch memo-ledger" in fetched.stdout
    dry = script(later, "send-steps.sh", "dry-run", env=env)
    assert dry.returncode == 0 and "4 already delivered" in dry.stdout
    again = script(later, "send-steps.sh", "send", env=env)
    assert again.returncode == 0, again.stderr
    assert "0 sent" in again.stdout and "4 already delivered" in again.stdout
    assert len(server.recorder.messages) == 4, "nothing was sent again"

    # The branch holds each send's lines, with the sign-off, one commit per run.
    log = subprocess.run(
        ["git", "--git-dir", str(origin), "log", "--format=%s", "memo-ledger"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log == ["first send"]
    shown = subprocess.run(
        ["git", "--git-dir", str(origin), "show", "memo-ledger:deliveries.jsonl"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [json.loads(x)["approved_by"] for x in shown.splitlines()] == [APPROVER] * 4


def test_an_unreachable_ledger_branch_is_an_error_not_an_empty_ledger(
    project: Path, tmp_path: Path
) -> None:
    with_workflow_scripts(project)
    env = {**os.environ, "LEDGER_REMOTE": str(tmp_path / "no-such-repository.git")}
    fetched = script(project, "ledger-branch.sh", "fetch", "ledger", env=env)
    assert fetched.returncode == 1 and "cannot read branch memo-ledger" in fetched.stderr


# ------------------------------------------------------------------------------------------------
# Sends follow changes


def publish_records(root: Path, name: str, pages: dict[str, int], records: dict[str, dict]) -> None:
    """Publish edition ``name``: each memo's PDF (``pages`` long) and figure record, the manifest
    with their SHA-256s, a line in the history, and the reports link."""
    from memo.publish import editions
    from unit.drawn_records import write_record

    folder = root / ".reports" / name
    folder.mkdir(parents=True)
    files, entries = {}, []
    for memo_id, audience, language, title, bottom in MEMOS:
        (folder / f"{memo_id}.pdf").write_bytes(make_pdf(title, pages.get(memo_id, 1)))
        (folder / f"{memo_id}.html").write_text(f"<h1>{title}</h1>", encoding="utf-8")
        path = write_record(folder, records[memo_id])
        for f in (folder / f"{memo_id}.pdf", folder / f"{memo_id}.html", path):
            files[f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
        entries.append(
            {"id": memo_id, "audience": audience, "language": language, "title": title}
            | {"bottom_line": bottom, "pdf": f"{memo_id}.pdf", "html": f"{memo_id}.html"}
        )
    manifest = {"edition": EDITION, "id": name, "input_digest": name * 8, "memos": entries}
    manifest["files"] = files
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    editions.append_history(root / ".reports", {"edition": name})
    link = root / "reports"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(Path(".reports") / name)


def test_sends_follow_changes_in_figures_with_the_changes_in_the_message(
    tmp_path: Path, server: Server
) -> None:
    import shutil

    from unit.drawn_records import INDIA_45, INDIA_50, SECOND, TIED, record
    from unit.support import REPO

    root = tmp_path
    (root / "config").mkdir()
    (root / "config/memos.yaml").write_text(MEMOS_YAML, encoding="utf-8")
    (root / "config/recipients.csv").write_text(RECIPIENTS, encoding="utf-8")
    shutil.copytree(REPO / "templates/locale", root / "templates/locale")  # the Korean words
    ko = {"label": "미국의 수입 관세율", "who": "인도"}
    first = {
        "korea-brief-ko": record(
            "korea-brief-ko", [INDIA_50 | ko], [TIED | {"who": "인도", "peer_names": ["브라질"]}]
        ),
        "korea-brief-en": record("korea-brief-en", [INDIA_50], [TIED]),
        "us-brief-en": record("us-brief-en", [INDIA_50]),
    }
    publish_records(root, "e1", {}, first)
    assert len(run_send(options(root, server.env()), progress_stream=io.StringIO()).sent) == 4

    # The Korean memo's figures changed (a tariff cut); the English one was only laid out anew
    # (another PDF, the same figures); the US brief is the same PDF.
    second = first | {
        "korea-brief-ko": record(
            "korea-brief-ko", [INDIA_45 | ko], [SECOND | {"who": "인도", "text": "2위"}]
        )
    }
    publish_records(root, "e2", {"korea-brief-ko": 2, "korea-brief-en": 2}, second)
    dry = run_send(SendOptions(root=root, env=server.env()), progress_stream=io.StringIO())
    assert [p.name for p in dry.written] == ["minjun.kim@mofa.example.kr.eml"]
    assert [(d.memo.id, d.recipient.email) for d, _ in dry.unchanged] == [
        ("korea-brief-en", "jiho.park@nsc.example.kr")
    ]
    assert len(dry.already) == 2
    assert "1 unchanged since the edition the recipient has, not sent (use --all)" in (
        format_report(dry, "outbox")
    )
    msg = email.message_from_bytes(dry.written[0].read_bytes(), policy=policy.default)
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "    받으신 2025-09-15판 이후 달라진 점:\n"
        "      - 미국의 수입 관세율(인도): 50%에서 45% 수준으로 낮아졌습니다.\n"
        "      - 인도: 이제 2위입니다(이전에는 브라질도 같은 수준).\n"
    ) in body
    assert "<li>미국의 수입 관세율(인도): 50%에서 45% 수준으로 낮아졌습니다.</li>" in (
        msg.get_body(("html",)).get_content()
    )

    # --all sends what changed in any way.
    everything = run_send(
        SendOptions(root=root, env=server.env(), send_all=True), progress_stream=io.StringIO()
    )
    assert sorted(p.name for p in everything.written) == [
        "jiho.park@nsc.example.kr.eml",
        "minjun.kim@mofa.example.kr.eml",
    ]

    # Sent for real, then nothing new: nothing more goes out.
    assert len(run_send(options(root, server.env()), progress_stream=io.StringIO()).sent) == 1
    again = run_send(options(root, server.env()), progress_stream=io.StringIO())
    assert again.sent == [] and len(again.already) == 3 and len(again.unchanged) == 1
    assert len(server.recorder.messages) == 5
