"""Render a memo: Jinja2 template -> self-contained HTML, then PDF; plus its figure record (JSON).

Templates print, loop and fill blocks; everything they show comes from the FactBook (figures, dates,
names, notes), the wording module (phrases chosen from the data) and the charts module.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from memo.core.lookup import MissingFigure
from memo.core.quantity import BoundsError
from memo.ingest.config import Edition, MemoDef
from memo.render import charts as charts_mod
from memo.render import i18n
from memo.render.changes import REMOVED, WHATS_NEW, Change, statements
from memo.render.facts import FactBook
from memo.render.wording import Wording


class MemoError(RuntimeError):
    """A memo could not be rendered; the message names the memo, the template and the cause."""


@dataclass(frozen=True)
class Since:
    """The earlier edition a memo is compared with: its folder name under .reports/ and its date."""

    edition: str
    date: str = ""


@dataclass
class WhatsNew:
    """The "What's new" box: what changed since an earlier edition, one item per change."""

    since: Since
    intro: str
    items: list[Markup] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Rendered:
    output_id: str
    html: str
    book: FactBook
    meta: dict[str, Any]
    whats_new: WhatsNew | None = None


def whats_new_box(book: FactBook, changes: list[Change], since: Since) -> WhatsNew | None:
    """The box for ``changes`` in the memo's language, each item with the note of its figure (a
    removed figure: of its former source, if the data still cite it); None when no change matters
    to a reader. Built before the memo's body, so its notes come first, in reading order."""
    told = statements(changes, book.gettext, book.language)
    if not told:
        return None
    _ = book.gettext
    if since.date and since.date != book.edition_date.isoformat():
        when = book.date(dt.date.fromisoformat(since.date))
        intro = _("Changes since the edition of {date}:").format(date=when)
    else:
        intro = _("Changes since the previous edition:")
    box = WhatsNew(since, intro)
    for s in told:
        c = s.change
        number = None
        if c.kind != REMOVED and c.new is not None:
            try:
                obs = book.find(c.indicator, c.entity, c.counterpart, c.new["period"])
            except MissingFigure:
                obs = None
            if obs is not None:
                number = book.cite(obs)
                book.record(obs, book.text(obs), number, WHATS_NEW)
        elif c.old is not None:
            cited = [src for src in c.old.get("sources") or () if src in book.dataset.sources]
            if cited:
                number = book.cite_source(cited[0])
        item = Markup("{}").format(s.text)
        if number is not None:
            item += book.marker(number)
        box.items.append(item)
        box.texts.append(s.text)
    return box


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
    changes: list[Change] | None = None,
    since: Since | None = None,
) -> Rendered:
    """Render one language edition of a memo to HTML, collecting its figures and notes in
    ``book`` (the memo's topic, in its language); with ``changes`` since an earlier edition, a
    "What's new" box at its top."""
    templates = root / "templates"
    lang = book.language
    trans = i18n.translations(templates, lang)
    _ = book.gettext
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    say = Wording(book)
    output_id = memo.output_id(lang)
    try:
        box = whats_new_box(book, changes, since) if changes and since else None
        charts = {spec.id: charts_mod.draw(spec, book) for spec in memo.chart_specs}
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
            whats_new=box,
            charts=charts,
            key_figures=key_figures,
            book=book,
            audience=_(memo.audience_label),
            keywords=", ".join(_(k) for k in memo.keywords),
            page_of_css=page_of_css(_("Page {page} of {pages}")),
            note_html=book.note_html,
            colophon=book.colophon,
            css=Markup((templates / "memo.css").read_text(encoding="utf-8")),
            screen_css=Markup((templates / "screen.css").read_text(encoding="utf-8")),
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
    meta = {
        "id": output_id,
        "memo": memo.id,
        "audience": memo.audience,
        "audience_label": _(memo.audience_label),
        "language": lang,
        "title": _(memo.title),
        "bottom_line": bottom_line(html),
        "edition_date": memo.edition_date.isoformat(),
        "edition_date_text": book.date(memo.edition_date),
        "stale_figures": len(book.stale),
        "pages_target": list(memo.pages),
        "templates": sorted({memo.template, "base.html.j2"}),
        "whats_new": len(box.items) if box else 0,
    }
    return Rendered(output_id, html, book, meta, box)


def bottom_line(html: str) -> str:
    """The plain text of the memo's bottom line (the element with id="bottom-line"), for e-mails."""
    m = re.search(r'id="bottom-line"[^>]*>(.*?)</(?:p|div|section)>', html, re.S)
    if not m:
        return ""
    text = re.sub(r"<sup>.*?</sup>|<[^>]+>", "", m.group(1))
    return " ".join(htmllib.unescape(text).split())
