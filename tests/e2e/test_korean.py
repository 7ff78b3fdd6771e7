"""The Korean edition of the Korea strategy brief, read back from the real PDF and HTML.

The two editions (of the first memo the config builds in English and Korean) are rendered once for
this module, from the session build's figure table, by ``memo render`` in a subprocess whose
fontconfig knows no font at all (an empty FONTCONFIG_FILE), so every glyph in the PDF must come from
the fonts bundled in assets/fonts: a Korean system font on the test machine cannot hide a gap.

Text extraction succeeds even where a glyph is missing (the ToUnicode map still names the
character), so the font checks walk the page content streams and look at the font and glyph that
draw each Hangul character.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pikepdf
import pypdf
import pytest
from fontTools.ttLib import TTFont
from helpers import MEMO_DEFS, REPO, pdf_text, to_unicode, tool_env

from memo.render import i18n

pytestmark = pytest.mark.e2e

ROOT = REPO
_BILINGUAL = next(d["id"] for d in MEMO_DEFS.values() if {"en", "ko"} <= set(d["languages"]))
EN, KO = f"{_BILINGUAL}-en", f"{_BILINGUAL}-ko"
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
NANUM = ROOT / "assets" / "fonts" / "NanumGothic.ttf"
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{none}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, built_project) -> Path:
    """Render both editions with no system font available; return the output folder."""
    tmp = tmp_path_factory.mktemp("korean")
    conf = tmp / "fonts.conf"
    conf.write_text(EMPTY_FONTCONFIG.format(none=tmp / "no-fonts", cache=tmp / "fc-cache"))
    # In-process rendering (no warm render server, whose fonts were loaded with the machine's config).
    env = tool_env(FONTCONFIG_FILE=str(conf), PYTHONWARNINGS="ignore", MEMO_RENDER_SERVER="0")
    env.pop("FONTCONFIG_PATH", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "memo.cli",
            "--root",
            str(built_project.root),
            "render",
            EN,
            KO,
            "--out",
            str(tmp / "memos"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    return tmp / "memos"


@pytest.fixture(scope="module")
def ko_() -> object:
    """The Korean catalogue's gettext."""
    return i18n.translations(ROOT / "templates", "ko").gettext


def _flat(text: str) -> str:
    return " ".join(text.split())


# ---- drawing: which font draws each character -------------------------------------------------
def _shown(
    owner: pikepdf.Object, resources: pikepdf.Dictionary, cmaps: dict
) -> Iterator[tuple[str, int, pikepdf.Dictionary]]:
    """(text, character code, font) for every string a content stream shows, Form XObjects included."""
    font = None
    stack: list = []
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        strings: list[bytes] = []
        if op == "q":
            stack.append(font)
        elif op == "Q":
            font = stack.pop() if stack else None
        elif op == "Tf":
            font = resources.Font[operands[0]]
        elif op in ("Tj", "'", '"'):
            strings = [bytes(operands[-1])]
        elif op == "TJ":
            strings = [bytes(x) for x in operands[0] if isinstance(x, pikepdf.String)]
        elif op == "Do":
            xobj = resources.XObject[operands[0]]
            if xobj.Subtype == "/Form":
                yield from _shown(xobj, xobj.get("/Resources", resources), cmaps)
        if strings:
            assert font is not None, f"text shown with no font selected ({op})"
            key = font.objgen
            if key not in cmaps:
                cmaps[key] = to_unicode(font, errors="strict")
            width = 2 if font.Subtype == "/Type0" else 1
            for s in strings:
                for i in range(0, len(s), width):
                    code = int.from_bytes(s[i : i + width], "big")
                    yield cmaps[key].get(code, ""), code, font


@pytest.fixture(scope="module")
def ko_drawn(out: Path) -> Iterator[list[tuple[str, int, pikepdf.Dictionary]]]:
    """Every character the Korean PDF draws, with its code and font."""
    with pikepdf.open(out / f"{KO}.pdf") as pdf:
        cmaps: dict = {}
        yield [d for page in pdf.pages for d in _shown(page.obj, page.Resources, cmaps)]


def _font_program(font: pikepdf.Dictionary) -> TTFont | None:
    """The TrueType program embedded for a font (FontFile2), or None."""
    desc = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
    fd = desc.get("/FontDescriptor")
    if fd is None or "/FontFile2" not in fd:
        return None
    return TTFont(io.BytesIO(fd.FontFile2.read_bytes()))


def test_every_hangul_character_is_drawn_with_the_embedded_korean_font(ko_drawn) -> None:
    hangul = [(t, code, f) for t, code, f in ko_drawn if HANGUL.search(t)]
    assert len(hangul) > 1000, "the Korean edition shows too little Korean text"
    programs: dict = {}
    problems = set()
    for text, code, font in hangul:
        key = font.objgen
        if key not in programs:
            programs[key] = _font_program(font)
        prog = programs[key]
        base = str(font.BaseFont)
        if prog is None:
            problems.add(f"{text}: font {base} is not embedded (no FontFile2)")
            continue
        family = prog["name"].getDebugName(1) or ""
        if "Nanum" not in family and "Nanum" not in base:
            problems.add(f"{text}: drawn with {base} ({family}), not the bundled NanumGothic")
        # Identity CID-to-glyph mapping: the code is the glyph id in the embedded subset.
        if code == 0 or code >= prog["maxp"].numGlyphs:
            problems.add(f"{text}: glyph {code} is missing from {base}")
        elif "glyf" in prog and prog["glyf"][prog.getGlyphOrder()[code]].numberOfContours == 0:
            problems.add(f"{text}: glyph {code} of {base} is empty")
    assert not problems, "\n".join(sorted(problems))


def test_no_character_in_the_korean_pdf_is_a_missing_glyph(ko_drawn) -> None:
    missing = sorted({f"{t!r} in {f.BaseFont}" for t, code, f in ko_drawn if code == 0})
    assert not missing, "drawn as .notdef boxes: " + ", ".join(missing)


def test_bundled_korean_font_covers_every_hangul_character_used(out: Path) -> None:
    cmap = TTFont(NANUM).getBestCmap()
    used = set(HANGUL.findall((out / f"{KO}.html").read_text(encoding="utf-8")))
    used |= set(HANGUL.findall(pdf_text(out / f"{KO}.pdf")))
    assert used
    assert not sorted(c for c in used if ord(c) not in cmap)


# ---- text: extraction, line breaking, metadata --------------------------------------------------
def test_text_extraction_returns_the_korean_text(out: Path, ko_) -> None:
    text = _flat(pdf_text(out / f"{KO}.pdf"))
    for phrase in (
        ko_("Bottom line"),
        ko_("India's recalibration: what it means for Korea"),
        ko_("Notes and sources"),
        "2025년 9월 15일",
        "680억 달러",
        "2123억 달러",
        "50%",
        "3,488km",
        "36~40%",
    ):
        assert phrase in text, phrase
    # A whole paragraph without figures, as the catalogue has it: words and spaces intact.
    paragraph = ko_(
        "India wants a multipolar order in which it is one of the poles, not a new Cold War. Korea shares "
        "that interest and faces the same squeeze between Washington and Beijing. India's hedging therefore "
        "widens Seoul's diplomatic space rather than narrowing it."
    )
    assert HANGUL.search(paragraph)
    assert _flat(paragraph) in text


def _visible_words(html: str) -> set[str]:
    body = re.sub(r"<svg.*?</svg>|<style.*?</style>", " ", html, flags=re.S)
    body = body[body.index("<body") :]
    # A table cell or a block ends a word (two cells are two words); other tags do not.
    body = re.sub(r"</?(?:td|th|tr|caption|p|li|dt|dd|div|h[1-6]|br)\b[^>]*>", " ", body)
    body = re.sub(r'\u00a0<a class="noteref"[^>]*>\[\d+\]</a>|<[^>]+>', "", body)
    return set(body.split())


def test_lines_break_only_between_korean_words(out: Path) -> None:
    words = _visible_words((out / f"{KO}.html").read_text(encoding="utf-8"))
    lines = [line.split() for line in pdf_text(out / f"{KO}.pdf").splitlines() if line.split()]
    broken = []
    calls = re.compile(r"\[\d+\]")  # a note call may end a line, or start one
    lines = [[w for w in line if not calls.fullmatch(w)] for line in lines]
    lines = [line for line in lines if line]
    for a, b in zip(lines, lines[1:], strict=False):
        left, right = a[-1], b[0]
        if HANGUL.search(left) and HANGUL.search(right) and (left + right) in words:
            broken.append(f"{left}|{right}")
    assert not broken, "Korean words broken across lines: " + ", ".join(broken)


def test_pdf_metadata_is_korean(out: Path, ko_) -> None:
    reader = pypdf.PdfReader(out / f"{KO}.pdf")
    meta = reader.metadata
    assert meta.title == ko_("India's recalibration: what it means for Korea")
    assert meta.subject == ko_(
        "How the US–India rift reshapes India's ties with China, Russia and Japan, and what Seoul should do."
    )
    assert HANGUL.search(meta.title) and HANGUL.search(meta.subject)
    assert str(reader.trailer["/Root"]["/Lang"]) == "ko"


def test_meta_record_is_korean(out: Path) -> None:
    meta = json.loads((out / f"{KO}.meta.json").read_text(encoding="utf-8"))
    for key in ("title", "audience_label", "bottom_line", "edition_date_text"):
        assert HANGUL.search(meta[key]), key
    assert meta["edition_date_text"] == "2025년 9월 15일"


# ---- figures: the same values in both editions -------------------------------------------------
FIGURE_KEYS = (
    "context",
    "indicator",
    "entity",
    "counterpart",
    "period",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "note",
)


def _figures(out: Path, memo: str) -> list[dict]:
    return json.loads((out / f"{memo}.figures.json").read_text(encoding="utf-8"))["figures"]


_SCALES = {"billion": 1e9, "million": 1e6, "trillion": 1e12, "조": 1e12, "억": 1e8, "만": 1e4}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(billion|million|trillion|조|억|만)?")


def _numbers(text: str) -> list[float]:
    """The numbers a formatted figure shows, scaled ("$212.3 billion" and "2123억 달러" -> 212.3e9)."""
    values = [float(n.replace(",", "")) * _SCALES.get(s or "", 1) for n, s in _NUMBER.findall(text)]
    if len(values) == 2 and values[0] < values[1] and re.search(r"billion|억|조", text):
        # A range writes its scale once: "$13–15 billion", "130~150억 달러".
        scale = values[1] / float(_NUMBER.findall(text)[1][0].replace(",", ""))
        values[0] = float(_NUMBER.findall(text)[0][0].replace(",", "")) * scale
    return values


def test_each_figure_shows_the_same_value_in_both_editions(out: Path) -> None:
    en, ko = _figures(out, EN), _figures(out, KO)
    assert [tuple(f[k] for k in FIGURE_KEYS) for f in en] == [
        tuple(f[k] for k in FIGURE_KEYS) for f in ko
    ]
    for a, b in zip(en, ko, strict=True):
        assert _numbers(a["text"]) == pytest.approx(_numbers(b["text"])), (a["text"], b["text"])
    # Bounds and ranges are written the Korean way.
    texts = {f["text"] for f in ko}
    assert {"50%", "2123억 달러", "약 680억 달러", "3,488km", "36~40%", "2% 미만"} <= texts


def test_both_editions_cite_the_same_notes(out: Path) -> None:
    def notes(memo: str) -> list:
        data = json.loads((out / f"{memo}.figures.json").read_text(encoding="utf-8"))
        return [(n["number"], n["source"], n["derived"]) for n in data["notes"]]

    assert notes(EN) == notes(KO)


# ---- HTML: language marking and no English left ------------------------------------------------
def _tree(path: Path):
    return html5lib.parse(
        path.read_text(encoding="utf-8"), treebuilder="etree", namespaceHTMLElements=False
    )


def test_korean_html_has_lang_ko_and_english_titles_marked(out: Path) -> None:
    root = _tree(out / f"{KO}.html")
    assert root.get("lang") == "ko"
    cites = list(root.iter("cite"))
    assert cites
    assert all(c.get("lang") == "en" for c in cites)
    cited = {"".join(c.itertext()) for c in cites}
    data = json.loads((out / f"{KO}.figures.json").read_text(encoding="utf-8"))
    titles = {n["citation"]["title"] for n in data["notes"] if n["citation"]}
    assert titles and titles <= cited
    # The English edition is marked English.
    assert _tree(out / f"{EN}.html").get("lang") == "en"


# Latin-script words a Korean reader sees as Korean text: acronyms and units.
ALLOWED_LATIN = {"km"}


def _reader_text(el, out: list[str]) -> None:
    """Text a reader (or a screen reader) meets, skipping parts marked as another language."""
    if el.get("lang", "ko").split("-")[0] != "ko" or el.tag in ("style", "script"):
        return
    if el.tag == "a" and "url" in (el.get("class") or ""):
        return
    for attr in ("aria-label", "title", "alt"):
        if el.get(attr):
            out.append(el.get(attr))
    if el.tag == "meta" and el.get("name") in ("description", "keywords", "author"):
        out.append(el.get("content", ""))
    if el.text:
        out.append(el.text)
    for child in el:
        _reader_text(child, out)
        if child.tail:
            out.append(child.tail)


def test_no_english_left_in_the_korean_edition(out: Path) -> None:
    texts: list[str] = []
    _reader_text(_tree(out / f"{KO}.html"), texts)
    text = " ".join(texts).replace("%p", "%")
    english = sorted(
        {
            w
            for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
            if not w.isupper() and w not in ALLOWED_LATIN
        }
    )
    assert not english, f"English words in the Korean edition: {english}"


def test_html_file_is_left_without_line_breaking_markup(out: Path) -> None:
    assert 'class="kw"' not in (out / f"{KO}.html").read_text(encoding="utf-8")
