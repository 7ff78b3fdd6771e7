"""Accessible output: tagged PDFs (PDF/UA-1 through WeasyPrint) checked with pikepdf, and every HTML
memo and the index checked with axe-core in headless Chromium (WCAG 2.2 A and AA).

No veraPDF is available here, so the PDF checks read the structure themselves: the structure tree
and its headings, tables and figures, the language, the title shown in the window, alternative text
on charts, header cells, and the running header and footer kept out of the structure tree.
All tests read the session build (fixture ``reports``); none writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pikepdf
import pytest
from a11y import browser as chromium
from helpers import MEMOS, REPO

pytestmark = pytest.mark.e2e

PAGES = [*(f"{m}.html" for m in MEMOS), "index.html"]
SVG = "{http://www.w3.org/2000/svg}"


# ---- reading a tagged PDF ----------------------------------------------------------------------


@dataclass
class Elem:
    """A structure element: its type, its /Alt, /A and /ID, its children and its marked content."""

    type: str
    obj: pikepdf.Dictionary
    children: list[Elem]
    content: list[tuple[int, int]]  # (page index, MCID), in order

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def mcids(self) -> list[tuple[int, int]]:
        return [m for e in self.walk() for m in e.content]


@dataclass
class TaggedPdf:
    pdf: pikepdf.Pdf
    root: Elem  # the /Document element
    texts: dict[tuple[int, int], str]  # (page, MCID) -> text drawn inside it
    unmarked: list[str]  # text drawn outside any marked content (must be none)

    def text(self, e: Elem) -> str:
        return "".join(self.texts.get(m, "") for m in e.mcids())

    def of_type(self, *types: str) -> list[Elem]:
        return [e for e in self.root.walk() if e.type in types]


def _tree(pdf: pikepdf.Pdf, node: pikepdf.Dictionary, page: int | None, pages: dict) -> Elem:
    if "/Pg" in node:
        page = pages[node.Pg.objgen]
    elem = Elem(str(node.get("/S")), node, [], [])
    kids = node.get("/K")
    for kid in [] if kids is None else (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary):
            if kid.get("/Type") == "/MCR":
                elem.content.append((pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
            elif kid.get("/Type") != "/OBJR":
                elem.children.append(_tree(pdf, kid, page, pages))
        else:
            elem.content.append((page, int(kid)))
    return elem


def _marked_texts(path: Path) -> tuple[dict[tuple[int, int], str], list[str]]:
    """The text drawn inside each marked-content sequence with an MCID, page by page (pypdf)."""
    from pypdf import PdfReader

    texts: dict[tuple[int, int], str] = {}
    unmarked: list[str] = []
    for index, page in enumerate(PdfReader(path).pages):
        stack: list[int | None] = []

        def before(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                mcid = props.get("/MCID") if hasattr(props, "get") else None
                stack.append(None if mcid is None else int(mcid))
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def visit(text, cm, tm, font, size, stack=stack, index=index):
            if not text.strip():
                return
            if not stack:
                unmarked.append(text)
            elif stack[-1] is not None:
                key = (index, stack[-1])
                texts[key] = texts.get(key, "") + text

        page.extract_text(visitor_operand_before=before, visitor_text=visit)
    return texts, unmarked


_CACHE: dict[Path, TaggedPdf] = {}


def tagged(path: Path) -> TaggedPdf:
    if path not in _CACHE:
        pdf = pikepdf.open(path)
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        kids = pdf.Root.StructTreeRoot.K
        top = kids[0] if isinstance(kids, pikepdf.Array) else kids
        texts, unmarked = _marked_texts(path)
        _CACHE[path] = TaggedPdf(pdf, _tree(pdf, top, None, pages), texts, unmarked)
    return _CACHE[path]


def squeeze(text: str) -> str:
    """Text without any white space: PDF text extraction and HTML differ in spaces only."""
    return re.sub(r"\s+", "", text)


def html_tree(reports: Path, memo: str):
    markup = (reports / f"{memo}.html").read_text(encoding="utf-8")
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def element_text(e) -> str:
    return " ".join("".join(e.itertext()).split())


def meta(reports: Path, memo: str) -> dict:
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    return next(m for m in manifest["memos"] if m["id"] == memo)


@pytest.fixture(scope="module")
def pdfs(reports):
    return {memo: tagged(reports / f"{memo}.pdf") for memo in MEMOS}


# ---- the PDF: tagged, with language and title --------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_pdf_is_tagged_with_a_structure_tree(pdfs, memo):
    doc = pdfs[memo]
    assert doc.pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in doc.pdf.Root
    assert doc.root.type == "/Document"
    # Every piece of text is marked content: tagged, or an artefact; none is left loose.
    assert not doc.unmarked, f"{memo}: text outside marked content: {doc.unmarked[:5]}"


@pytest.mark.parametrize("memo", MEMOS)
def test_pdf_language_is_the_memo_language(pdfs, reports, memo):
    assert str(pdfs[memo].pdf.Root.Lang) == meta(reports, memo)["language"]


@pytest.mark.parametrize("memo", MEMOS)
def test_window_shows_the_title(pdfs, reports, memo):
    pdf = pdfs[memo].pdf
    title = meta(reports, memo)["title"]
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == title
    with pdf.open_metadata() as xmp:
        assert xmp.get("dc:title") == title


@pytest.mark.parametrize("memo", MEMOS)
def test_structure_has_headings_paragraphs_lists_tables_and_figures(pdfs, reports, memo):
    doc = pdfs[memo]
    types = [e.type for e in doc.root.walk()]
    html = html_tree(reports, memo)
    assert types.count("/H1") == 1
    for kind in ("/H2", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Link"):
        assert kind in types, f"{memo}: no {kind} in the structure tree"
    assert types.count("/Figure") == len(html.findall(f".//{SVG}svg")), "one Figure per chart"
    assert types.count("/Caption") == len(html.findall(".//figcaption"))


@pytest.mark.parametrize("memo", MEMOS)
def test_headings_read_as_in_the_html(pdfs, reports, memo):
    """The structure tree's headings are the memo's headings, in order and at the same level."""
    doc = pdfs[memo]
    html = html_tree(reports, memo)
    in_html = [
        (e.tag.upper(), squeeze(element_text(e)))
        for e in html.iter()
        if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", e.tag)
    ]
    in_pdf = [(e.type[1:], squeeze(doc.text(e))) for e in doc.of_type("/H1", "/H2", "/H3")]
    # The one-page memo hides its "Charts" heading in print (memo.css): the only one allowed out.
    hidden = {squeeze(element_text(h)) for h in html.findall(".//section[@class='charts']/h2")}
    expected = [h for h in in_html if not (memo.startswith("key-figures") and h[1] in hidden)]
    assert in_pdf == expected


# ---- charts: alternative text ------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_every_chart_has_alternative_text_naming_its_data(pdfs, reports, memo):
    figures = pdfs[memo].of_type("/Figure")
    svgs = html_tree(reports, memo).findall(f".//{SVG}svg")
    assert len(figures) == len(svgs) > 0
    for figure, svg in zip(figures, svgs, strict=True):
        alt = str(figure.obj.get("/Alt", ""))
        # The SVG's <title> is the alternative text, word for word.
        assert alt and alt == svg.find(f"{SVG}title").text, memo
        # And it names the data: every label and value the chart draws is in it.
        for text in svg.iter(f"{SVG}text"):
            assert text.text in alt, f"{memo}: chart text {text.text!r} missing from alt {alt!r}"


# ---- tables: header cells ----------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_table_cells_name_their_header_cells(pdfs, reports, memo):
    doc = pdfs[memo]
    tables = doc.of_type("/Table")
    html_tables = html_tree(reports, memo).findall(".//table")
    assert len(tables) == len(html_tables) > 0
    for table, html_table in zip(tables, html_tables, strict=True):
        headers = {str(e.obj.ID): e for e in table.walk() if e.type == "/TH"}
        assert len(headers) == len(html_table.findall(".//th")), "every th is a TH with an /ID"
        cells = [e for e in table.walk() if e.type == "/TD"]
        assert cells
        for cell in cells:
            refs = [str(r) for r in cell.obj.A.get("/Headers", [])]
            # Each data cell names its column header and its row header.
            assert len(refs) == 2 and set(refs) <= set(headers), (memo, refs)
            names = {squeeze(doc.text(headers[r])) for r in refs}
            assert all(names), "header cells have text"


# ---- running header and footer -----------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_running_header_and_footer_are_kept_out_of_the_structure_tree(pdfs, reports, memo):
    """WeasyPrint 70 draws page margin boxes as marked content that no structure element of the
    tree holds (it cannot mark them /Artifact before PDF 2.0), so a screen reader following the
    structure never reads them; see docs/accessibility.md."""
    doc = pdfs[memo]
    info = meta(reports, memo)
    html = html_tree(reports, memo)
    marking = element_text(html.find(".//p[@class='marking']"))
    edition_date = element_text(html.find(".//dl[@class='meta']//time"))
    in_tree = set(doc.root.mcids())
    pages = len(doc.pdf.pages)
    for page in range(pages):
        outside = [t for (p, m), t in doc.texts.items() if p == page and (p, m) not in in_tree]
        assert len(outside) == 4, f"{memo} page {page + 1}: {outside}"
        title, mark, date, folio = outside
        assert squeeze(title) == squeeze(info["title"])
        assert squeeze(mark) == squeeze(marking)
        assert squeeze(date) == squeeze(edition_date)
        assert re.search(rf"\b{page + 1}\b.*\b{pages}\b", folio), folio
    # And the body text is in the tree: the title as the H1 of the first page.
    assert squeeze(doc.text(doc.of_type("/H1")[0])) == squeeze(info["title"])


# ---- colours of the PDF-only parts -------------------------------------------------------------


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG contrast ratio between two #rrggbb colours."""

    def lum(hex_: str) -> float:
        rgb = [int(hex_[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_known_ratios():
    assert round(contrast("#000000"), 1) == 21.0
    assert round(contrast("#767676"), 1) == 4.5


@pytest.mark.parametrize("css", ["print.css", "memo.css"])
def test_text_colours_of_the_stylesheets_meet_aa_on_white(css):
    """Running headers and footers exist only in the PDF (print.css), beyond axe's reach."""
    text = (REPO / "templates" / css).read_text(encoding="utf-8")
    colours = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", text))
    colours |= set(re.findall(r"--(?:ink|muted|accent):\s*(#[0-9a-fA-F]{6})", text))
    assert colours, f"no colours found in {css}"
    for colour in colours:
        assert contrast(colour) >= 4.5, f"{css}: {colour} is {contrast(colour):.2f}:1 on white"


# ---- HTML: axe-core in headless Chromium -------------------------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_aa_violation(open_page, reports, name, viewport):
    page = open_page(reports / name, chromium.DESKTOP if viewport == "desktop" else chromium.PHONE)
    result = chromium.run_axe(page)
    assert not result["violations"], (
        f"{name} at {viewport} width:\n" + chromium.describe_violations(result["violations"])
    )
    # axe ran the rules it was asked for (a broken injection would pass silently otherwise).
    assert len(result["passes"]) + len(result["inapplicable"]) > 20


# Text drawn in SVG charts: axe cannot tell the background behind it, so the test measures it.
SVG_COLOURS = """() => {
  const rgb = (c) => { const m = c.match(/\\d+(\\.\\d+)?/g); return m ? m.slice(0, 3).map(Number) : null; };
  const box = (e) => e.getBoundingClientRect();
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
                          * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  return [...document.querySelectorAll('svg.chart')].map((svg) => {
    const vb = svg.viewBox.baseVal, scale = box(svg).width / vb.width;
    const shapes = [...svg.querySelectorAll('rect')];
    return {
      id: svg.closest('figure').id,
      texts: [...svg.querySelectorAll('text')].map((t) => ({
        text: t.textContent, fill: rgb(getComputedStyle(t).fill),
        px: parseFloat(getComputedStyle(t).fontSize) * scale,
        inside: (() => { const b = t.getBBox(); return b.x >= 0 && b.y >= 0 && b.x + b.width <= vb.width && b.y + b.height <= vb.height; })(),
        onShape: shapes.some((r) => overlap(box(t), box(r)) > 1),
      })),
      shapes: shapes.map((r) => rgb(getComputedStyle(r).fill)),
    };
  });
}"""


def _hex(rgb: list[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("memo", MEMOS)
def test_chart_text_and_bars_meet_contrast_and_stay_readable(open_page, reports, memo, viewport):
    page = open_page(reports / f"{memo}.html", getattr(chromium, viewport.upper()))
    charts = page.evaluate(SVG_COLOURS)
    assert charts
    for chart in charts:
        for t in chart["texts"]:
            where = f"{memo} {chart['id']} {t['text']!r} at {viewport} width"
            assert not t["onShape"], f"{where}: text drawn over a bar"
            assert contrast(_hex(t["fill"])) >= 4.5, f"{where}: text contrast below 4.5:1"
            assert t["inside"], f"{where}: text runs out of the chart"
            # Readable on a phone: no chart text below 10 CSS pixels.
            assert t["px"] >= 10, f"{where}: {t['px']:.1f} px"
        for fill in chart["shapes"]:
            # Bars are graphical objects: 3:1 against the page (WCAG 1.4.11).
            assert contrast(_hex(fill)) >= 3, f"{memo} {chart['id']}: bar {_hex(fill)}"


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_without_sideways_scrolling(open_page, reports, name):
    page = open_page(reports / name, chromium.PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= chromium.PHONE["width"], f"{name} is {width} px wide on a 390 px phone"
    # Self-contained: the page asked for nothing but itself.
    assert page.requests == [(reports / name).as_uri()], page.requests
