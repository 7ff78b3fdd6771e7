"""Memos a reader takes in without friction, read back from the session build (the PDF through the
text and boxes it draws, the HTML in headless Chromium): note calls that no reader can take for
part of a figure, met in the order they are numbered; charts numbered and printed beside the text
that refers to them, no chart text below 8 pt; no page but the last left a third empty; Korean
drawn from the font the page carries; an index that fits a phone; and a Korean edition that stops
rather than show a changed English sentence.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import html5lib
import pytest
from a11y import browser as chromium
from helpers import (
    EDITION_DATE,
    MEMO_DEFS,
    MEMOS,
    REPO,
    copy_built,
    language,
    pdf_lines,
    pdf_runs,
    replace_in,
    run_memo,
)

pytestmark = pytest.mark.e2e

CALL = re.compile(r"\[(\d+)\]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
MM = 72 / 25.4
# The page box of templates/print.css: "margin: <top> <right> <bottom> <left>" in mm.
_MARGINS = re.search(
    r"@page \{[^}]*?margin: ([\d.]+)mm [\d.]+mm ([\d.]+)mm",
    (REPO / "templates/print.css").read_text(),
)
TOP, BOTTOM = (float(v) * MM for v in _MARGINS.groups())


def page_html(reports: Path, memo: str) -> str:
    return (reports / f"{memo}.html").read_text(encoding="utf-8")


def notes_heading(markup: str) -> str:
    return htmllib.unescape(re.search(r'<h2 id="notes-h">(.*?)</h2>', markup)[1])


def headings(markup: str) -> set[str]:
    found = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", markup, re.S)
    return {" ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", h)).split()) for h in found}


def body_text(reports: Path, memo: str) -> str:
    """The PDF's text before its notes, line by line (the notes cite each other: "(note 3)")."""
    text = "\n".join(t for page in pdf_lines(reports / f"{memo}.pdf") for _, t in page)
    return text.split(notes_heading(page_html(reports, memo)))[0]


def first_seen(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


# ---- note calls --------------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_no_note_call_directly_follows_a_figure(reports, memo):
    markup = page_html(reports, memo)
    body = markup.split('<section class="notes"')[0]
    calls_html = re.findall(r'(.)<a class="noteref"[^>]*>\[(\d+)\]</a>', body)
    assert calls_html, f"{memo}: no note call"
    assert {before for before, _ in calls_html} == {"\u00a0"}, "a call not set apart by a space"
    text = body_text(reports, memo)
    calls_pdf = CALL.findall(text)
    # Every call the HTML makes is printed bracketed: none as a bare number after a figure.
    assert len(calls_pdf) == len(calls_html), (len(calls_pdf), len(calls_html))
    # pdftotext takes glyphs without a visible gap for one word: "50%[1]" would be one.
    stuck = re.findall(r".{0,12}\S\[\d+\]", text)
    assert not stuck, f"{memo}: calls printed against the text before them: {stuck}"


@pytest.mark.parametrize("memo", MEMOS)
def test_notes_are_numbered_in_the_order_a_reader_meets_them_in_the_pdf(reports, memo):
    seen = first_seen([int(n) for n in CALL.findall(body_text(reports, memo))])
    assert seen == list(range(1, len(seen) + 1)), f"{memo}: first calls in the PDF: {seen}"


# ---- charts ------------------------------------------------------------------------------------


def figure_words(memo: str) -> tuple[str, str]:
    """ "Figure {n}" and "Figure {n}: {title}" as the memo's catalogue words them."""
    from memo.render.i18n import translations

    _ = translations(REPO / "templates", language(memo)).gettext
    return _("Figure {n}"), _("Figure {n}: {title}")


@pytest.mark.parametrize("memo", MEMOS)
def test_charts_are_numbered_and_stand_with_the_text_that_refers_to_them(reports, memo):
    root = html5lib.parse(
        page_html(reports, memo), treebuilder="etree", namespaceHTMLElements=False
    )
    ref_words, title_words = figure_words(memo)
    figures = [f for f in root.iter("figure") if "chart" in f.get("class", "")]
    assert len(figures) == len(MEMO_DEFS[memo]["charts"])
    sections = {id(el): sec for sec in root.iter("section") for el in sec.iter()}
    for n, figure in enumerate(figures, 1):
        chart_id = figure.get("id").removeprefix("chart-")
        title = "".join(figure.find(".//p").itertext())
        assert title.startswith(title_words.split("{title}")[0].format(n=n)), title
        refs = [a for a in root.iter("a") if a.get("href") == f"#chart-{chart_id}"]
        assert all("".join(a.itertext()) == ref_words.format(n=n) for a in refs)
        # Beside its discussion: in the section whose text refers to it by its number, unless
        # the memo gathers its charts in a section of their own (a one-page memo, under its table).
        home = sections[id(figure)]
        if "charts" not in home.get("class", "").split():
            assert refs, f"{memo}: the text never refers to {chart_id}"
            assert any(sections.get(id(a)) is home for a in refs), (
                f"{memo}: {chart_id} stands apart"
            )
    # The PDF numbers them too.
    text = body_text(reports, memo)
    for n in range(1, len(figures) + 1):
        assert title_words.split(":")[0].format(n=n) in text


@pytest.mark.parametrize("memo", MEMOS)
def test_no_chart_text_is_printed_below_8_pt(reports, memo):
    sizes = [
        r.size
        for page in pdf_runs(reports / f"{memo}.pdf")
        for r in page
        if r.figure and r.text.strip()
    ]
    assert sizes, f"{memo}: no chart text found in the PDF's figures"
    assert min(sizes) >= 8, f"{memo}: chart text at {min(sizes):.2f} pt"


# ---- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_no_page_but_the_last_is_left_a_third_empty_or_ends_with_a_heading(reports, memo):
    from pypdf import PdfReader

    pages = pdf_lines(reports / f"{memo}.pdf")
    heights = [float(p.mediabox.height) for p in PdfReader(reports / f"{memo}.pdf").pages]
    titles = headings(page_html(reports, memo))
    for number, (page, height) in enumerate(zip(pages, heights, strict=True), 1):
        # Lines between the running header and footer, measured from the top of the page.
        body = [(y, t) for y, t in page if TOP < y < height - BOTTOM and t.strip()]
        assert body, f"{memo} page {number} prints nothing"
        low, last = max(body)
        fill = (low - TOP) / (height - TOP - BOTTOM)
        if number < len(pages):
            assert fill >= 2 / 3, f"{memo} page {number} is only {fill:.0%} full"
            assert " ".join(last.split()) not in titles, f"{memo} page {number} ends with {last!r}"


# ---- HTML in Chromium --------------------------------------------------------------------------

HANGUL_NODES = r"""() => {
  // The page is shared between tests and widths: marks of an earlier call go first.
  document.querySelectorAll('[data-hangul]').forEach((e) => e.removeAttribute('data-hangul'));
  const hangul = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]/g;
  let id = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
    const found = own.match(hangul);
    const shown = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    if (found && shown) el.setAttribute('data-hangul', `${id++} ${found.length}`);
  }
  return id;
}"""


def hangul_fonts(open_page, path: Path, viewport: dict) -> list[tuple[int, list[dict]]]:
    """For each element showing Hangul of its own: how many Hangul characters, and the fonts
    Chromium drew its text with (CSS.getPlatformFontsForNode)."""
    page = open_page(path, viewport)
    page.evaluate("document.fonts.ready")
    assert page.evaluate(HANGUL_NODES) > 0, f"{path.name}: no Hangul shown"
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        document = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": document, "selector": "[data-hangul]"})
        out = []
        for node in nodes["nodeIds"]:
            attributes = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]
            count = int(
                dict(zip(attributes[::2], attributes[1::2], strict=True))["data-hangul"].split()[1]
            )
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            out.append((count, fonts))
        return out
    finally:
        cdp.detach()


KOREAN_PAGES = [
    f"{m}.html" for m in MEMOS if language(m) == "ko" or "ko" in MEMO_DEFS[m]["languages"]
]


@pytest.mark.parametrize("name", [*KOREAN_PAGES, "index.html"])
def test_hangul_is_drawn_with_the_font_the_page_carries(open_page, reports, name):
    """On this machine no system font has Hangul (fc-list :lang=ko is empty): without the embedded
    font every Hangul glyph would be a box. Each element's Hangul is drawn by the page's own font,
    NanumGothic from a WOFF2 data URL, never by a system font."""
    for viewport in (chromium.DESKTOP, chromium.PHONE):
        elements = hangul_fonts(open_page, reports / name, viewport)
        for count, fonts in elements:
            embedded = sum(
                f["glyphCount"]
                for f in fonts
                if f["isCustomFont"] and f["familyName"] == "NanumGothic"
            )
            assert embedded >= count, f"{name}: {count} Hangul characters, fonts used: {fonts}"


@pytest.mark.parametrize("name", [*(f"{m}.html" for m in MEMOS), "index.html"])
def test_nothing_runs_off_a_phone_screen(open_page, reports, name):
    """At 390 px nothing is cut off to the right or hidden in a box that scrolls sideways."""
    page = open_page(reports / name, chromium.PHONE)
    width = chromium.PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')].filter((el) => {
                 const r = el.getBoundingClientRect();
                 // A box that scrolls sideways hides what runs past it (a header kept for
                 // screen readers, clipped to one pixel, hides nothing from sight).
                 return r.right > width + 0.5 || el.clientWidth > 1
                   && el.scrollWidth > el.clientWidth + 1
                   && getComputedStyle(el).overflowX !== 'visible';
               }).map((el) => el.tagName + '.' + el.className)""",
        width,
    )
    assert wide == [], f"{name}: {wide}"


def test_the_index_dates_the_edition_in_words(reports):
    root = html5lib.parse(
        (reports / "index.html").read_text(encoding="utf-8"),
        treebuilder="etree",
        namespaceHTMLElements=False,
    )
    shown = " ".join("".join(root.find("body").itertext()).split())
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown), "an ISO date on the index"
    edition = dt.date.fromisoformat(EDITION_DATE)
    assert f"{edition.day} {edition:%B} {edition.year}" in shown  # "15 September 2025"


@pytest.mark.parametrize("memo", MEMOS)
def test_notes_are_numbered_in_reading_order_in_chromium(open_page, reports, memo):
    page = open_page(reports / f"{memo}.html", chromium.DESKTOP)
    calls = page.evaluate(
        "[...document.querySelectorAll('main a.noteref, header a.noteref')].map((a) => a.textContent)"
    )
    seen = first_seen([int(CALL.fullmatch(c)[1]) for c in calls])
    assert seen == list(range(1, len(seen) + 1)), f"{memo}: first calls in the page: {seen}"


# ---- a Korean edition is never half English ----------------------------------------------------


def test_a_changed_english_sentence_stops_the_korean_edition(built_project, tmp_path):
    bilingual = next(
        d for d in MEMO_DEFS.values() if "ko" in d["languages"] and "en" in d["languages"]
    )
    project = copy_built(built_project.root, tmp_path / "p")
    template = project / "templates" / bilingual["template"]
    source = template.read_text(encoding="utf-8")
    sentence = re.search(r"%\}([A-Z][^.{]{8,}\.)", source)[1]  # the first sentence of a trans block
    replace_in(template, sentence, sentence[:-1] + ", again.")
    line = source[: source.index(sentence)].count("\n") + 1
    catalogue = "templates/locale/ko/LC_MESSAGES/memo.po"

    korean = run_memo(project, "render", f"{bilingual['id']}-ko", "--out", str(tmp_path / "out"))
    assert korean.returncode == 1, korean.stderr
    assert (
        f"memo {bilingual['id']}-ko: 1 message without a confirmed Korean translation"
        in korean.stderr
    )
    assert f"update {catalogue}" in korean.stderr
    assert f"templates/{bilingual['template']}:{line}: " in korean.stderr
    assert not (tmp_path / "out" / f"{bilingual['id']}-ko.html").exists()

    english = run_memo(project, "render", f"{bilingual['id']}-en", "--out", str(tmp_path / "out"))
    assert english.returncode == 0, english.stderr

    validate = run_memo(project, "validate")
    assert validate.returncode == 1
    assert (
        f"templates/{bilingual['template']}:{line}: message: no confirmed Korean translation"
        in validate.stderr
    )
    assert catalogue in validate.stderr
