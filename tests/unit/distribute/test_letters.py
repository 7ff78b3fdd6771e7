"""memo.distribute.letters: one message per recipient with each of their due memos, in their
language, its PDF read again and checked against the manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from memo.distribute.letters import by_recipient, eml_path, letter_for, read_unchanged
from memo.distribute.published import Delivery, PublishedMemo
from memo.distribute.recipients import Recipient
from memo.distribute.signoff import SendRefused


def memo(memo_id: str, language: str, pdf: Path, **kw: str) -> PublishedMemo:
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    return PublishedMemo(
        memo_id,
        memo_id.rsplit("-", 1)[0],
        "a",
        language,
        f"Title {memo_id}",
        "",
        f"{memo_id}.html",
        pdf,
        sha,
        **kw,
    )


def person(email: str, language: str = "en") -> Recipient:
    return Recipient(email.split("@")[0], email, "X", ("a",), language)


def test_due_memos_go_to_each_recipient_in_one_message_in_plan_order(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF a")
    en, ko = memo("m-en", "en", pdf), memo("m-ko", "ko", pdf)
    kim, park = person("Kim@x.kr", "ko"), person("park@x.kr")
    due = [Delivery(ko, kim), Delivery(en, park), Delivery(en, person("kim@x.kr", "ko"))]
    groups = by_recipient(due)
    assert [[(d.memo.id, d.recipient.email) for d in g] for g in groups] == [
        [("m-ko", "Kim@x.kr"), ("m-en", "kim@x.kr")],  # one address, however it is capitalised
        [("m-en", "park@x.kr")],
    ]
    assert eml_path(tmp_path, "2025-09-15", kim) == tmp_path / "2025-09-15/kim@x.kr.eml"


def test_a_letter_is_in_the_readers_language_with_links_and_changes(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF a")
    ko = memo("m-ko", "ko", pdf, marking="내부 업무용", publisher="정책메모팀")
    en = memo("m-en", "en", pdf, marking="For official use", publisher="Policy Memo Unit")
    group = [
        Delivery(ko, person("kim@x.kr", "ko"), ("관세가 낮아졌습니다.",), "2025-09-08"),
        Delivery(en, person("kim@x.kr", "ko")),
    ]
    letter = letter_for(group, "2025-09-15", "https://memos.example.org/", Path.read_bytes)
    assert (letter.language, letter.edition_date_text) == ("ko", "2025년 9월 15일")
    assert (letter.marking, letter.publisher) == (
        "내부 업무용",
        "정책메모팀",
    )  # the reader's language
    assert [m.link for m in letter.memos] == [
        "https://memos.example.org/m-ko.html",
        "https://memos.example.org/m-en.html",
    ]
    assert (
        letter.memos[0].changes == ("관세가 낮아졌습니다.",)
        and letter.memos[0].since == "2025-09-08"
    )
    assert letter.index_link == "https://memos.example.org/index.html"
    # A reader of a language the messages are not written in reads them in English.
    tanaka = [Delivery(en, person("tanaka@x.jp", "ja"))]
    letter = letter_for(tanaka, "2025-09-15", "", Path.read_bytes)
    assert (letter.language, letter.edition_date_text) == ("en", "15 September 2025")
    assert letter.memos[0].link == "" and letter.index_link == ""  # no base URL, no links


def test_a_pdf_changed_since_the_manifest_is_never_attached(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF a")
    sha = hashlib.sha256(b"%PDF a").hexdigest()
    assert read_unchanged(pdf, sha) == b"%PDF a"
    pdf.write_bytes(b"%PDF b")
    with pytest.raises(SendRefused, match="changed during the send"):
        read_unchanged(pdf, sha)
