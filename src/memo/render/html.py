"""Render a memo: Jinja2 template -> self-contained HTML, then PDF; plus its figure record (JSON).

Templates print, loop and fill blocks; everything they show comes from the FactBook (figures, dates,
names, notes), the wording module (phrases chosen from the data) and the charts module.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from memo.core.lookup import MissingFigure
from memo.core.quantity import BoundsError
from memo.ingest.config import Edition, MemoDef
from memo.render import charts as charts_mod
from memo.render import i18n, webfont
from memo.render.facts import FactBook
from memo.render.wording import Wording


class MemoError(RuntimeError):
    """A memo could not be rendered; the message names the memo, the template and the cause."""


@dataclass
class Rendered:
    """A rendered memo: ``html`` is what WeasyPrint prints; ``page``, the HTML file a reader
    opens, is the same with the subset of the Korean font it needs embedded (memo.render.webfont)."""

    output_id: str
    html: str
    book: FactBook
    meta: dict[str, Any]
    page: str = ""


def environment(templates: Path) -> jinja2.Environment:
    """A Jinja environment that escapes everything and stops on any undefined name."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cssstring"] = css_string
    return env


def css_string(value: object) -> Markup:
    """Escape text for a CSS string literal inside <style>: every character that is not a plain
    letter, digit or space becomes a CSS escape, so no quote, brace or ``</style>`` gets through."""
    out = []
    for ch in str(value):
        out.append(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} ")
    return Markup("".join(out))


def page_of_css(pattern: str) -> Markup:
    """Turn a translated "Page {page} of {pages}" into a CSS content value with counters."""

    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(f'"{css_string(piece)}"')
    return Markup(" ".join(parts))


def render_html(
    root: Path,
    env: jinja2.Environment,
    book: FactBook,
    edition: Edition,
    memo: MemoDef,
) -> Rendered:
    """Render one language edition of a memo to HTML, collecting its figures and notes in
    ``book`` (the memo's topic, in its language).

    The memo is rendered twice: the first rendering finds the order in which a reader meets the
    note calls and the charts, the second numbers them in that order (see memo.render.facts).
    """
    output_id = memo.output_id(book.language)
    checked = i18n.Checked(root / "templates", book.language)
    book.gettext = checked.gettext
    try:
        first, figures = _render_once(root, env, book, memo, checked, chart_order=None)
        if checked.pending and edition.translations_pending != "mark":
            raise MemoError(untranslated(root, output_id, book.language, checked.pending))
        book.restart(book.reading_order(first))
        html, _figures = _render_once(
            root,
            env,
            book,
            memo,
            checked,
            chart_order=figures.placed,
            pending=bool(checked.pending),
        )
    except (
        MissingFigure,
        BoundsError,  # wording the data cannot support ("rose" across overlapping ranges)
        charts_mod.ChartError,
        jinja2.UndefinedError,
        jinja2.TemplateError,
        KeyError,
    ) as e:
        where = getattr(e, "filename", None) or memo.template
        raise MemoError(f"memo {output_id}: template templates/{Path(where).name}: {e}") from None
    _ = book.gettext
    meta = {
        "id": output_id,
        "memo": memo.id,
        "audience": memo.audience,
        "audience_label": _(memo.audience_label),
        "language": book.language,
        "title": _(memo.title),
        "bottom_line": bottom_line(html),
        "marking": _(memo.marking),
        "publisher": _(edition.publisher),
        "edition_date": memo.edition_date.isoformat(),
        "edition_date_text": book.date(memo.edition_date),
        "stale_figures": len(book.stale),
        "translations_pending": len(checked.pending),
        "pages_target": list(memo.pages),
        "paper": memo.paper,
        "templates": sorted({memo.template, "base.html.j2"}),
    }
    page, font_bytes = webfont.embed(
        html, book.language, root / "templates", cache=root / webfont.CACHE
    )
    meta["webfont_bytes"] = font_bytes
    return Rendered(output_id, html, book, meta, page)


def _render_once(
    root: Path,
    env: jinja2.Environment,
    book: FactBook,
    memo: MemoDef,
    checked: i18n.Checked,
    chart_order: list[str] | None,
    pending: bool = False,
) -> tuple[str, charts_mod.Figures]:
    """One rendering of the memo's template; the HTML and where its charts were placed."""
    templates = root / "templates"
    lang = book.language
    _ = book.gettext
    env.install_gettext_translations(checked, newstyle=True)  # type: ignore[attr-defined]
    say = Wording(book)
    figures = charts_mod.Figures(
        memo, book, charts_mod.placed_in(templates / memo.template), order=chart_order
    )
    key_figures = []
    for kf in memo.key_figures:
        obs = book.find(kf.indicator, kf.entity, kf.counterpart, kf.period)
        key_figures.append(
            {
                "label": _(kf.label) if kf.label else book.label(kf.indicator),
                "who": say.who(obs),
                # Ranks read as ordinals in a table ("2nd"), where a bare "2" is ambiguous.
                "value": book.show(obs, ordinal=True),
            }
        )
    html = env.get_template(memo.template).render(
        memo=memo,
        lang=lang,
        title=_(memo.title),
        subtitle=_(memo.subtitle) if memo.subtitle else "",
        description=_(memo.description) if memo.description else "",
        marking=_(memo.marking),
        author=_(memo.author),
        edition_date=memo.edition_date.isoformat(),
        edition_date_text=book.date(memo.edition_date),
        fact=book.fact,
        event=book.event,
        event_title=book.event_title,
        name=book.name,
        say=say,
        chart=figures.place,
        chart_ref=figures.ref,
        unplaced_charts=figures.rest,
        key_figures=key_figures,
        book=book,
        audience=_(memo.audience_label),
        keywords=", ".join(_(k) for k in memo.keywords),
        page_of_css=page_of_css(_("Page {page} of {pages}")),
        paper=memo.paper,
        editions=other_editions(memo, lang),
        translation_pending=pending,
        note_html=book.note_html,
        colophon=book.colophon,
        css=Markup((templates / "memo.css").read_text(encoding="utf-8")),
        screen_css=Markup((templates / "screen.css").read_text(encoding="utf-8")),
    )
    figures.check_all_placed()
    return book.calls_after_words(html), figures


def untranslated(root: Path, output_id: str, language: str, messages: list[str]) -> str:
    """Say which messages an edition uses without a confirmed translation, where each is written,
    and which catalogue to update."""
    from babel import Locale

    from memo.render.messages import extract

    where = {m.id: m.locations for m in extract(root) if m.id}
    po = i18n.catalogue_path(Path("templates"), language).as_posix()
    lines = [
        f"{len(messages)} message{'' if len(messages) == 1 else 's'} without a confirmed "
        f"{Locale.parse(language).english_name} translation; update {po} (run `memo catalogue`, "
        "translate each, and remove its fuzzy mark):"
    ]
    for msgid in messages:
        locations = where.get(msgid) or [
            ("(not in the message template: run memo catalogue)", None)
        ]
        file, line = locations[0]
        lines.append(f"  {file}:{line or 1}: {i18n.shorten(msgid)!r}")
    return f"memo {output_id}: " + "\n".join(lines)


def other_editions(memo: MemoDef, language: str) -> list[dict[str, str]]:
    """The memo's editions in its other languages: file, language, and the language's own name."""
    from babel import Locale

    return [
        {
            "lang": lang,
            "href": f"{memo.output_id(lang)}.html",
            "name": Locale.parse(lang).get_display_name(lang).capitalize(),
        }
        for lang in memo.languages
        if lang != language
    ]


def bottom_line(html: str) -> str:
    """The plain text of the memo's bottom line (the element with id="bottom-line"), for e-mails."""
    m = re.search(r'id="bottom-line"[^>]*>(.*?)</(?:p|div|section)>', html, re.S)
    if not m:
        return ""
    text = re.sub(r'\u00a0?<a class="noteref"[^>]*>.*?</a>|<[^>]+>', "", m.group(1))
    return " ".join(htmllib.unescape(text).split())
