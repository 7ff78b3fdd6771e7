"""Unit tests of distribution: the recipients check, message building, the ledger, settings, plan."""

from __future__ import annotations

import email
import hashlib
import json
import smtplib
from email import policy
from pathlib import Path

import pytest

from memo.cli import main
from memo.distribute import recipients as recipients_module
from memo.distribute.ledger import (
    Entry,
    LedgerWriter,
    cli_ledger,
    delivered,
    read_ledger,
    summarize,
)
from memo.distribute.message import Letter, attachment_name, build_message, header_text
from memo.distribute.recipients import check, load_recipients, read_memo_config
from memo.distribute.send import Published, PublishedMemo, plan
from memo.distribute.smtp import Backoff, SettingsError, classify, settings_from_env
from memo.errors import DataError

REPO = Path(__file__).resolve().parents[1]
HEADER = "name,email,organisation,audiences,language\n"
AUDIENCES = {"rok_officials", "us_policymakers", "senior_readers"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, rows: str) -> list[str]:
    path = write(tmp_path / "config" / "recipients.csv", HEADER + rows)
    _, problems = load_recipients(path, "config/recipients.csv", AUDIENCES)
    return [str(p) for p in problems]


# ------------------------------------------------------------------------------------------------
# Recipients


def test_malformed_address_is_reported_with_its_line(tmp_path: Path) -> None:
    rows = (
        "Jordan Ellis,jordan@senate.example.org,Senate,us_policymakers,en\n"
        "Park Ji-ho,jiho@nsc.example.kr,NSC,rok_officials,en\n"
        "Kim Min-jun,kim@,MOFA,rok_officials,ko\n"
    )
    assert problems_of(tmp_path, rows) == [
        'config/recipients.csv:4: email: "kim@" is not an e-mail address (write it as name@domain)'
    ]


@pytest.mark.parametrize(
    "address",
    ["kim", "kim@example", "kim @example.org", "kim@exa_mple.org", "<kim@x.org>", "a@b@c.org"],
)
def test_addresses_that_are_not_plain_are_rejected(tmp_path: Path, address: str) -> None:
    (problem,) = problems_of(tmp_path, f'Kim,"{address}",MOFA,rok_officials,ko\n')
    assert problem.startswith("config/recipients.csv:2: email: ")


def test_unknown_audience_names_the_known_ones(tmp_path: Path) -> None:
    (problem,) = problems_of(
        tmp_path, "Kim,kim@mofa.example.kr,MOFA,rok_officials;us_policymaker,ko\n"
    )
    assert problem.startswith('config/recipients.csv:2: audiences: "us_policymaker" is not a known')
    assert "rok_officials, senior_readers, us_policymakers" in problem


def test_duplicate_address_empty_audience_and_bad_language(tmp_path: Path) -> None:
    rows = (
        "Kim,kim@mofa.example.kr,MOFA,rok_officials,ko\n"
        "Kim Min-jun,KIM@mofa.example.kr,MOFA,senior_readers,ko\n"
        "Lee,lee@motie.example.kr,MOTIE,,ko\n"
        "Oh,oh@kepi.example.kr,KEPI,senior_readers,Korean\n"
    )
    found = problems_of(tmp_path, rows)
    assert any(p.startswith("config/recipients.csv:3: email:") and "twice" in p for p in found)
    assert any(p.startswith("config/recipients.csv:4: audiences: is empty") for p in found)
    assert any(p.startswith('config/recipients.csv:5: language: "Korean"') for p in found)


def test_a_name_with_a_line_break_is_an_error(tmp_path: Path) -> None:
    # A quoted CSV field may hold a newline; in a To: header it would start a new header.
    rows = '"Kim\r\nBcc: everyone@example.org",kim@mofa.example.kr,MOFA,rok_officials,ko\n'
    (problem,) = problems_of(tmp_path, rows)
    assert problem.startswith("config/recipients.csv:2: name: contains a line break")


def test_check_reads_audiences_from_memos_yaml(tmp_path: Path) -> None:
    write(
        tmp_path / "config" / "memos.yaml",
        "audiences:\n  ministers: {label: Ministers}\n"
        "memos:\n  - {id: brief, audience: staff, languages: [ko, en]}\n",
    )
    write(
        tmp_path / "config" / "recipients.csv",
        HEADER + "A,a@example.org,X,ministers;staff,en\nB,b@example.org,X,rok_officials,en\n",
    )
    config = read_memo_config(tmp_path)
    assert config is not None
    assert config.audiences == {"ministers", "staff"}
    assert config.default_language == {"brief": "ko"}
    assert [str(p) for p in check(tmp_path)] == [
        'config/recipients.csv:3: audiences: "rok_officials" is not a known audience '
        "(config/memos.yaml: ministers, staff)"
    ]


def test_check_without_recipients_file_finds_nothing(tmp_path: Path) -> None:
    assert check(tmp_path) == []


def test_shipped_recipients_are_valid() -> None:
    people, problems = load_recipients(
        REPO / recipients_module.RECIPIENTS, recipients_module.RECIPIENTS, AUDIENCES
    )
    assert problems == []
    assert {a for p in people for a in p.audiences} == AUDIENCES
    assert {p.language for p in people if "rok_officials" in p.audiences} == {"ko", "en"}
    assert all(p.email.endswith((".example.org", ".example.kr")) for p in people)
    if (REPO / "config" / "memos.yaml").exists():
        assert check(REPO) == []


# ------------------------------------------------------------------------------------------------
# Messages


def letter(**kw: str) -> Letter:
    values = {
        "memo_id": "korea-brief-ko",
        "edition": "2025-09-15",
        "title": "한미 관세 협상",
        "bottom_line": "투자와 관세를 연계하라.",
        "language": "ko",
        "recipient_name": "김민준",
        "recipient_email": "minjun.kim@mofa.example.kr",
        "link": "",
        **kw,
    }
    return Letter(pdf=b"%PDF-1.7 test", pdf_sha256="ab" * 32, **values)  # type: ignore[arg-type]


def parse(msg: email.message.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_korean_subject_name_and_file_name_are_encoded_and_decode_back() -> None:
    msg = build_message(letter(), "메모팀 <memos@example.org>")
    raw = msg.as_bytes()
    assert raw.isascii()
    assert b"\r\n" in raw  # policy SMTP: CRLF line ends
    back = parse(msg)
    assert back["Subject"] == "한미 관세 협상"
    assert back["Content-Language"] == "ko"
    assert back["To"].addresses[0].display_name == "김민준"
    assert back["From"].addresses[0].display_name == "메모팀"
    (part,) = back.iter_attachments()
    assert part.get_filename() == "한미 관세 협상 2025-09-15.pdf"
    assert part.get_content() == b"%PDF-1.7 test"
    assert back["Message-ID"] == build_message(letter(), "memos@example.org")["Message-ID"]


@pytest.mark.parametrize("evil", ["Brief\r\nBcc: all@example.org", "Brief\nBcc: all@example.org"])
def test_line_breaks_in_title_and_name_cannot_add_headers(evil: str) -> None:
    msg = build_message(letter(title=evil, recipient_name=evil), "memos@example.org")
    back = parse(msg)
    assert back["Bcc"] is None
    assert back["Subject"] == "Brief Bcc: all@example.org"
    assert [a.addr_spec for a in back["To"].addresses] == ["minjun.kim@mofa.example.kr"]
    assert "\n" not in header_text(evil) and "\r" not in header_text(evil)


@pytest.mark.parametrize(
    "address", ["kim@mofa.example.kr\r\nBcc: all@example.org", "kim@x.org, all@example.org", "kim"]
)
def test_an_address_that_is_not_one_plain_mailbox_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match="not an e-mail address"):
        build_message(letter(recipient_email=address), "memos@example.org")


def test_a_sender_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValueError):
        build_message(letter(), "Memos <memos@example.org>\r\nBcc: all@example.org")


def test_attachment_name_drops_characters_file_systems_refuse() -> None:
    assert attachment_name('Tariffs: "who pays"? a/b', "2025-09-15") == (
        "Tariffs who pays a b 2025-09-15.pdf"
    )


def test_html_body_escapes_values() -> None:
    msg = parse(build_message(letter(title="<b>x</b>", link="https://e.org/a?b=1&c=2"), "a@b.org"))
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'href="https://e.org/a?b=1&amp;c=2"' in html


# ------------------------------------------------------------------------------------------------
# Ledger


def entry(result: str = "sent", recipient: str = "a@example.org", sha: str = "1" * 64) -> Entry:
    return Entry("2025-09-15", "korea-brief-ko", recipient, sha, "2025-09-15T06:00:00Z", result)


def test_ledger_appends_lines_and_knows_what_was_delivered(tmp_path: Path) -> None:
    path = tmp_path / "ledger" / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry("failed-transient"))
        ledger.append(entry("sent"))
        ledger.append(entry("dry-run", "b@example.org"))
    entries = read_ledger(path)
    assert [e.result for e in entries] == ["failed-transient", "sent", "dry-run"]
    assert set(delivered(entries)) == {("korea-brief-ko", "a@example.org")}


def test_lines_written_before_sign_off_fields_existed_still_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deliveries.jsonl",
        '{"edition": "2025-06-01", "memo": "us-brief-en", "recipient": "a@example.org", '
        '"sha256": "ab12", "time": "2025-06-01T06:00:00Z", "result": "sent", "detail": ""}\n',
    )
    (old,) = read_ledger(path)
    assert old.result == "sent" and old.approved_by == old.message_id == ""
    with LedgerWriter(path) as ledger:
        ledger.append(entry("dry-run", "b@example.org"))
    # A dry-run line carries no sign-off fields, just as before.
    assert '"approved_by"' not in path.read_text(encoding="utf-8").splitlines()[1]


def test_an_uncertain_delivery_is_held_until_a_confirmed_one(tmp_path: Path) -> None:
    uncertain = Entry(
        "2025-09-15",
        "korea-brief-ko",
        "a@example.org",
        "ab12",
        "2025-09-15T06:00:00Z",
        "uncertain",
        "no reply",
        message_id="<m1@example.org>",
    )
    sent = Entry(
        "2025-09-15", "korea-brief-ko", "a@example.org", "ab12", "2025-09-15T07:00:00Z", "sent"
    )
    key = ("korea-brief-ko", "a@example.org")
    assert delivered([uncertain])[key].result == "uncertain"
    assert delivered([uncertain, sent])[key].result == "sent"
    # A later drop does not undo a confirmed delivery of the same PDF.
    assert delivered([sent, uncertain])[key].result == "sent"
    summary = summarize([uncertain], "ledger/deliveries.jsonl")
    assert "uncertain (1)" in summary and "<m1@example.org>" in summary
    assert "every attempted delivery has succeeded" not in summary


def test_a_torn_last_line_is_ignored_then_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry())
    with path.open("a") as f:
        f.write('{"edition": "2025-09-15", "memo": "kor')  # a crash in the middle of a write
    assert len(read_ledger(path)) == 1
    with LedgerWriter(path) as ledger:
        ledger.append(entry(recipient="b@example.org"))
    assert "incomplete last line" in capsys.readouterr().err
    assert [e.recipient for e in read_ledger(path)] == ["a@example.org", "b@example.org"]


def test_a_broken_line_inside_the_ledger_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry())
    with path.open("a") as f:
        f.write("not json\n")
    with pytest.raises(DataError) as caught:
        read_ledger(path, "ledger/deliveries.jsonl")
    assert str(caught.value.problems[0]).startswith(
        "ledger/deliveries.jsonl:2: not a ledger record"
    )


def test_two_runs_cannot_hold_the_ledger_at_once(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path), pytest.raises(RuntimeError, match="another `memo send`"):
        LedgerWriter(path).open()


def test_summary_counts_and_lists_open_failures(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ledger" / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry("sent", "a@example.org"))
        ledger.append(entry("failed-transient", "b@example.org"))
        ledger.append(entry("sent", "b@example.org"))
        ledger.append(
            Entry(
                "2025-09-15",
                "korea-brief-ko",
                "c@example.org",
                "1" * 64,
                "2025-09-15T06:00:01Z",
                "failed-permanent",
                "recipient refused: 550 no such user",
            )
        )
    text = summarize(read_ledger(path), "ledger/deliveries.jsonl")
    assert "edition 2025-09-15" in text
    assert "2 sent, 1 failed-permanent, 1 failed-transient" in text
    assert "delivered to 2 recipient(s)" in text
    assert "not delivered (1)" in text
    assert "c@example.org: failed-permanent" in text and "b@example.org: failed" not in text

    class Args:
        root = str(tmp_path)
        ledger = "ledger/deliveries.jsonl"

    assert cli_ledger(Args()) == 0  # type: ignore[arg-type]
    assert capsys.readouterr().out == text


# ------------------------------------------------------------------------------------------------
# SMTP settings and failure classes


def test_settings_come_from_the_environment_and_hide_the_password() -> None:
    s = settings_from_env(
        {
            "MEMO_SMTP_HOST": "smtp.example.org",
            "MEMO_SMTP_PORT": "2525",
            "MEMO_SMTP_USER": "memo-bot",
            "MEMO_SMTP_PASSWORD": "hunter2-secret",
        }
    )
    assert (s.host, s.port, s.user, s.starttls) == ("smtp.example.org", 2525, "memo-bot", True)
    assert "hunter2-secret" not in repr(s) and "hunter2-secret" not in s.describe()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MEMO_SMTP_HOST is not set"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_PORT": "smtp"}, "MEMO_SMTP_PORT"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_STARTTLS": "maybe"}, "MEMO_SMTP_STARTTLS"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_USER": "u"}, "both"),
        (
            {
                "MEMO_SMTP_HOST": "smtp.example.org",
                "MEMO_SMTP_STARTTLS": "false",
                "MEMO_SMTP_USER": "u",
                "MEMO_SMTP_PASSWORD": "topsecret",
            },
            "unencrypted",
        ),
    ],
)
def test_unusable_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        settings_from_env(env)
    assert "topsecret" not in str(caught.value)


def test_failures_are_sorted_into_transient_and_permanent() -> None:
    assert not classify(smtplib.SMTPDataError(451, b"try later")).permanent
    assert classify(smtplib.SMTPDataError(554, b"rejected")).permanent
    refused = smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")})
    assert classify(refused).permanent and "550" in classify(refused).detail
    assert not classify(ConnectionRefusedError()).permanent
    assert not classify(smtplib.SMTPServerDisconnected("gone")).permanent
    assert classify(smtplib.SMTPAuthenticationError(535, b"bad")).fatal


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert Backoff(retries=4, delay=1, factor=2, max_delay=5).delays() == [1, 2, 4, 5]


# ------------------------------------------------------------------------------------------------
# Plan: who gets which edition


def memo(memo_id: str, audience: str, language: str) -> PublishedMemo:
    return PublishedMemo(
        memo_id, memo_id.rsplit("-", 1)[0], audience, language, memo_id, "", "", Path("x.pdf"), "0"
    )


def test_plan_picks_the_reader_language_else_the_default_edition(tmp_path: Path) -> None:
    published = Published(
        "2025-09-15",
        (
            memo("korea-brief-ko", "rok_officials", "ko"),
            memo("korea-brief-en", "rok_officials", "en"),
            memo("us-brief-en", "us_policymakers", "en"),
        ),
    )
    rows = (
        HEADER + "Kim,kim@x.kr,X,rok_officials;us_policymakers,ko\n"
        "Park,park@x.kr,X,rok_officials,en\n"
        "Tanaka,tanaka@x.jp,X,rok_officials,ja\n"
        "Helen,helen@x.org,X,senior_readers,en\n"
    )
    people, problems = load_recipients(write(tmp_path / "r.csv", rows), "r.csv", None)
    assert problems == []
    got = [(d.memo.id, d.recipient.email) for d in plan(published, people, {"korea-brief": "ko"})]
    assert got == [
        ("korea-brief-ko", "kim@x.kr"),
        ("korea-brief-en", "park@x.kr"),
        ("korea-brief-ko", "tanaka@x.jp"),  # no Japanese edition: the memo's default, Korean
        ("us-brief-en", "kim@x.kr"),  # no Korean edition of the US brief: English
    ]


# ------------------------------------------------------------------------------------------------
# The published folder against its manifest (memo verify-manifest)


def published_folder(tmp_path: Path) -> Path:
    """A published folder: two memos, the index and a manifest listing them, as publish writes it."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, data in {
        "us-brief-en.pdf": b"%PDF-1.7 us brief",
        "us-brief-en.html": b"<h1>US brief</h1>",
        "index.html": b"<h1>Memos</h1>",
    }.items():
        (folder / name).write_bytes(data)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    memos = [{"id": "us-brief-en", "html": "us-brief-en.html", "pdf": "us-brief-en.pdf"}]
    manifest = {"edition": "2025-09-15", "memos": memos, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def verify_cli(tmp_path: Path, capsys) -> tuple[int, str, str]:
    code = main(["--root", str(tmp_path), "verify-manifest"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_untouched_folder_matches_and_names_the_manifest_digest(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    code, out, _ = verify_cli(tmp_path, capsys)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert code == 0
    assert out == f"reports/manifest.json: 3 files match (manifest sha256 {digest})\n"


def test_a_tampered_file_is_named_at_its_manifest_line(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "us-brief-en.pdf").write_bytes(b"%PDF-1.7 us brief, edited after review")
    code, out, err = verify_cli(tmp_path, capsys)
    lines = (folder / "manifest.json").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '"us-brief-en.pdf":' in text)
    assert code == 1 and out == ""
    first, last = err.splitlines()
    assert first.startswith(f"reports/manifest.json:{line}: files.us-brief-en.pdf: us-brief-en.pdf")
    assert "the manifest says" in first and "changed after the build" in first
    assert last == "reports/ does not match its manifest: send nothing from it"


def test_missing_extra_and_linked_files_are_each_reported(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "index.html").unlink()
    (folder / "notes.txt").write_text("added by hand", encoding="utf-8")
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes((folder / "us-brief-en.html").read_bytes())
    (folder / "us-brief-en.html").unlink()
    (folder / "us-brief-en.html").symlink_to(outside)
    code, _, err = verify_cli(tmp_path, capsys)
    assert code == 1
    assert "files.index.html: index.html is missing from reports/" in err
    assert "files.us-brief-en.html: is not a plain file in the folder" in err
    assert "reports/notes.txt:1: not listed in manifest.json" in err


def test_a_manifest_that_is_not_json_is_reported_at_its_line(tmp_path: Path, capsys) -> None:
    folder = published_folder(tmp_path)
    (folder / "manifest.json").write_text('{\n "files": {\n  "a": \n}', encoding="utf-8")
    code, _, err = verify_cli(tmp_path, capsys)
    assert code == 1 and err.startswith("reports/manifest.json:4: not JSON")
