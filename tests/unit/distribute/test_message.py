"""memo.distribute.message: e-mails built safely: encoded Korean, no header injection, escaped HTML."""

from __future__ import annotations

import email
from email import policy

import pytest

from memo.distribute.message import (
    Enclosure,
    Letter,
    attachment_name,
    build_message,
    header_text,
)

# ------------------------------------------------------------------------------------------------
# Messages


def enclosure(**kw: str) -> Enclosure:
    values = {
        "memo_id": "korea-brief-ko",
        "title": "한미 관세 협상",
        "bottom_line": "투자와 관세를 연계하라.",
        "language": "ko",
        "link": "",
        **kw,
    }
    return Enclosure(pdf=b"%PDF-1.7 test", pdf_sha256="ab" * 32, **values)  # type: ignore[arg-type]


def letter(*memos: Enclosure, **kw: str) -> Letter:
    memo_keys = ("title", "link", "bottom_line")
    values = {
        "edition": "2025-09-15",
        "language": "ko",
        "recipient_name": "김민준",
        "recipient_email": "minjun.kim@mofa.example.kr",
        **{k: v for k, v in kw.items() if k not in memo_keys},
    }
    memos = memos or (enclosure(**{k: v for k, v in kw.items() if k in memo_keys}),)
    return Letter(memos=memos, **values)  # type: ignore[arg-type]


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


ENCODED_WORD = "=?utf-8?q?=0D=0AReply-To=3A_spy=40evil.example?="


def test_an_encoded_word_in_a_title_or_name_cannot_add_a_header() -> None:
    """Python decodes ``=?utf-8?q?...?=`` in a header value it is given, line breaks included."""
    letter = Letter(
        edition="2025-09-15",
        language="en",
        recipient_name=f"Kim {ENCODED_WORD}",
        recipient_email="kim@example.org",
        memos=(Enclosure("m", f"Brief {ENCODED_WORD}", "", "en", b"%PDF-1.7", "0" * 64),),
        marking=f"Secret {ENCODED_WORD}",
        publisher=f"Unit {ENCODED_WORD}",
    )
    raw = build_message(letter, f"Memo team {ENCODED_WORD} <memos@example.org>").as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [line for line in head if line.lower().startswith(b"reply-to")], head
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Reply-To"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["kim@example.org"]
    assert [a.addr_spec for a in msg["From"].addresses] == ["memos@example.org"]
    assert "\n" not in msg["Subject"] and "Reply-To" in msg["Subject"]


# ------------------------------------------------------------------------------------------------
# One message for all of a recipient's memos


def test_one_message_carries_every_memo_with_marking_publisher_and_date_in_words() -> None:
    english = enclosure(
        memo_id="us-brief-en",
        title="Tariffs on allies",
        bottom_line="Allies pay.",
        language="en",
        link="https://memos.example.org/us-brief-en.html",
    )
    korean = enclosure(link="https://memos.example.org/korea-brief-ko.html")
    two = letter(
        korean,
        english,
        marking="내부 업무용",
        publisher="정책메모팀",
        edition_date_text="2025년 9월 15일",
        index_link="https://memos.example.org/index.html",
    )
    msg = parse(build_message(two, "memos@example.org"))
    assert msg["Subject"] == "[내부 업무용] 정책메모팀: 2025년 9월 15일자 메모 2건"
    assert msg["X-Memo-Id"] == "korea-brief-ko us-brief-en"
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert names == ["한미 관세 협상 2025-09-15.pdf", "Tariffs on allies 2025-09-15.pdf"]
    text = msg.get_body(("plain",)).get_content()
    assert "2025년 9월 15일자 정책 메모 2건을 보내 드립니다:" in text
    for piece in (
        "한미 관세 협상",
        "핵심 결론: 투자와 관세를 연계하라.",
        "온라인으로 읽기: https://memos.example.org/korea-brief-ko.html",
        "Tariffs on allies",
        "온라인으로 읽기: https://memos.example.org/us-brief-en.html",
        "이번 호의 모든 메모: https://memos.example.org/index.html",
    ):
        assert piece in text, piece
    assert "2025-09-15" not in text.split("첨부")[0], "the date in words, not ISO"
    html = msg.get_body(("html",)).get_content()
    assert '<h1 lang="en">Tariffs on allies</h1>' in html
    assert 'href="https://memos.example.org/index.html"' in html


def test_one_memo_in_english_names_its_title_and_the_date_in_words() -> None:
    one = letter(
        enclosure(memo_id="us-brief-en", title="Tariffs on allies", language="en"),
        language="en",
        recipient_name="Jordan Ellis",
        marking="For official use",
        publisher="Policy Memo Unit",
        edition_date_text="15 September 2025",
    )
    msg = parse(build_message(one, "memos@example.org"))
    assert msg["Subject"] == "[For official use] Policy Memo Unit: Tariffs on allies"
    text = msg.get_body(("plain",)).get_content()
    assert "Please find attached the memo of the edition of 15 September 2025:" in text
    assert "The memo is attached as a PDF (Tariffs on allies 2025-09-15.pdf)." in text
    # Without a base URL, no link at all.
    assert "http" not in text


def test_a_message_without_a_memo_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one memo"):
        build_message(Letter("2025-09-15", "en", "Kim", "kim@example.org", ()), "a@b.org")


@pytest.mark.parametrize(
    "title", ["한미 관세 협상: 한국의 선택지", "인도의 전략 재조정과 한국에 주는 함의"]
)
def test_a_long_korean_subject_keeps_every_space(title: str) -> None:
    """A subject long enough to be folded comes back word for word ("한미 관세", not "한미관세")."""
    msg = build_message(
        letter(title=title, marking="내부 업무용", publisher="정책메모팀"), "memos@example.org"
    )
    assert parse(msg)["Subject"] == f"[내부 업무용] 정책메모팀: {title}"


def test_what_changed_since_the_readers_edition_is_in_both_bodies() -> None:
    changes = ("US tariff rate for India fell from 50% to 45%.", "A <b> & 'quoted' change.")
    msg = parse(
        build_message(
            letter(enclosure(changes=changes, since="2025-09-01"), language="en"),
            "memos@example.org",
        )
    )
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "    What has changed since the edition you received (2025-09-01):\n"
        "      - US tariff rate for India fell from 50% to 45%.\n"
        "      - A <b> & 'quoted' change.\n"
    ) in text
    html = msg.get_body(("html",)).get_content()
    assert "<li>A &lt;b&gt; &amp; &#x27;quoted&#x27; change.</li>" in html
    first = parse(build_message(letter(language="en"), "memos@example.org"))
    assert "What has changed" not in first.get_body(("plain",)).get_content()
