"""Render a memo: Jinja2 template -> self-contained HTML, then PDF; plus its figure record (JSON).

Templates print, loop and fill blocks; everything they show comes from the FactBook (figures, dates,
names, notes), the wording module (phrases chosen from the data) and the charts module.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from memo import charts as charts_mod
from memo import i18n, linebreak
from memo.config import Edition, MemoDef, load_edition
from memo.errors import DataError, format_problems
from memo.facts import FactBook, MissingFigure
from memo.files import write_atomic
from memo.model import Dataset
from memo.wording import Wording


class MemoError(RuntimeError):
    """A memo could not be rendered; the message names the memo, the template and the cause."""


@dataclass
class Rendered:
    output_id: str
    html: str
    book: FactBook
    meta: dict[str, Any]


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
    import re

    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(f'"{css_string(piece)}"')
    return Markup(" ".join(parts))


def load_inputs(root: Path) -> tuple[Dataset, Edition]:
    """Load and check the data, derive the comparisons, load the edition; raise DataError on problems.

    Derivations are recomputed here (they take milliseconds) rather than read from build/derived/,
    so a memo never shows figures derived from older data than its own.
    """
    from memo.data import load_dataset
    from memo.derive import derive_all

    dataset = load_dataset(root)
    dataset = Dataset(
        dictionary=dataset.dictionary,
        observations=dataset.observations,
        sources=dataset.sources,
        events=dataset.events,
        derived=tuple(derive_all(dataset).observations),
    )
    edition = load_edition(root, set(dataset.dictionary.indicators))
    return dataset, edition


def render_html(
    root: Path,
    env: jinja2.Environment,
    dataset: Dataset,
    edition: Edition,
    memo: MemoDef,
    lang: str,
) -> Rendered:
    """Render one language edition of a memo to HTML, collecting its figures and notes."""
    templates = root / "templates"
    trans = i18n.translations(templates, lang)
    _ = trans.gettext
    book = FactBook(dataset, lang, _, memo.edition_date, edition.max_age_days)
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    say = Wording(book)
    output_id = memo.output_id(lang)
    try:
        charts = {name: charts_mod.CHARTS[name](book) for name in memo.charts}
        key_figures = [
            {
                "label": _(kf.label) if kf.label else book.label(kf.indicator),
                "who": say.who(book.find(kf.indicator, kf.entity, kf.counterpart, kf.period)),
                "value": book.fact(kf.indicator, kf.entity, kf.counterpart, kf.period),
            }
            for kf in memo.key_figures
        ]
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
    except (MissingFigure, jinja2.UndefinedError, jinja2.TemplateError, KeyError) as e:
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
    }
    return Rendered(output_id, html, book, meta)


def bottom_line(html: str) -> str:
    """The plain text of the memo's bottom line (the element with id="bottom-line"), for e-mails."""
    import html as htmllib
    import re

    m = re.search(r'id="bottom-line"[^>]*>(.*?)</(?:p|div|section)>', html, re.S)
    if not m:
        return ""
    text = re.sub(r"<sup>.*?</sup>|<[^>]+>", "", m.group(1))
    return " ".join(htmllib.unescape(text).split())


def figure_record(r: Rendered) -> dict[str, Any]:
    """The machine-readable record of every figure a memo shows, and its notes."""
    ds = r.book.dataset
    return {
        "memo": r.output_id,
        "language": r.book.language,
        "figures": r.book.records,
        "notes": [
            {
                "number": n.number,
                "source": n.source_id or None,
                "derived": n.derived.indicator if n.derived else None,
                "citation": _source_dict(ds, n.source_id) if n.source_id else None,
            }
            for n in r.book.notes
        ],
        "events": [
            {"id": e, "date": ds.events[e].date, "source": ds.events[e].source}
            for e in r.book.events_used
        ],
        "stale": [o.ref for o in r.book.stale],
    }


def _source_dict(ds: Dataset, source_id: str) -> dict[str, str]:
    s = ds.sources[source_id]
    return {
        "id": s.id,
        "author": s.author,
        "title": s.title,
        "publisher": s.publisher,
        "date": s.date,
        "url": s.url,
    }


def write_outputs(r: Rendered, out: Path, pdf_renderer: Any | None) -> None:
    """Write a memo's HTML, PDF, figure record and metadata; each file appears whole or not at all."""
    write_atomic(out / f"{r.output_id}.html", r.html.encode("utf-8"))
    if pdf_renderer is not None:
        # The PDF gets the HTML with its language's line-breaking markup; the HTML file stays as is.
        pdf_html = linebreak.for_pdf(r.html, r.book.language)
        r.meta["pages"] = pdf_renderer.render(pdf_html, out / f"{r.output_id}.pdf")
        lo, hi = r.meta["pages_target"]
        if not lo <= r.meta["pages"] <= hi:
            print(
                f"warning: {r.output_id}: {r.meta['pages']} pages, outside the target {lo}–{hi} "
                "(config/memos.yaml pages)",
                file=sys.stderr,
            )
    for obs in r.book.stale:
        print(
            f"warning: {r.output_id}: figure {obs.ref} ({obs.indicator}, {obs.period}) is older than the "
            "age limit (config/config.yaml freshness.max_age_days)",
            file=sys.stderr,
        )
    record = json.dumps(figure_record(r), ensure_ascii=False, indent=1, sort_keys=True)
    write_atomic(out / f"{r.output_id}.figures.json", record.encode("utf-8"))
    write_atomic(
        out / f"{r.output_id}.meta.json", json.dumps(r.meta, ensure_ascii=False, indent=1).encode()
    )


def prepare(root: Path, pdf: bool = True) -> tuple[Dataset, Edition, jinja2.Environment, Any]:
    """What rendering memos shares: the checked inputs, the Jinja environment, the PDF renderer.

    A warm render server (memo.render_server) prepares these once and hands them to each memo it
    renders while the files they were read from are unchanged.
    """
    from memo import render_server

    warm = render_server.warm_prepared(root, pdf)
    if warm is not None:
        return warm
    dataset, edition = load_inputs(root)
    env = environment(root / "templates")
    renderer = None
    if pdf:
        from memo.pdf import PdfRenderer

        renderer = PdfRenderer(root)
    return dataset, edition, env, renderer


def render_memos(root: Path, output_ids: list[str], out: Path, pdf: bool = True) -> None:
    """Render the given memo editions (all when empty) in this one process."""
    dataset, edition, env, renderer = prepare(root, pdf)
    ids = output_ids or edition.output_ids()
    for i, oid in enumerate(ids, 1):
        start = time.monotonic()
        memo, lang = edition.memo(oid)
        r = render_html(root, env, dataset, edition, memo, lang)
        write_outputs(r, out, renderer)
        print(f"[{i}/{len(ids)}] {oid}: {time.monotonic() - start:.1f} s", file=sys.stderr)


def cli_render(args: Any) -> int:
    """``memo render``: render memos to build/memos/."""
    root = Path(args.root)
    try:
        render_memos(root, list(args.memos), root / args.out, pdf=not args.html_only)
    except DataError as e:
        print(format_problems(e.problems), file=sys.stderr)
        print(f"{len(e.problems)} problems; no memo was written", file=sys.stderr)
        return 1
    except (MemoError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, an unwritable build/: say which file, no traceback
        import errno

        where = e.filename or root / args.out
        what = "disk full while writing" if e.errno == errno.ENOSPC else f"{e.strerror}:"
        print(
            f"error: {what} {where}; nothing was published, reports/ is unchanged", file=sys.stderr
        )
        return 1
    except Exception as e:  # RenderError and friends: say which memo and why, no traceback
        from memo.pdf import RenderError

        if isinstance(e, RenderError):
            print(f"error: {e}", file=sys.stderr)
            return 1
        raise
    return 0
