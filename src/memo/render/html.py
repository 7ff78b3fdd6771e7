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
from memo.ingest.edition import Edition, MemoDef
from memo.render import charts as charts_mod
from memo.render import i18n, prose, webfont
from memo.render.changes import REMOVED, WHATS_NEW, Change, statements
from memo.render.facts import FactBook
from memo.render.locate import TracedWording, call_location, template_location, traced
from memo.render.wording import Wording


class MemoError(RuntimeError):
    """A memo could not be rendered; the message names the memo, the file and line, and the cause
    (``path``, ``line`` and ``problem`` hold them apart, for the preview's error page)."""

    def __init__(self, message: str, path: str = "", line: int = 0, problem: str = "") -> None:
        super().__init__(message)
        self.path, self.line, self.problem = path, line, problem or message


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
    """A rendered memo: ``html`` is what WeasyPrint prints; ``page``, the HTML file a reader
    opens, is the same with the subset of the Korean font it needs embedded (memo.render.webfont)."""

    output_id: str
    html: str
    book: FactBook
    meta: dict[str, Any]
    page: str = ""
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
        # Jinja's optimizer merges a {% trans %} block's output with the text before it, and an
        # error in the block is then reported at that text's line; off, errors name their own line
        # (the output is the same, and a template compiles a sixth faster).
        optimized=False,
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
    "What's new" box at its top.

    The memo is rendered twice: the first rendering finds the order in which a reader meets the
    note calls and the charts, the second numbers them in that order (see memo.render.facts).
    """
    output_id = memo.output_id(book.language)
    checked = i18n.Checked(root / "templates", book.language)
    book.gettext = checked.gettext
    # The page's styles, read once for both renderings.
    styles = {
        name: Markup((root / "templates" / f"{file}.css").read_text(encoding="utf-8"))
        for name, file in (("css", "memo"), ("screen_css", "screen"))
    }
    try:
        whats_new = (changes, since) if changes and since else None
        first, figures, box = _render_once(
            root, env, book, memo, checked, styles, chart_order=None, whats_new=whats_new
        )
        if checked.pending and edition.translations_pending != "mark":
            raise MemoError(untranslated(root, output_id, book.language, checked.pending))
        book.restart(book.reading_order(first))
        html, _figures, box = _render_once(
            root,
            env,
            book,
            memo,
            checked,
            styles,
            chart_order=figures.placed,
            pending=bool(checked.pending),
            whats_new=whats_new,
        )
    except prose.ProseError as e:
        raise MemoError(
            f"memo {output_id}: {e}", e.path, e.line, e.problem + (f" ({e.hint})" if e.hint else "")
        ) from None
    except (
        MissingFigure,
        BoundsError,  # wording the data cannot support ("rose" across overlapping ranges)
        charts_mod.ChartError,
        jinja2.UndefinedError,
        jinja2.TemplateError,
        KeyError,
    ) as e:
        path, line = template_location(e, memo.template)
        path, line = call_location(root, env, memo.template, e, path, line)
        problem = e.message if isinstance(e, jinja2.TemplateError) and e.message else str(e)
        if isinstance(e, KeyError) and e.args:
            problem = str(e.args[0])
        where = f"{path}:{line}" if line else path
        raise MemoError(f"memo {output_id}: {where}: {problem}", path, line, problem) from None
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
        "whats_new": len(box.items) if box else 0,
    }
    page, font_bytes = webfont.embed(
        html, book.language, root / "templates", cache=root / webfont.CACHE
    )
    meta["webfont_bytes"] = font_bytes
    return Rendered(output_id, html, book, meta, page, box)


def _render_once(
    root: Path,
    env: jinja2.Environment,
    book: FactBook,
    memo: MemoDef,
    checked: i18n.Checked,
    styles: dict[str, Markup],
    chart_order: list[str] | None,
    pending: bool = False,
    whats_new: tuple[list[Change], Since] | None = None,
) -> tuple[str, charts_mod.Figures, WhatsNew | None]:
    """One rendering of the memo's template; the HTML, where its charts were placed and the
    "What's new" box (for ``whats_new``: the changes and the edition they are since)."""
    templates = root / "templates"
    lang = book.language
    _ = book.gettext
    env.install_gettext_translations(checked, newstyle=True)  # type: ignore[attr-defined]
    say = Wording(book)
    # Built before the body, so that the box's notes come first, in reading order.
    box = whats_new_box(book, *whats_new) if whats_new else None
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
    context: dict[str, Any] = dict(
        memo=memo,
        lang=lang,
        title=_(memo.title),
        subtitle=_(memo.subtitle) if memo.subtitle else "",
        description=_(memo.description) if memo.description else "",
        marking=_(memo.marking),
        author=_(memo.author),
        edition_date=memo.edition_date.isoformat(),
        edition_date_text=book.date(memo.edition_date),
        fact=traced("fact", book.fact),
        event=traced("event", book.event),
        event_title=traced("event_title", book.event_title),
        name=traced("name", book.name),
        say=TracedWording(say),
        whats_new=box,
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
        **styles,
    )
    # Sections written in Markdown print where the template lists them, so that their notes are
    # numbered in reading order.
    markdown = prose.markdown_sections(templates, memo.id, memo.sections)
    context["prose_sections"] = tuple(markdown)
    context["prose"] = lambda section: prose.render_section(
        markdown[section],
        markdown[section].relative_to(root).as_posix(),
        section,
        _,
        context,
    )
    html = env.get_template(memo.template).render(context)
    figures.check_all_placed()
    return book.calls_after_words(html), figures, box


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
