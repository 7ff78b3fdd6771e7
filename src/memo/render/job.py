"""The render stage: prepare what every memo shares once, then render memos one by one.

Inputs are what rule ``derive`` handed on (``build/derived/figures.csv``: every stated and derived
figure) plus the reference files a memo cites from (the dictionary, sources and events) and the
edition config; never ``data/indicators.csv`` itself, and never a second derivation. The warm
render server (``memo.render.server``) calls :func:`prepare` once and :func:`render_memos` per
request; this module never asks the server for anything.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from memo.core.files import write_atomic
from memo.core.problems import DataError, format_problems
from memo.core.records import Dataset, Observation
from memo.core.text import printable
from memo.derive.store import FIGURES, read_figures
from memo.ingest.config import load_edition
from memo.ingest.dataset import load_reference
from memo.ingest.edition import Edition, MemoDef
from memo.render import i18n, linebreak, webfont
from memo.render.changes import compare
from memo.render.facts import FactBook
from memo.render.html import MemoError, Rendered, Since, environment, render_html


@dataclass(frozen=True)
class Prepared:
    """What rendering memos shares: reference data, every figure, the edition, Jinja, the PDF
    renderer (None for HTML only)."""

    reference: Dataset
    figures: tuple[Observation, ...]
    edition: Edition
    env: jinja2.Environment
    renderer: Any | None

    def book(self, memo: MemoDef, language: str, templates: Path) -> FactBook:
        """A FactBook for one language edition: its topic's stated and derived figures."""
        topic = memo.topic
        stated = tuple(
            o
            for o in self.figures
            if not o.method and topic.covers(o.entity, o.counterpart, o.period)
        )
        derived = tuple(o for o in self.figures if o.method and o.topic == topic.id)
        dataset = Dataset(
            self.reference.dictionary,
            stated,
            self.reference.sources,
            self.reference.events,
            derived,
        )
        gettext = i18n.translations(templates, language).gettext
        return FactBook(dataset, language, gettext, memo.edition_date, self.edition.max_age_days)


def prepare(root: Path, pdf: bool = True, figures: Path | None = None) -> Prepared:
    """Load what every memo needs; raise DataError when the reference files have problems, and
    OSError (FileNotFoundError) when ``memo derive`` has not written the figures yet."""
    reference = load_reference(root)
    dictionary = reference.dictionary
    edition = load_edition(
        root, set(dictionary.indicators), dictionary.periods, set(dictionary.entities)
    )
    table = read_figures(figures or root / FIGURES)
    renderer = None
    if pdf:
        from memo.render.pdf import PdfRenderer

        renderer = PdfRenderer(root)
    return Prepared(reference, table, edition, environment(root / "templates"), renderer)


def figure_record(r: Rendered) -> dict[str, Any]:
    """The machine-readable record of every figure a memo shows, and its notes."""
    ds = r.book.dataset
    record: dict[str, Any] = {
        "memo": r.output_id,
        "language": r.book.language,
        "edition_date": r.book.edition_date.isoformat(),
        "figures": r.book.records,
        # Every data-dependent phrase with what it was chosen from (memo.render.changes).
        "wording": r.book.wording,
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
    if r.whats_new is not None:
        record["whats_new"] = {
            "since": r.whats_new.since.edition,
            "since_date": r.whats_new.since.date,
            "items": r.whats_new.texts,
        }
    return record


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
    write_atomic(out / f"{r.output_id}.html", (r.page or r.html).encode("utf-8"))
    if r.meta.get("webfont_bytes", 0) > webfont.BUDGET:
        print(
            f"warning: {r.output_id}: the Korean font embedded in its HTML takes "
            f"{r.meta['webfont_bytes']:,} bytes, over the budget of {webfont.BUDGET:,} "
            "(memo.render.webfont)",
            file=sys.stderr,
        )
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


def read_previous(path: Path) -> tuple[dict[str, Any], Since]:
    """An earlier edition's figure record of a memo (``.reports/<edition>/<memo>.figures.json``)
    and which edition it is (its folder, and the date the record gives)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise MemoError(f"{path}: cannot read the earlier edition's record: {e.strerror}") from None
    except ValueError as e:
        raise MemoError(f"{path}: not a figure record ({e})") from None
    if not isinstance(record, dict) or not isinstance(record.get("figures"), list):
        raise MemoError(f"{path}: not a figure record (no figures)")
    return record, Since(path.parent.name, str(record.get("edition_date") or ""))


def render_one(
    root: Path, prepared: Prepared, output_id: str, previous: Path | None = None
) -> Rendered:
    """Render one memo edition; with ``previous`` (an earlier edition's record of it), a "What's
    new" box listing what changed since, when anything did.

    What changed is known only once the memo is rendered (its record says which figures and phrases
    it shows), so a memo that changed is rendered twice: once to compare, once with the box.
    """
    edition = prepared.edition
    memo, lang = edition.memo(output_id)
    templates = root / "templates"
    r = render_html(root, prepared.env, prepared.book(memo, lang, templates), edition, memo)
    if previous is not None:
        record, since = read_previous(previous)
        changes = compare(record, figure_record(r))
        if changes:
            book = prepared.book(memo, lang, templates)
            r = render_html(root, prepared.env, book, edition, memo, changes, since)
    check_page(r)
    return r


def render_memos(
    root: Path,
    output_ids: list[str],
    out: Path,
    pdf: bool = True,
    prepared: Prepared | None = None,
    previous: Path | None = None,
    input_key: str | None = None,
    written: list[str] | None = None,
) -> None:
    """Render the given memo editions (all when empty) in this one process; ``previous`` (one
    memo only) is an earlier edition's record of it, to say what changed since; ``input_key``
    (one memo only), the key planning computed of its inputs, kept in its meta record for
    publish (``memo.workflow.digest.memo_key``). Each memo written is added to ``written``."""
    prepared = prepared or prepare(root, pdf)
    edition = prepared.edition
    ids = output_ids or edition.output_ids()
    if previous is not None and len(ids) != 1:
        raise MemoError("--previous is the record of one memo: name exactly one memo to render")
    if input_key is not None and len(ids) != 1:
        raise MemoError("--input-key is the key of one memo: name exactly one memo to render")
    for i, oid in enumerate(ids, 1):
        start = time.monotonic()
        r = render_one(root, prepared, oid, previous)
        if input_key is not None:
            r.meta["input_key"] = input_key
        write_outputs(r, out, prepared.renderer if pdf else None)
        if written is not None:
            written.append(oid)
        print(f"[{i}/{len(ids)}] {oid}: {time.monotonic() - start:.1f} s", file=sys.stderr)


# Characters no page may hold: C0 controls but tab and line breaks, DEL, C1 controls.
PAGE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_page(r: Rendered) -> None:
    """Refuse a page holding a control character (a NUL, an ESC): memo validate refuses them in
    data/ and config/, so one here came from a template or a catalogue; say where it sits."""
    found = PAGE_CONTROL.search(r.html)
    if found:
        before = r.html[max(found.start() - 40, 0) : found.start()].rsplit("\n", 1)[-1]
        raise MemoError(
            f"memo {r.output_id}: the page would hold control character "
            f"U+{ord(found.group()):04X} after {before!r}: delete it from the template or the "
            "catalogue that holds it"
        )


def cli_render(args: Any, prepared: Prepared | None = None) -> int:
    """``memo render``: render memos to build/memos/ (with inputs already prepared, if given)."""
    root = Path(args.root)
    written: list[str] = []
    try:
        previous = getattr(args, "previous", None)
        render_memos(
            root,
            list(args.memos),
            root / args.out,
            not args.html_only,
            prepared,
            root / previous if previous else None,
            getattr(args, "input_key", None),
            written,
        )
    except DataError as e:
        print(format_problems(e.problems), file=sys.stderr)
        n = len(e.problems)
        # A problem only a memo's render meets (its font) comes after the memos before it.
        what = f"only {', '.join(written)} written" if written else "no memo was written"
        print(f"{n} problem{'' if n == 1 else 's'}; {what}", file=sys.stderr)
        return 1
    except (MemoError, KeyError) as e:
        print(printable(f"error: {e}"), file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, an unwritable build/: say which file, no traceback
        import errno

        if isinstance(e, FileNotFoundError) and Path(e.filename or "").name == "figures.csv":
            print(f"error: {e.filename} is missing: run memo derive first", file=sys.stderr)
            return 1
        where = e.filename or root / args.out
        what = "disk full while writing" if e.errno == errno.ENOSPC else f"{e.strerror}:"
        print(
            f"error: {what} {where}; nothing was published, reports/ is unchanged", file=sys.stderr
        )
        return 1
    except Exception as e:  # RenderError and friends: say which memo and why, no traceback
        from memo.render.pdf import RenderError

        if isinstance(e, RenderError):
            print(printable(f"error: {e}"), file=sys.stderr)
            return 1
        raise
    return 0
