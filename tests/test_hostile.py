"""Hostile input refused or kept at the unit level: source and base URLs that are not web
addresses, invisible controls, encoded words in e-mail headers.

The end-to-end parts of this file (the hostile build, HTML, CSS, browser, PDF, e-mail, blocked
references, very long strings) are in tests/e2e/test_hostile.py; what is left here waits to move to
the unit tier (tests/unit/).
"""

from __future__ import annotations

import email
from email import policy

import pytest
import yaml
from helpers import EDITION_DATE, REPO

ENCODED_WORD = "=?utf-8?q?=0D=0AReply-To=3A_spy=40evil.example?="


def _write_yaml(path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_encoded_word_in_a_title_or_name_cannot_add_a_header():
    """Python decodes ``=?utf-8?q?...?=`` in a header value it is given, line breaks included."""
    from memo.distribute.message import Letter, build_message

    letter = Letter(
        memo_id="m",
        edition=EDITION_DATE,
        title=f"Brief {ENCODED_WORD}",
        bottom_line="",
        language="en",
        recipient_name=f"Kim {ENCODED_WORD}",
        recipient_email="kim@example.org",
        pdf=b"%PDF-1.7",
        pdf_sha256="0" * 64,
    )
    raw = build_message(letter, f"Memo team {ENCODED_WORD} <memos@example.org>").as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [line for line in head if line.lower().startswith(b"reply-to")], head
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Reply-To"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["kim@example.org"]
    assert [a.addr_spec for a in msg["From"].addresses] == ["memos@example.org"]
    assert "\n" not in msg["Subject"] and "Reply-To" in msg["Subject"]


# ---- data that is refused, with a clear message ------------------------------------------------

BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "ftp://example.org/x",
    " javascript:alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_source_url_that_is_not_a_web_address_is_rejected(make_data_project, url):
    from memo.ingest.dataset import check_dataset

    sources = "id,footnote,author,title,publisher,date,url,note\n" + (
        "article,,A,The article,P,2025-09-15,,\n"
        f"fn01,1,,Exports,CNBC,2025-08-07,{_csv_field(url)},\n"
        "fn09,9,,Trade facts,USTR,2025,https://example.org/b,\n"
    )
    root = make_data_project(sources=sources)
    dataset, problems = check_dataset(root)
    assert dataset is None
    found = [str(p) for p in problems if p.column == "url"]
    assert found == [
        f'data/sources.csv:3: url: url "{url.strip()}" does not start with http:// or https:// '
        "(paste the full address)"
    ], [str(p) for p in problems]


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def test_a_base_url_that_is_not_a_web_address_is_rejected(tmp_path):
    from memo.ingest.config import CONFIG, SCHEMAS
    from memo.ingest.schema import check_against_schema

    config = yaml.safe_load((REPO / CONFIG).read_text("utf-8"))
    for bad in ("javascript:alert(1)//", 'https://example.org/"><script>', "file:///etc"):
        config["base_url"] = bad
        path = tmp_path / "config.yaml"
        _write_yaml(path, config)
        _, problems = check_against_schema(path, CONFIG, SCHEMAS / "config.schema.yaml")
        assert [p.column for p in problems] == ["base_url"], (bad, problems)
        assert "https://" in problems[0].hint
    config["base_url"] = "https://memos.example.org/2025/"
    _write_yaml(path, config)
    assert check_against_schema(path, CONFIG, SCHEMAS / "config.schema.yaml")[1] == []


INVISIBLE = {
    # (file, row text, column, character named in the message)
    "bidi override in a note": (
        "indicators",
        'us_tariff_rate_pct,IND,,2025-08,25,,,,percent,fn01,"\u202e52 tnecrep"',
        "note",
        "right-to-left override (U+202E)",
    ),
    "bidi isolate in a source title": (
        "sources",
        "fn02,2,,Title \u2067hidden\u2069,Reuters,2025-08-31,,",
        "title",
        "right-to-left isolate (U+2067)",
    ),
    "zero-width space in a source id": (
        "sources",
        "fn02\u200b,2,,Title,Reuters,2025-08-31,,",
        "id",
        "zero width space (U+200B)",
    ),
    "zero-width joiner in an entity code": (
        "indicators",
        "us_tariff_rate_pct,IN\u200dD,,2025-08,25,,,,percent,fn01,",
        "entity",
        "zero width joiner (U+200D)",
    ),
    "left-to-right mark in a date": (
        "events",
        "tariff_order2,2025-08-06\u200e,Order,fn01,",
        "date",
        "left-to-right mark (U+200E)",
    ),
}


@pytest.mark.parametrize("case", list(INVISIBLE))
def test_invisible_controls_are_rejected_naming_the_character(make_data_project, case):
    from conftest import GOOD_FILES

    from memo.ingest.dataset import check_dataset

    stem, row, column, name = INVISIBLE[case]
    text = GOOD_FILES[f"data/{stem}.{'yaml' if stem == 'dictionary' else 'csv'}"] + row + "\n"
    root = make_data_project(**{stem: text})
    _, problems = check_dataset(root)
    line = text.count("\n")
    hits = [p for p in problems if p.column == column and p.line == line and name in p.problem]
    assert hits, [str(p) for p in problems]
    assert "delete it" in hits[0].hint


def test_zero_width_characters_in_free_text_are_kept(make_data_project):
    from conftest import GOOD_FILES

    from memo.ingest.dataset import check_dataset

    note = "India\u200d\u200cX \u200bwide"
    text = (
        GOOD_FILES["data/indicators.csv"]
        + f"us_tariff_rate_pct,IND,,2025-08,25,,,,percent,fn01,{note}\n"
    )
    dataset, problems = check_dataset(make_data_project(indicators=text))
    assert problems == []
    assert note in [o.note for o in dataset.observations]


def test_invisible_controls_in_yaml_are_rejected_with_their_line(tmp_path):
    from memo.ingest.schema import check_yaml

    path = tmp_path / "memos.yaml"
    path.write_text(
        "audiences:\n  rok\u200b_officials: {label: Officials}\n"
        'memos:\n  - id: a\n    title: "Brief \u202egnp.exe"\n',
        encoding="utf-8",
    )
    _, problems = check_yaml(path, "config/memos.yaml", {"type": "object"})
    found = {(p.line, p.column, p.problem) for p in problems}
    assert (2, "audiences.rok\u200b_officials", "key contains a zero width space (U+200B)") in found
    assert (5, "memos[0].title", "contains a right-to-left override (U+202E)") in found
