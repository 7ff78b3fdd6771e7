"""The published HTML memos parsed as a browser would (html5lib): language, title, description,
self-contained (no request leaves the page), accessible charts, notes that resolve, sources last.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest
from babel import Locale
from helpers import MEMO_DEFS, MEMOS, html_text, language

pytestmark = pytest.mark.e2e

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def parse(markup: str) -> ElementTree.Element:
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text_of(el: ElementTree.Element) -> str:
    return " ".join("".join(el.itertext()).split())


# ---- what counts as a request -------------------------------------------------------------------
# A browser fetches <img src>, <script src>, <link href>, <iframe src>, <video poster>, <object data>,
# SVG <image>/<use> href and CSS url()/@import on its own: those are requests, and a memo must make
# none (it is read offline and mailed). An <a href> is a link the reader may follow: allowed to an
# anchor in the page, or, in the notes only, to a cited source's address written out in full.

REQUEST_ATTRIBUTES = ("src", "srcset", "data", "poster", "background", "action", "formaction")
EXTERNAL = re.compile(r"^\s*(https?:|//|file:|ftp:|data:|javascript:)", re.I)
# A url() fetches unless it holds the thing itself: a font embedded as a WOFF2 data URL.
CSS_FETCH = re.compile(r"url\s*\((?!data:font/woff2;base64,[A-Za-z0-9+/=]+\))|@import", re.I)
# The links between the files of an edition (the memo's PDF, its other languages, the index).
SIBLING = re.compile(r"^[a-z0-9-]+\.(html|pdf)$")


def requests_and_links(markup: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Everything in a page that a browser would fetch, and every <a href> as (href, text,
    where: "notes", "links" (the memo's links to its siblings) or "")."""
    root = parse(markup)
    requests: list[str] = []
    links: list[tuple[str, str, str]] = []
    where = {
        id(el): cls
        for cls, tag in (("notes", "section"), ("links", "nav"))
        for box in root.iter(tag)
        if cls in box.get("class", "").split()
        for el in box.iter()
    }
    for el in root.iter():
        tag = local(el.tag)
        if tag == "script":
            requests.append(f"<script> {el.get('src', '')}".strip())
        if tag == "link":
            requests.append(f"<link rel={el.get('rel')} href={el.get('href')}>")
        if tag in ("iframe", "embed", "object", "img", "picture", "source", "audio", "video"):
            if any(el.get(a) for a in REQUEST_ATTRIBUTES):
                requests.append(f"<{tag}> {[el.get(a) for a in REQUEST_ATTRIBUTES if el.get(a)]}")
        for attr in REQUEST_ATTRIBUTES:
            value = el.get(attr)
            if value and tag not in (
                "iframe",
                "embed",
                "object",
                "img",
                "picture",
                "source",
                "audio",
                "video",
            ):
                requests.append(f"<{tag} {attr}={value}>")
        if tag in ("image", "use", "feImage") or (
            el.tag.startswith(SVG) if isinstance(el.tag, str) else False
        ):
            href = el.get("href") or el.get(XLINK_HREF)
            if href and not href.startswith("#"):
                requests.append(f"<svg {tag} href={href}>")
        if tag == "style" and CSS_FETCH.search(el.text or ""):
            requests.append("<style> " + CSS_FETCH.search(el.text or "").group(0))
        if el.get("style") and CSS_FETCH.search(el.get("style")):
            requests.append(f"<{tag} style={el.get('style')}>")
        if tag == "a" and el.get("href") is not None:
            links.append((el.get("href"), text_of(el), where.get(id(el), "")))
    return requests, links


def check_self_contained(markup: str) -> list[str]:
    """Problems: requests of any kind, links anywhere but to the page itself, (in the notes) to a
    source written out as the link's own text, or (in the memo's links) to a file of the edition."""
    requests, links = requests_and_links(markup)
    ids = {el.get("id") for el in parse(markup).iter() if el.get("id")}
    problems = [f"request: {r}" for r in requests]
    for href, text, place in links:
        if href.startswith("#"):
            if href[1:] not in ids:
                problems.append(f"link to a missing anchor: {href}")
        elif place == "links":
            if not SIBLING.match(href):
                problems.append(f"link to something not in the edition: {href}")
        elif place != "notes":
            problems.append(f"link outside the notes: {href}")
        elif not re.match(r"^https?://", href) or href != text:
            problems.append(f"note link is not a plain source address: {href} ({text})")
    return problems


def test_self_containment_check_catches_requests_and_stray_links():
    """The checker itself: each of these pages must be flagged, the plain one not."""
    plain = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title><style>p{color:red}</style>'
        "<style>@font-face { src: url(data:font/woff2;base64,d09GMgABAAA=) format('woff2'); }"
        '</style></head><body><nav class="links"><a href="m-en.pdf">PDF</a> '
        '<a href="index.html">All</a></nav><p id="x">a<a href="#note-1">1</a></p>'
        '<section class="notes"><ol><li id="note-1"><a href="https://example.org/a">'
        "https://example.org/a</a></li></ol></section></body></html>"
    )
    assert check_self_contained(plain) == []
    bad = {
        "img": '<img src="http://example.org/x.png">',
        "file": '<img src="file:///etc/hostname">',
        "script": "<script>alert(1)</script>",
        "stylesheet": '<link rel="stylesheet" href="x.css">',
        "css url": "<style>p { background: url(//example.org/x.png) }</style>",
        "css data url of another kind": "<style>p { background: url(data:image/png;base64,AA==) }</style>",
        "memo link leaving the edition": '<nav class="links"><a href="https://example.org/">x</a></nav>',
        "css import": '<style>@import "x.css";</style>',
        "inline style": '<p style="background:url(x.png)">x</p>',
        "svg image": '<svg><image href="https://example.org/x.png"/></svg>',
        "link in prose": '<a href="https://example.org/">a site</a>',
        "dead anchor": '<a href="#note-9">9</a>',
        "disguised note link": '<section class="notes"><a href="https://evil.example/">https://ok.example/</a></section>',
    }
    for name, snippet in bad.items():
        page = plain.replace("</body>", snippet + "</body>")
        assert check_self_contained(page), f"{name} not flagged"


# ---- the memos ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(reports: Path) -> dict[str, str]:
    return {m: (reports / f"{m}.html").read_text(encoding="utf-8") for m in MEMOS}


@pytest.mark.parametrize("memo", MEMOS)
def test_language_title_and_description(pages, reports, memo):
    root = parse(pages[memo])
    lang = language(memo)
    assert root.get("lang") == lang
    title = root.find("head/title")
    assert title is not None and text_of(title)
    description = [m for m in root.iter("meta") if m.get("name") == "description"]
    assert description and description[0].get("content", "").strip()
    if lang == "en":
        assert text_of(title) == MEMO_DEFS[memo]["title"]
        assert description[0].get("content") == MEMO_DEFS[memo]["description"]
    # The <h1> a reader sees is the title the browser tab shows.
    assert text_of(root.find(".//h1")) == text_of(title)


@pytest.mark.parametrize("memo", MEMOS)
def test_memo_makes_no_request_and_links_only_to_its_notes_and_sources(pages, memo):
    assert check_self_contained(pages[memo]) == []
    _, links = requests_and_links(pages[memo])
    assert any(h.startswith("#note-") for h, _, _ in links)
    assert any(h.startswith("https://") for h, _, _ in links), "no source address in the notes"


@pytest.mark.parametrize("memo", MEMOS)
def test_memo_links_to_its_pdf_its_other_editions_and_the_index(pages, reports, memo):
    _, links = requests_and_links(pages[memo])
    siblings = [h for h, _, place in links if place == "links"]
    others = [f"{MEMO_DEFS[memo]['id']}-{lang}.html" for lang in MEMO_DEFS[memo]["languages"]]
    assert siblings == [f"{memo}.pdf", *(o for o in others if o != f"{memo}.html"), "index.html"]
    assert all((reports / h).is_file() for h in siblings), siblings


def test_index_makes_no_request_and_links_every_memo(reports):
    markup = (reports / "index.html").read_text(encoding="utf-8")
    root = parse(markup)
    assert root.get("lang") == "en" and text_of(root.find("head/title"))
    requests, links = requests_and_links(markup)
    assert requests == []
    hrefs = {h for h, _, _ in links}
    # Every memo, and the page of what changed in this edition (issue 13).
    assert hrefs == {f"{m}.{ext}" for m in MEMOS for ext in ("html", "pdf")} | {"changes.html"}


# The countries in the tariff chart and their latest US tariff rates, from the article.
TARIFFS = {"BR": "50%", "IN": "50%", "SY": "41%", "LA": "40%", "MM": "40%", "PK": "19%"}
ENGLISH_NAMES = {
    "BR": "Brazil",
    "IN": "India",
    "SY": "Syria",
    "LA": "Laos",
    "MM": "Myanmar",
    "PK": "Pakistan",
}
CHART_FACTS = {
    # Less than 2% in 2021, 36 to 40% in 2025.
    ("oil_dependence", "en"): ["2021", "2%", "2025", "36", "40%"],
    ("oil_dependence", "ko"): ["2021", "2%", "2025", "36", "40%"],
    # About $20 billion in 2000, $212.3 billion in 2024 (200억 and 2123억 dollars in Korean).
    ("trade_growth", "en"): ["2000", "$20 billion", "2024", "$212.3 billion"],
    ("trade_growth", "ko"): ["2000", "200억", "2024", "2123억"],
}


@pytest.mark.parametrize("memo", MEMOS)
def test_every_chart_has_alternative_text_naming_its_data(pages, memo):
    root = parse(pages[memo])
    lang = language(memo)
    svgs = [el for el in root.iter() if local(el.tag) == "svg"]
    charts = MEMO_DEFS[memo]["charts"]
    assert len(svgs) == len(charts)
    for svg in svgs:
        assert svg.get("role") == "img"
        title = next((c for c in svg if local(c.tag) == "title"), None)
        desc = next((c for c in svg if local(c.tag) == "desc"), None)
        assert title is not None and text_of(title), "chart without a <title>"
        alt = text_of(title) + " " + (text_of(desc) if desc is not None else "")
        labelled = (svg.get("aria-labelledby") or "").split()
        assert labelled and all(any(e.get("id") == i for e in svg.iter()) for i in labelled)
        chart_id = (svg.get("aria-labelledby") or "").split()[0].rsplit("-", 1)[0]
        if chart_id == "tariff_ranking":
            names = ENGLISH_NAMES if lang == "en" else Locale.parse(lang).territories
            for code, rate in TARIFFS.items():
                # The rate follows the name in the same item ("Pakistan (July 2025) 19%").
                assert re.search(re.escape(names[code]) + r"[^;]{0,40}?" + re.escape(rate), alt), (
                    f"{memo}: the chart's alternative text lacks {names[code]} {rate}: {alt}"
                )
        else:
            for piece in CHART_FACTS[chart_id, lang]:
                assert piece in alt, f"{memo}: {chart_id} alternative text lacks {piece!r}: {alt}"


@pytest.mark.parametrize("memo", MEMOS)
def test_every_note_call_has_its_note_and_every_note_is_called(pages, memo):
    root = parse(pages[memo])
    calls = {
        a.get("href")[1:] for a in root.iter("a") if (a.get("href") or "").startswith("#note-")
    }
    notes = [li.get("id") for li in root.iter("li") if (li.get("id") or "").startswith("note-")]
    assert notes == [f"note-{i}" for i in range(1, len(notes) + 1)], "notes out of order"
    assert calls <= set(notes), f"calls without a note: {sorted(calls - set(notes))}"
    # A note no marker calls is still reached from the derivation notes that cite it ("note 3").
    note_texts = " ".join(
        text_of(li) for li in root.iter("li") if (li.get("id") or "").startswith("note-")
    )
    for n in set(notes) - calls:
        number = n.split("-")[1]
        assert re.search(rf"\b{number}\)", note_texts), f"{memo}: {n} is never cited"


@pytest.mark.parametrize("memo", MEMOS)
def test_memo_ends_with_its_sources(pages, memo):
    root = parse(pages[memo])
    body = root.find("body")
    last = [el for el in body if local(el.tag) not in ("script",)][-1]
    sections = [s for s in last.iter("section")]
    assert sections and "notes" in sections[-1].get("class", ""), (
        "the memo does not end with its notes"
    )
    notes = sections[-1]
    # Nothing printed after the notes, and each source note names the work (a <cite>).
    assert text_of(body).endswith(text_of(notes))
    assert any(li.find("cite") is not None for li in notes.iter("li"))


@pytest.mark.parametrize("memo", MEMOS)
def test_no_doubled_qualifier(pages, memo):
    """A figure brings its own qualifier: "bought about about $20 billion" is a template error."""
    text = html_text(pages[memo])
    for q in ("about", "nearly", "less than", "more than", "up to", "approximately"):
        assert f"{q} {q}" not in text, f"{memo}: '{q} {q}' in the text"
