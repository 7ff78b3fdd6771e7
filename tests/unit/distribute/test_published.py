"""memo.distribute.published: the published edition read against its manifest, and the plan of
who gets which language edition of which memo."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from memo.core.problems import DataError
from memo.distribute.published import Published, PublishedMemo, load_published, plan
from memo.distribute.recipients import load_recipients


def test_a_published_folder_reads_as_its_memos_with_their_pdf_digests(tmp_path: Path) -> None:
    pdf = b"%PDF-1.7 a memo"
    (tmp_path / "m-en.pdf").write_bytes(pdf)
    (tmp_path / "m-en.html").write_text("<h1>M</h1>", encoding="utf-8")
    files = {
        n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest()
        for n in ("m-en.pdf", "m-en.html")
    }
    entry = {"id": "m-en", "audience": "a", "language": "en", "title": "M", "pdf": "m-en.pdf"}
    manifest = {"edition": "2025-09-15", "input_digest": "d" * 64, "memos": [entry], "files": files}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    published = load_published(tmp_path, "reports")
    assert published.edition == "2025-09-15"
    [memo] = published.memos
    assert (memo.id, memo.memo, memo.sha256) == ("m-en", "m", hashlib.sha256(pdf).hexdigest())
    # A byte changed after the build: the folder is refused, naming the file.
    (tmp_path / "m-en.pdf").write_bytes(pdf + b" edited")
    with pytest.raises(DataError, match="m-en.pdf"):
        load_published(tmp_path, "reports")


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
        "name,email,organisation,audiences,language\n"
        "Kim,kim@x.kr,X,rok_officials;us_policymakers,ko\n"
        "Park,park@x.kr,X,rok_officials,en\n"
        "Tanaka,tanaka@x.jp,X,rok_officials,ja\n"
        "Helen,helen@x.org,X,senior_readers,en\n"
    )
    path = tmp_path / "r.csv"
    path.write_text(rows, encoding="utf-8")
    people, problems = load_recipients(path, "r.csv", None)
    assert problems == []
    got = [(d.memo.id, d.recipient.email) for d in plan(published, people, {"korea-brief": "ko"})]
    assert got == [
        ("korea-brief-ko", "kim@x.kr"),
        ("korea-brief-en", "park@x.kr"),
        ("korea-brief-ko", "tanaka@x.jp"),  # no Japanese edition: the memo's default, Korean
        ("us-brief-en", "kim@x.kr"),  # no Korean edition of the US brief: English
    ]
