"""Embed the part of the bundled Korean font that an HTML page uses, as WOFF2 data URLs.

The HTML files are self-contained and read on machines without a Korean font: there, every Hangul
glyph would be a box. So each page (a memo, the index) carries, in its own ``<style>``, the faces of
the font family print.css gives WeasyPrint for Korean (``Memo Korean``: NanumGothic, SIL OFL),
cut with HarfBuzz to the characters the page shows and compressed with Brotli (WOFF2). A
Korean page gets every character it shows that the font has, so that its Latin letters and figures
match its Hangul, as in the PDF; any other page only its Hangul and CJK characters (a "한국어" link,
a Korean title in the index), with a ``unicode-range`` so its own letters keep their font.

Cutting a Korean memo's two faces takes about 0.3 CPU-s, most of it fontTools writing
the WOFF2 (fontTools' own subsetter with Brotli's best quality took three times as long); the cut
fonts are kept in ``build/webfonts/``, by font, way of cutting and characters: a memo whose text
did not change reuses them.

Budget: :data:`BUDGET` bytes of WOFF2 per page, both faces together (a Korean memo of four pages
uses about 450 distinct characters: about 74 KB). A page over budget is reported by the build.
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import io
import re
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from memo.core.problems import DataError, Problem

FAMILY = "Memo Korean"
# Languages written with the family: their pages take every character they show from it.
LANGUAGES = ("ko",)
BUDGET = 160_000  # bytes of WOFF2 per page, regular and bold together

_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.S)
_FAMILY = re.compile(r"font-family:\s*\"([^\"]+)\"")
_WEIGHT = re.compile(r"font-weight:\s*(\w+)")
_SRC = re.compile(r"src:\s*url\(([^)]+)\)")
_HIDDEN = re.compile(r"<(style|script|title)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Face:
    """One face of the family: its weight, its font file, and where print.css names it (the
    ``src`` as written, its line)."""

    weight: str
    path: Path
    src: str = ""
    line: int = 0


def faces(templates: Path) -> list[Face]:
    """The faces print.css declares for the family (regular first), with their files."""
    css = (templates / "print.css").read_text(encoding="utf-8")
    out = []
    for match in _FACE.finditer(css):
        rule = match.group(1)
        family = _FAMILY.search(rule)
        src = _SRC.search(rule)
        if family and src and family.group(1) == FAMILY:
            weight = _WEIGHT.search(rule)
            written = src.group(1).strip("\"'")
            line = css.count("\n", 0, match.start(1) + src.start()) + 1
            out.append(
                Face(
                    weight.group(1) if weight else "normal",
                    (templates / written).resolve(),
                    written,
                    line,
                )
            )
    return sorted(out, key=lambda f: f.weight != "normal")


@contextmanager
def _named(templates: Path, face: Face, what: str) -> Iterator[None]:
    """A face that cannot be read or cut (a damaged or truncated file) becomes a problem named
    where print.css names it; ``what`` says which. A missing or unreadable file stays an OSError,
    said as such with its name."""
    try:
        yield
    except OSError:
        raise
    except Exception as error:  # HarfBuzz's RuntimeError, fontTools' TTLibError, struct.error...
        cause = type(error).__name__
        if cause == "error":  # struct.error, from reading the font's tables
            cause = f"{type(error).__module__}.error"
        problem = Problem(
            f"{templates.name}/print.css",
            face.line,
            "src",
            f"{face.src} {what} ({cause}: {error})",
            "restore the font file, or name another TrueType or OpenType font here",
        )
        raise DataError([problem]) from error


def shown_text(page: str) -> str:
    """The text a page draws: everything but tags, styles, scripts and the window title."""
    return htmllib.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page)))


def wide(ch: str) -> bool:
    """A character of a script the Latin fonts do not draw: Hangul, CJK, their punctuation."""
    cp = ord(ch)
    return (
        0x1100 <= cp <= 0x11FF
        or 0x2E80 <= cp <= 0x9FFF
        or 0xA960 <= cp <= 0xA97F
        or 0xAC00 <= cp <= 0xD7FF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
    )


@lru_cache(maxsize=4)
def _cmap(path: Path) -> frozenset[int]:
    """The code points the font draws, read from its ``cmap`` table (the Unicode subtable, full
    repertoire first): as fontTools' ``getBestCmap()`` keys, without naming the 10,000 glyphs of a
    CJK font first, which takes half a second."""
    data = _font_bytes(path)
    (tables,) = struct.unpack_from(">H", data, 4)
    offsets = {
        tag: offset
        for tag, _sum, offset, _len in (
            struct.unpack_from(">4sIII", data, 12 + 16 * i) for i in range(tables)
        )
    }
    base = offsets[b"cmap"]
    (_version, count) = struct.unpack_from(">HH", data, base)
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
        subtables.setdefault((platform, encoding), base + offset)
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        at = subtables.get(key)
        if at is None:
            continue
        (fmt,) = struct.unpack_from(">H", data, at)
        if fmt == 12:
            (groups,) = struct.unpack_from(">I", data, at + 12)
            out: set[int] = set()
            for g in range(groups):
                start, end, _glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
                out.update(range(start, end + 1))
            return frozenset(out)
        if fmt == 4:
            return frozenset(_format4(data, at))
    raise ValueError(f"{path.name}: no Unicode cmap subtable of format 4 or 12")


def _format4(data: bytes, at: int) -> set[int]:
    """The code points a format 4 subtable maps to a glyph other than 0 (.notdef)."""
    (segments,) = struct.unpack_from(">H", data, at + 6)
    segments //= 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    range_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, range_at)
    out = set()
    for i, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, ranges, strict=True)):
        for cp in range(start, end + 1):
            if cp == 0xFFFF:
                continue
            if offset == 0:
                glyph = (cp + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(
                    ">H", data, range_at + 2 * i + offset + 2 * (cp - start)
                )
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                out.add(cp)
    return out


@lru_cache(maxsize=4)
def _font_bytes(path: Path) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=4)
def _font_digest(path: Path) -> bytes:
    """The font's SHA-256, once per process: hashing a 4.6 MB face took 8–9 ms a page."""
    return hashlib.sha256(_font_bytes(path)).digest()


def subset_woff2(path: Path, codepoints: frozenset[int], cache: Path | None = None) -> bytes:
    """The font at ``path`` cut down to ``codepoints``, as WOFF2; kept in ``cache`` (a folder,
    by font, way of cutting and characters), and taken from there when it was cut before."""
    key = hashlib.sha256(_font_digest(path) + CUT + unicode_range(codepoints).encode()).hexdigest()
    stored = cache / f"{key[:32]}.woff2" if cache is not None else None
    if stored is not None and stored.is_file():
        return stored.read_bytes()
    data = _subset(path, codepoints)
    if stored is not None:
        from memo.core.files import write_atomic

        try:
            write_atomic(stored, data)
        except OSError:
            pass  # a cache that cannot be written is only slower
    return data


# Brotli's quality for the WOFF2 data. fontTools compresses at the best, 11: a Korean memo's two
# faces then take over half a second; at 9 half that, for 4 % more bytes (docs/performance.md).
BROTLI_QUALITY = 9
# How a font is cut, part of the cache key: a new way of cutting does not take the old cuts.
CUT = f"harfbuzz; woff2 brotli {BROTLI_QUALITY}".encode()
_brotli_lock = threading.Lock()


@lru_cache(maxsize=32)
def _subset(path: Path, codepoints: frozenset[int]) -> bytes:
    """Cut the font with HarfBuzz (no hinting, HarfBuzz's default layout features: a browser draws
    the text as the PDF does), keep the pairs of its legacy ``kern`` table among the glyphs kept
    (HarfBuzz drops that table; browsers apply it) and write it as WOFF2 with fontTools."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    spec = hb.SubsetInput()
    spec.unicode_set.update(codepoints)
    spec.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE  # CFF: smaller WOFF2
    names = spec.name_id_set
    names.clear()
    names.update((1, 2))  # family and style: what a browser reports as the drawing font
    plan = hb.SubsetPlan(_hb_face(path), spec)
    kept = dict(plan.old_to_new_glyph_mapping.items())
    cut = plan.execute()  # RuntimeError when the font is damaged (for_page names it)
    # The font's own timestamp, not the time of the cut: the same page has the same bytes on every
    # build and machine (a local build and a cluster's are compared byte for byte).
    font = TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False)
    # With a GPOS table, fontTools' subsetter drops the legacy one (browsers kern with GPOS): so here.
    kerning = None if "GPOS" in font else _kerning(path, kept, font.getGlyphOrder())
    if kerning is not None:
        font["kern"] = kerning
    font.flavor = "woff2"
    out = io.BytesIO()
    with _brotli_quality(BROTLI_QUALITY):
        font.save(out)
    return out.getvalue()


@lru_cache(maxsize=4)
def _hb_face(path: Path):
    import uharfbuzz as hb

    return hb.Face(hb.Blob(_font_bytes(path)))


@lru_cache(maxsize=4)
def _source_kern(path: Path) -> tuple[object, list[str]] | None:
    """The font's legacy ``kern`` table (pairs by glyph name) and its glyph names by id; None
    without one."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_bytes(path)), lazy=True)
    if "kern" not in font:
        return None
    return font["kern"], font.getGlyphOrder()


def _kerning(path: Path, kept: dict[int, int], order: list[str]):
    """The font's ``kern`` table cut to the pairs whose two glyphs are kept (``kept``: old glyph
    id to new, ``order``: the cut font's glyph names), as fontTools' subsetter cuts it: subtables
    of formats it does not read left out, None when no pair is left."""
    import copy

    from fontTools.ttLib import newTable

    source = _source_kern(path)
    if source is None:
        return None
    table, names = source
    new = {names[old]: order[cut] for old, cut in kept.items()}  # the kept glyphs' new names
    subtables = []
    for subtable in table.kernTables:
        if not hasattr(subtable, "kernTable"):
            continue
        pairs = {
            (new[a], new[b]): v for (a, b), v in subtable.kernTable.items() if a in new and b in new
        }
        if pairs:
            cut = copy.copy(subtable)
            cut.kernTable = pairs
            subtables.append(cut)
    if not subtables:
        return None
    kern = newTable("kern")
    kern.version = table.version
    kern.kernTables = subtables
    return kern


@contextmanager
def _brotli_quality(quality: int) -> Iterator[None]:
    """fontTools' WOFF2 writer compresses with ``brotli.compress(data, mode=...)``, at brotli's
    best quality; have it compress at ``quality`` meanwhile (one writer at a time)."""
    from fontTools.ttLib import woff2

    class Brotli:
        def __getattr__(self, name: str):
            return getattr(real, name)

        @staticmethod
        def compress(data: bytes, mode: int = woff2.brotli.MODE_GENERIC) -> bytes:
            return real.compress(data, mode=mode, quality=quality)

    with _brotli_lock:
        real = woff2.brotli
        woff2.brotli = Brotli()
        try:
            yield
        finally:
            woff2.brotli = real


def unicode_range(codepoints: frozenset[int]) -> str:
    """A CSS unicode-range for a set of code points, runs merged ("U+AC00-AC02, U+B2E4")."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in ranges)


@dataclass(frozen=True)
class Embedded:
    """The ``@font-face`` rules a page needs (empty: none) and their WOFF2 size in bytes."""

    css: str
    size: int


def for_page(page: str, language: str, templates: Path, cache: Path | None = None) -> Embedded:
    """The @font-face rules that let ``page`` (in ``language``) draw its Korean text."""
    chars = set(shown_text(page))
    out = []
    size = 0
    for face in faces(templates):
        with _named(templates, face, "is not a font whose characters can be read"):
            cmap = _cmap(face.path)
        if language.split("-")[0] in LANGUAGES:
            wanted = {ord(c) for c in chars if not c.isspace()} & cmap
        else:
            wanted = {ord(c) for c in chars if wide(c)} & cmap
        if not any(wide(chr(cp)) for cp in wanted):
            return Embedded("", 0)  # nothing Korean on the page
        with _named(templates, face, "cannot be cut for the HTML pages"):
            data = subset_woff2(face.path, frozenset(wanted), cache)
        size += len(data)
        out.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {face.weight}; '
            f"font-display: block; unicode-range: {unicode_range(frozenset(wanted))}; "
            f'src: url(data:font/woff2;base64,{base64.b64encode(data).decode()}) format("woff2"); }}'
        )
    return Embedded("\n".join(out), size)


def embed(page: str, language: str, templates: Path, cache: Path | None = None) -> tuple[str, int]:
    """``page`` with the font faces it needs in a ``<style>`` at the end of its head, and their
    WOFF2 size; unchanged (and 0) when it shows no Korean. ``cache``: where cut fonts are kept."""
    fonts = for_page(page, language, templates, cache)
    if not fonts.css:
        return page, 0
    style = f'<style id="embedded-fonts">\n{fonts.css}\n</style>\n'
    head_end = page.find("</head>")
    if head_end < 0:
        return style + page, fonts.size
    return page[:head_end] + style + page[head_end:], fonts.size


CACHE = "build/webfonts"
