"""memo.render.linebreak: for the PDF, each Korean word is kept on one line (WeasyPrint lacks
``word-break: keep-all``); the text read from the page stays the same."""

from __future__ import annotations

import re

from memo.render.linebreak import MAX_CHARS, for_pdf, keep_words

OPEN, CLOSE = '<span class="kw">', "</span>"


def body(html: str) -> str:
    return keep_words(f"<html><body>{html}</body></html>")[
        len("<html><body>") : -len("</body></html>")
    ]


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_each_korean_word_is_wrapped_and_the_spaces_stay_outside() -> None:
    assert body("<p>한국의 대응 전략</p>") == (
        f"<p>{OPEN}한국의{CLOSE} {OPEN}대응{CLOSE} {OPEN}전략{CLOSE}</p>"
    )


def test_latin_words_are_left_alone() -> None:
    assert body("<p>India and 한국</p>") == f"<p>India and {OPEN}한국{CLOSE}</p>"


def test_a_figure_with_its_note_call_and_particle_is_kept_whole() -> None:
    word = '<span class="fig">50%</span><a class="noteref" href="#note-1"><sup>1</sup></a>를'
    assert body(f"<p>관세 {word} 부과</p>") == (
        f"<p>{OPEN}관세{CLOSE} {OPEN}{word}{CLOSE} {OPEN}부과{CLOSE}</p>"
    )


def test_a_word_running_out_of_an_element_takes_in_the_whole_element() -> None:
    # "단어</em>입니다" cannot be wrapped alone without breaking the nesting: the range grows to
    # the whole <em>, and with it the word "강조된" that starts inside it.
    assert (
        body("<p><em>강조된 단어</em>입니다</p>")
        == f"<p>{OPEN}<em>강조된 단어</em>입니다{CLOSE}</p>"
    )


def test_svg_style_and_script_are_never_touched() -> None:
    html = "<svg><text>한국 관세</text></svg><style>p::after { content: '한국' }</style>"
    assert body(html) == html


def test_a_word_too_long_for_a_line_is_left_to_break() -> None:
    long_word = "가" * (MAX_CHARS + 1)
    assert body(f"<p>{long_word}</p>") == f"<p>{long_word}</p>"


def test_text_read_from_the_page_is_unchanged() -> None:
    html = '<p>인도는 <span class="fig">약 140억 달러</span><a class="noteref"><sup>2</sup></a>를 수입했다.</p>'
    assert plain(body(html)) == plain(html)


def test_only_korean_memos_are_changed() -> None:
    html = "<html><body><p>한국</p></body></html>"
    assert for_pdf(html, "en") == html
    assert OPEN in for_pdf(html, "ko")
    assert keep_words("<p>no body</p>") == "<p>no body</p>"
