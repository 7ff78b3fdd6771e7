"""memo.render.webfont: a page carries the part of the bundled Korean font it shows, as WOFF2 data
URLs: every character on a Korean page, only the Hangul on another; nothing on a page without
Korean; cut fonts kept in a cache."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from memo.core.problems import DataError
from memo.render import webfont
from unit.support import REPO

TEMPLATES = REPO / "templates"
KOREAN_PAGE = (
    '<!DOCTYPE html><html lang="ko"><head><title>제목은 그리지 않는다</title><style>p{}</style>'
    "</head><body><h1>관세 50%</h1><p>인도 &amp; 미국</p><svg><text>2025년</text></svg></body></html>"
)
ENGLISH_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>Tariffs 50%</p>'
    '<a hreflang="ko" lang="ko">한국어</a></body></html>'
)


def fonts_of(page: str) -> list[tuple[str, TTFont, str]]:
    """(weight, font, unicode-range) of each face embedded in a page."""
    out = []
    for rule in re.findall(r"@font-face \{(.*?)\}", page):
        weight = re.search(r"font-weight: (\w+)", rule)[1]
        data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", rule)[1])
        out.append(
            (weight, TTFont(io.BytesIO(data)), re.search(r"unicode-range: ([^;]+);", rule)[1])
        )
    return out


def test_the_faces_are_those_print_css_gives_weasyprint() -> None:
    faces = webfont.faces(TEMPLATES)
    assert [(f.weight, f.path.name) for f in faces] == [
        ("normal", "NanumGothic.ttf"),
        ("bold", "NanumGothicBold.ttf"),
    ]
    assert all(f.path.is_file() for f in faces)


def test_a_korean_page_carries_every_character_it_draws_and_no_other(tmp_path: Path) -> None:
    page, size = webfont.embed(KOREAN_PAGE, "ko", TEMPLATES, cache=tmp_path)
    drawn = set("관세50%인도&미국2025년")  # not the window title, not the style
    faces = fonts_of(page)
    assert [weight for weight, _, _ in faces] == ["normal", "bold"]
    for _weight, font, _range in faces:
        assert font.flavor == "woff2"
        assert {chr(cp) for cp in font.getBestCmap()} == drawn
        assert font["name"].getDebugName(1) == "NanumGothic"
    assert 0 < size < webfont.BUDGET
    # In the head, before the page's own styles end: the body is untouched.
    assert page.index('<style id="embedded-fonts">') < page.index("</head>")
    assert page.split("</head>")[1] == KOREAN_PAGE.split("</head>")[1]


def test_another_page_carries_only_its_hangul_within_its_range(tmp_path: Path) -> None:
    page, _ = webfont.embed(ENGLISH_PAGE, "en", TEMPLATES, cache=tmp_path)
    for _weight, font, unicode_range in fonts_of(page):
        assert {chr(cp) for cp in font.getBestCmap()} == set("한국어")
        # Latin letters keep the page's own font: the face covers only these three.
        assert unicode_range == webfont.unicode_range(frozenset(map(ord, "한국어")))


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda font: font[: len(font) // 2], "cannot be cut for the HTML pages"),
        (lambda font: b"not a font, " * 100, "is not a font whose characters can be read"),
    ],
    ids=["cut short", "not a font"],
)
def test_a_face_that_cannot_be_cut_is_named_where_print_css_names_it(
    tmp_path: Path, damage, said: str
) -> None:
    """The bold face's file damaged: a problem at the line of print.css naming it, as written."""
    templates = tmp_path / "templates"
    templates.mkdir()
    regular, bold = webfont.faces(TEMPLATES)
    (templates / "regular.ttf").write_bytes(regular.path.read_bytes())
    (templates / "damaged.ttf").write_bytes(damage(bold.path.read_bytes()))
    css = (TEMPLATES / "print.css").read_text(encoding="utf-8")
    css = css.replace(f"url({regular.src})", "url(regular.ttf)")
    css = css.replace(f"url({bold.src})", "url(damaged.ttf)")
    (templates / "print.css").write_text(css, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        webfont.embed(KOREAN_PAGE, "ko", templates)
    (problem,) = raised.value.problems
    at = 1 + next(i for i, line in enumerate(css.splitlines()) if "damaged.ttf" in line)
    assert (problem.path, problem.line, problem.column) == ("templates/print.css", at, "src")
    assert problem.problem.startswith(f"damaged.ttf {said} (")


def test_a_page_without_korean_is_left_as_it_is(tmp_path: Path) -> None:
    page = ENGLISH_PAGE.replace("한국어", "Korean")
    assert webfont.embed(page, "en", TEMPLATES, cache=tmp_path) == (page, 0)
    assert list(tmp_path.iterdir()) == []


def test_cut_fonts_are_kept_and_reused(tmp_path: Path) -> None:
    first, _ = webfont.embed(KOREAN_PAGE, "ko", TEMPLATES, cache=tmp_path)
    kept = sorted(tmp_path.glob("*.woff2"))
    assert len(kept) == 2
    assert {p.read_bytes() for p in kept} == set(fonts_data(first))
    # The next page with the same characters takes what was kept, without cutting again.
    for path in kept:
        path.write_bytes(b"kept " + path.name.encode())
    again, _ = webfont.embed(KOREAN_PAGE, "ko", TEMPLATES, cache=tmp_path)
    assert sorted(fonts_data(again)) == sorted(b"kept " + p.name.encode() for p in kept)


def fonts_data(page: str) -> list[bytes]:
    return [base64.b64decode(d) for d in re.findall(r"base64,([A-Za-z0-9+/=]+)\)", page)]


@pytest.mark.parametrize(
    ("codepoints", "css"),
    [({0xAC00}, "U+AC00"), ({0xAC00, 0xAC01, 0xAC02, 0xB2E4}, "U+AC00-AC02, U+B2E4")],
)
def test_unicode_ranges_merge_runs(codepoints: set[int], css: str) -> None:
    assert webfont.unicode_range(frozenset(codepoints)) == css


def test_wide_characters_are_those_latin_fonts_lack() -> None:
    assert all(webfont.wide(c) for c in "한국어中文、")
    assert not any(webfont.wide(c) for c in "Aé²–†%")


def test_a_cut_font_has_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    """The cut keeps the font's own timestamp, not the time of the cut: a page built on another
    machine or an hour later (a cluster's render against a local one) has the same bytes."""
    page, _ = webfont.embed(KOREAN_PAGE, "ko", TEMPLATES, cache=tmp_path)
    sources = {"normal": "NanumGothic.ttf", "bold": "NanumGothicBold.ttf"}
    for weight, font, _range in fonts_of(page):
        source = TTFont(REPO / "assets/fonts" / sources[weight], lazy=True)
        assert font["head"].modified == source["head"].modified


@pytest.mark.parametrize("font", sorted(p.name for p in (REPO / "assets/fonts").glob("*.ttf")))
def test_the_characters_a_font_draws_are_those_its_cmap_maps(font: str) -> None:
    """Read from the cmap table without naming glyphs: the same code points as fontTools'
    getBestCmap(), for each bundled font (format 4 and format 12 subtables)."""
    path = (REPO / "assets/fonts" / font).resolve()
    assert webfont._cmap(path) == frozenset(TTFont(path, lazy=True).getBestCmap())


def drawn_font(
    path: Path, kerning: dict[tuple[str, str], int] | None = None, features: str = ""
) -> Path:
    """A small TrueType font: "a", a Hangul syllable and an emoji (beyond the basic plane), with
    a legacy ``kern`` table of ``kerning`` and OpenType ``features`` (feature file syntax) when
    given."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._k_e_r_n import KernTable_format_0

    names = [".notdef", "a", "hangul", "smile"]
    cmap = {ord("a"): "a", 0xAC00: "hangul", 0x1F600: "smile"}
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(cmap)
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0)), pen.lineTo((0, 500)), pen.lineTo((400, 0)), pen.closePath()
    builder.setupGlyf({n: pen.glyph() for n in names})
    builder.setupHorizontalMetrics({n: (500, 0) for n in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Drawn", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    if kerning:
        table = KernTable_format_0()
        table.version, table.coverage, table.apple, table.kernTable = 0, 1, False, kerning
        builder.font["kern"] = newTable("kern")
        builder.font["kern"].version, builder.font["kern"].kernTables = 0, [table]
    if features:
        builder.addOpenTypeFeatures(features)
    builder.save(str(path))
    return path


def test_a_font_beyond_the_basic_plane_is_read_from_its_format_12_subtable(tmp_path: Path) -> None:
    path = drawn_font(tmp_path / "drawn.ttf")
    formats = {(t.platformID, t.platEncID): t.format for t in TTFont(path)["cmap"].tables}
    assert formats.get((3, 10)) == 12
    cmap = {ord("a"), 0xAC00, 0x1F600}
    assert webfont._cmap(path) == frozenset(cmap) == frozenset(TTFont(path).getBestCmap())


def kerning_by_character(font: TTFont) -> dict[tuple[str, str], int]:
    names = {glyph: chr(cp) for cp, glyph in font.getBestCmap().items()}
    if "kern" not in font:
        return {}
    return {
        (names[a], names[b]): value
        for table in font["kern"].kernTables
        for (a, b), value in table.kernTable.items()
    }


def test_a_cut_keeps_the_kerning_pairs_of_the_glyphs_it_keeps(tmp_path: Path) -> None:
    """HarfBuzz drops a font's legacy kern table, which browsers apply: the cut carries the pairs
    whose two glyphs it keeps, under their new glyph ids, and no table when none is left."""
    path = drawn_font(tmp_path / "kerned.ttf", {("a", "hangul"): -50, ("a", "smile"): -30})
    cut = TTFont(io.BytesIO(webfont._subset(path, frozenset({ord("a"), 0xAC00}))))
    assert cut.flavor == "woff2"
    assert {chr(cp) for cp in cut.getBestCmap()} == {"a", "\uac00"}
    assert kerning_by_character(cut) == {("a", "\uac00"): -50}
    alone = TTFont(io.BytesIO(webfont._subset(path, frozenset({0xAC00, 0x1F600}))))
    assert "kern" not in alone
    unkerned = drawn_font(tmp_path / "plain.ttf")
    assert "kern" not in TTFont(io.BytesIO(webfont._subset(unkerned, frozenset({ord("a")}))))
    # With OpenType kerning as well, browsers kern with that: the legacy table is left out, as
    # fontTools' subsetter leaves it out.
    both = drawn_font(
        tmp_path / "both.ttf", {("a", "hangul"): -50}, "feature kern { pos a hangul -40; } kern;"
    )
    cut = TTFont(io.BytesIO(webfont._subset(both, frozenset({ord("a"), 0xAC00}))))
    assert "GPOS" in cut and "kern" not in cut


def test_a_cut_keeps_what_fonttools_subsetter_keeps() -> None:
    """fontTools' subsetter, with the options the cut stands for (no hinting, names 1 and 2), is
    the reference: the cut of the bundled font has the same characters, outlines, advances, names
    and kerning pairs (its Latin letters are kerned), only its bytes differ."""
    from fontTools import subset
    from fontTools.pens.recordingPen import RecordingPen

    face = webfont.faces(TEMPLATES)[0]
    wanted = frozenset(map(ord, "AVATAR To Wy. 관세 50% 인도")) - {ord(" ")}
    cut = TTFont(io.BytesIO(webfont._subset(face.path, wanted)))
    options = subset.Options()
    options.hinting, options.name_IDs = False, [1, 2]
    reference = TTFont(face.path)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(reference)

    def drawn(font: TTFont) -> dict[str, tuple[int, list]]:
        glyphs = font.getGlyphSet()
        out = {}
        for cp, name in font.getBestCmap().items():
            pen = RecordingPen()
            glyphs[name].draw(pen)
            out[chr(cp)] = (glyphs[name].width, pen.value)
        return out

    assert set(drawn(cut)) == {chr(cp) for cp in wanted}
    assert drawn(cut) == drawn(reference)
    names = [(r.nameID, r.platformID, r.langID, str(r)) for r in cut["name"].names]
    assert names == [(r.nameID, r.platformID, r.langID, str(r)) for r in reference["name"].names]
    kerning = kerning_by_character(cut)
    assert ("A", "V") in kerning and kerning == kerning_by_character(reference)


def test_a_cut_leaves_fonttools_woff2_writer_as_it_was(tmp_path: Path) -> None:
    """The cut has fontTools compress at a lower Brotli quality while it writes, and only then."""
    from fontTools.ttLib import woff2

    before = woff2.brotli
    webfont._subset(drawn_font(tmp_path / "drawn.ttf"), frozenset({ord("a")}))
    assert woff2.brotli is before
