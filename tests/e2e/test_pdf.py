"""The published PDFs as a reader and a document system see them: length, metadata, fonts, figures
with their note calls, the paper each memo's readers use, bookmarks, running header and footer.

All tests read the session build (fixture ``reports``); none writes.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from pathlib import Path

import pikepdf
import pytest
import yaml
from helpers import MEMO_DEFS, MEMOS, REPO, edition_config, language, pdf_text

pytestmark = pytest.mark.e2e

CONFIG = edition_config()

# Figures from the Sejong Focus article, printed as the memo should print them, each to be
# followed by its note number (memos of the seed topic; every memo is also checked against its own
# figure record below). Korean editions use their own patterns for most of these
# ("$8–12" reads "8~12달러"); the percentages read the same in both languages.
KEY_FIGURES = {
    "korea-brief-en": [
        r"50%",  # the US tariff on India since 6 August 2025
        r"\$212\.3 billion",  # US–India trade, 2024
        r"\$99\.2 billion",  # India's deficit with China, 2024
        r"36–40%",  # Russia's share of India's crude imports, 2025
        r"less than 2%",  # the same share in 2021
        r"3,488 km",  # the disputed India–China border
        r"more than 50,000",  # troops on each side
        r"about 83,000 km²",  # Arunachal Pradesh
        r"\$8–12 per barrel",  # the Urals discount
        r"about \$13–15 billion",  # India's arms imports a year
    ],
    "korea-brief-ko": [r"50%", r"36[–~]40%"],
    "us-brief-en": [
        r"50%",
        r"\$212\.3 billion",
        r"36–40%",
        r"less than 2%",
        r"31 percentage points",  # 50% on India against 19% on Pakistan
        r"nearly \$87 billion",  # Indian exports exposed
        r"\$8–12 per barrel",
    ],
    "key-figures-en": [
        r"50%",
        r"\$212\.3 billion",
        r"\$99\.2 billion",
        r"36–40%",
        r"31 percentage points",
        r"nearly \$87 billion",
        r"about \$68 billion",  # Japan's investment pledge
    ],
}


def edition_date_text(lang: str) -> str:
    """The edition date as a reader of the language writes it (15 September 2025 / 2025년 9월 15일)."""
    d = dt.date.fromisoformat(CONFIG["edition"]["date"])
    if lang == "ko":
        return f"{d.year}년 {d.month}월 {d.day}일"
    return f"{d.day} {d:%B} {d.year}"


def page_of(lang: str, page: int, pages: int) -> str:
    """ "Page 2 of 4" in the memo's language, as its translation catalogue words it."""
    pattern = "Page {page} of {pages}"
    po = REPO / f"templates/locale/{lang}/LC_MESSAGES/memo.po"
    if lang != "en" and po.is_file():
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            message = read_po(f).get(pattern)
        if message is not None and message.string:
            pattern = message.string
    return pattern.format(page=page, pages=pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs(reports: Path):
    opened = {m: pikepdf.open(reports / f"{m}.pdf") for m in MEMOS}
    yield opened
    for pdf in opened.values():
        pdf.close()


# ---- length -------------------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_page_count_within_the_memo_target(pdfs, memo):
    lo, hi = MEMO_DEFS[memo]["pages"]
    pages = len(pdfs[memo].pages)
    assert lo <= pages <= hi, f"{memo}: {pages} pages, target {lo}–{hi} (config/memos.yaml)"


# ---- metadata -----------------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_metadata_names_the_memo_and_is_dated_by_the_edition(pdfs, reports, memo):
    pdf = pdfs[memo]
    info = {str(k): str(v) for k, v in pdf.docinfo.items()}
    definition = MEMO_DEFS[memo]
    lang = language(memo)
    markup = (reports / f"{memo}.html").read_text(encoding="utf-8")
    html_title = re.search(r"<title>(.*?)</title>", markup, re.S).group(1)
    assert info["/Title"] == htmllib.unescape(html_title).strip()
    if lang == "en":
        assert info["/Title"] == definition["title"]
        assert info["/Subject"] == definition["description"]
        assert info["/Keywords"] == ", ".join(definition["keywords"])
        assert info["/Author"] == definition.get("author", CONFIG["edition"]["publisher"])
    else:
        for key in ("/Subject", "/Keywords", "/Author"):
            assert info.get(key, "").strip(), f"{memo}: empty {key}"
    assert str(pdf.Root.get("/Lang")) == lang
    # The edition date, never the clock: the same inputs give the same file.
    day = CONFIG["edition"]["date"].replace("-", "")
    assert info["/CreationDate"].startswith(f"D:{day}"), info["/CreationDate"]
    assert info.get("/ModDate", f"D:{day}").startswith(f"D:{day}")


@pytest.mark.parametrize("memo", MEMOS)
def test_every_font_is_embedded(pdfs, memo):
    fonts = [
        o
        for o in pdfs[memo].objects
        if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
    ]
    assert fonts, f"{memo}: no fonts found"
    missing = []
    for font in fonts:
        if font.get("/Subtype") == "/Type3":
            continue  # glyphs drawn in the file itself
        described = (
            list(font.get("/DescendantFonts", [])) if font.get("/Subtype") == "/Type0" else [font]
        )
        for f in described:
            fd = f.get("/FontDescriptor")
            if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(f.get("/BaseFont")))
    assert not missing, f"{memo}: fonts not embedded: {missing}"


# ---- what a reader sees -------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_key_figures_are_printed_with_their_note_numbers(pdfs, reports, memo):
    text = " ".join(pdf_text(reports / f"{memo}.pdf").split())
    notes = len(re.findall(r'<li id="note-\d+"', (reports / f"{memo}.html").read_text()))
    for figure in KEY_FIGURES.get(memo, ()):
        # The call is bracketed and set apart: "83,000 km² [15]", never "83,000 km²15".
        calls = re.findall(figure + r"\s\[(\d{1,3})\]", text)
        assert calls, f"{memo}: {figure!r} followed by a note number not found in the PDF text"
        for n in calls:
            assert 1 <= int(n) <= notes, f"{memo}: {figure} cites note {n} of {notes}"


@pytest.mark.parametrize("memo", MEMOS)
def test_every_figure_in_the_text_is_printed_with_the_note_it_records(reports, memo):
    """The figure record says what each figure reads and which note cites it: the PDF prints the
    figure followed by that note's call ("[3]", after the rest of a word such as a Korean
    particle)."""
    text = " ".join(pdf_text(reports / f"{memo}.pdf").split())
    record = json.loads((reports / f"{memo}.figures.json").read_text(encoding="utf-8"))
    shown = [f for f in record["figures"] if f["context"] == "text"]
    assert shown, f"{memo}: no figure in the text"
    for f in shown:
        figure = r"\s?".join(re.escape(part) for part in f["text"].split())
        assert re.search(rf"{figure}[^\s\[\]]*\s\[{f['note']}\]", text), (
            f"{memo}: {f['text']!r} followed by note {f['note']} not in the PDF text"
        )


PAPER = {"A4": (595.28, 841.89), "letter": (612.0, 792.0)}  # points


def paper_of(memo: str) -> str:
    """The paper config/memos.yaml gives a memo: its own, else its audience's, else A4."""
    audiences = yaml.safe_load((REPO / "config/memos.yaml").read_text(encoding="utf-8"))[
        "audiences"
    ]
    definition = MEMO_DEFS[memo]
    return definition.get("paper") or audiences[definition["audience"]].get("paper") or "A4"


def test_us_readers_get_us_letter():
    """The config says so for the US policymakers' brief; everyone else reads A4."""
    papers = {memo: paper_of(memo) for memo in MEMOS}
    assert "letter" in papers.values() and "A4" in papers.values(), papers


@pytest.mark.parametrize("memo", MEMOS)
def test_pages_are_the_memos_paper_size(pdfs, memo):
    width, height = PAPER[paper_of(memo)]
    for i, page in enumerate(pdfs[memo].pages, 1):
        x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
        assert abs((x1 - x0) - width) < 1 and abs((y1 - y0) - height) < 1, f"{memo} page {i}"


@pytest.mark.parametrize("memo", MEMOS)
def test_bookmarks_follow_the_headings(pdfs, reports, memo):
    markup = (reports / f"{memo}.html").read_text(encoding="utf-8")
    headings = [
        " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", h)).split())
        for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", markup, re.S)
    ]
    titles = []
    with pdfs[memo].open_outline() as outline:
        todo = list(outline.root)
        while todo:
            item = todo.pop(0)
            titles.append(" ".join(str(item.title).split()))
            todo[:0] = list(item.children)
    assert titles, f"{memo}: no bookmarks"
    # A heading the print layout hides (display: none) has no bookmark; every printed one has.
    lines = {" ".join(line.split()) for line in pdf_text(reports / f"{memo}.pdf").splitlines()}
    headings = [h for h in headings if h in lines]
    assert len(headings) >= 3, f"{memo}: headings not found in the PDF text"
    for h in headings:
        assert h in titles, f"{memo}: heading {h!r} has no bookmark"
    assert [t for t in titles if t in headings] == headings, "bookmarks out of order"


def _bands(page) -> tuple[str, str]:
    """The text of a page's top band (running header) and bottom band (running footer)."""
    items = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            items.append((y, x, text))

    page.extract_text(visitor_text=visit)
    top, bottom = max(i[0] for i in items), min(i[0] for i in items)
    # Margin-box lines sit apart from the body: 12 pt takes in a wrapped header line, not the body.
    head = sorted((i for i in items if i[0] >= top - 12), key=lambda i: (-round(i[0]), i[1]))
    foot = sorted((i for i in items if i[0] <= bottom + 12), key=lambda i: (-round(i[0]), i[1]))
    return "".join(i[2] for i in head), "".join(i[2] for i in foot)


@pytest.mark.parametrize("memo", MEMOS)
def test_every_page_has_running_header_and_footer(reports, memo):
    from pypdf import PdfReader

    markup = (reports / f"{memo}.html").read_text(encoding="utf-8")
    title = htmllib.unescape(re.search(r"<title>(.*?)</title>", markup, re.S).group(1))
    marking = htmllib.unescape(re.search(r'<p class="marking">(.*?)</p>', markup, re.S).group(1))
    lang = language(memo)
    pages = PdfReader(reports / f"{memo}.pdf").pages
    for number, page in enumerate(pages, 1):
        head, foot = (squeeze(t) for t in _bands(page))
        where = f"{memo} page {number}"
        assert squeeze(title) in head, f"{where}: header lacks the title: {head!r}"
        assert squeeze(marking) in head, f"{where}: header lacks the marking: {head!r}"
        assert squeeze(page_of(lang, number, len(pages))) in foot, f"{where}: footer {foot!r}"
        assert squeeze(edition_date_text(lang)) in foot, f"{where}: footer lacks the date: {foot!r}"
