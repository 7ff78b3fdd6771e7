"""The page ``memo preview`` serves: one memo edition kept rendered from a project folder, and
rendered again on every save (:mod:`memo.author.preview_server` serves it on 127.0.0.1).

Like ``quarto preview``: the analyst edits a template, a Markdown section, a data file, the
catalogue or the config, saves, and the open page shows the new memo by itself. A save that breaks
the memo (bad data, a figure the data lack, a template's syntax) shows the problems in the page,
each with its file and line, and the next good save brings the memo back.

How it stays fast: the project is loaded once and kept. A watcher thread looks at the sizes and
times of the files under data/, config/, templates/ and assets/ every :data:`POLL` seconds; on a
change it reloads only what changed (data or config: the project is read, checked and derived
again, in this process, with ``memo.ingest`` and ``memo.derive``; a catalogue: its translations; a
template or a Markdown section: nothing, Jinja and ``memo.render.prose`` read them as they render)
and renders the HTML (never the PDF: WeasyPrint stays out of this path) as a new version of the
:class:`Page`. A small script added to the page served (never to a memo's published HTML) listens
to the server's stream of versions and replaces the document in place (no reload, the reader stays
where they were). :meth:`Preview.pdf` renders the PDF of the current HTML when asked, with a PDF
renderer made again once print.css or a font changed (it reads them when it is made).
"""

from __future__ import annotations

import html as htmllib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memo.core.problems import DataError, Problem

# What a memo's HTML and PDF are made from, by kind of change.
WATCHED = ("data", "config", "templates", "assets")
# Read when the PDF renderer is made (print.css, and the fonts its @font-face rules name): a change
# makes a new one.
PDF_INPUTS = ("templates/print.css", "assets/")
POLL = 0.02

# Added before </body> of the page served (never of a memo's published HTML).
RELOAD_SCRIPT = """
<script id="memo-preview">
(() => {
  // Each new version of the page comes down this stream, its number on the first line and its
  // HTML after it; it replaces the document in place (no reload: the reader stays where they
  // were). A bare number (the stream reconnected to a restarted preview) reloads the page.
  let version = null;
  const events = new EventSource("/events");
  events.onmessage = (e) => {
    const cut = e.data.indexOf("\\n");
    const number = cut < 0 ? e.data : e.data.slice(0, cut);
    if (version !== null && number !== version) {
      if (cut < 0) { location.reload(); return; }
      const doc = new DOMParser().parseFromString(e.data.slice(cut + 1), "text/html");
      const y = window.scrollY;
      document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
      window.scrollTo(0, y);
      requestAnimationFrame(() => requestAnimationFrame(
        () => window.dispatchEvent(new Event("memo-preview-drawn"))));
    }
    version = number;
  };
})();
</script>
<p id="memo-preview-bar" style="position:fixed;right:.5rem;bottom:.5rem;margin:0;font:12px sans-serif;background:#fff;border:1px solid #767676;padding:.2rem .4rem"><a href="/pdf">PDF</a></p>
"""

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:16px/1.5 sans-serif;margin:2rem;max-width:60rem}} code{{font-size:15px}}
li{{margin:.4rem 0}} .where{{font-weight:bold}}</style></head>
<body>
<main>
<h1>{title}</h1>
<p>Fix what is listed and save: the memo comes back by itself.</p>
<ul id="problems">
{items}
</ul>
</main>
</body>
</html>
"""


def inject(page: str) -> str:
    """The page with the reload script and the PDF link, just before ``</body>``."""
    at = page.rfind("</body>")
    if at < 0:
        return page + RELOAD_SCRIPT
    return page[:at] + RELOAD_SCRIPT + page[at:]


def error_page(output_id: str, problems: list[Problem]) -> str:
    """A page listing problems, each as ``path:line: …`` with the place in bold."""
    items = []
    for p in sorted(problems, key=lambda p: (p.path, p.line)):
        where = f"{p.path}:{p.cell or p.line}"
        what = str(p)[len(where) + 2 :]
        items.append(
            f'<li><code><span class="where">{htmllib.escape(where)}</span>: '
            f"{htmllib.escape(what)}</code></li>"
        )
    title = f"{output_id}: {len(problems)} problem{'' if len(problems) == 1 else 's'}"
    return ERROR_PAGE.format(title=htmllib.escape(title), items="\n".join(items))


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Size, time and inode of every file a memo's HTML is made from, by path under ``root``."""
    out = {}
    for folder in WATCHED:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            try:
                st = path.stat()
            except OSError:
                continue
            if path.is_file() and not path.name.startswith("."):
                out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def changed_files(before: dict, after: dict) -> set[str]:
    """The files added, removed or changed between two snapshots."""
    return set(before) ^ set(after) | {n for n in before if n in after and after[n] != before[n]}


def changed_kinds(names: set[str]) -> set[str]:
    """What changed files are: ``data``, ``config``, ``catalogue``, ``templates``."""
    kinds = set()
    for name in names:
        if name.startswith("templates/locale/"):
            kinds.add("catalogue")
        else:
            kinds.add(name.split("/", 1)[0])
    return kinds


@dataclass
class Page:
    """The page served now: its HTML (the memo's page as the build writes it, with the Korean
    font it draws, and the script), the memo's own HTML as WeasyPrint prints it (None on error),
    its version (a new one after every render) and how long the render took."""

    html: str
    memo_html: str | None
    version: int
    seconds: float
    problems: list[Problem] = field(default_factory=list)
    done: float = 0.0  # when the render finished (time.time())


class Preview:
    """One memo edition, kept rendered from the files of a project folder."""

    def __init__(self, root: Path, output_id: str) -> None:
        self.root = Path(root)
        self.output_id = output_id
        self.prepared: Any = None  # memo.render.job.Prepared, with no PDF renderer
        self.problems: list[Problem] = []
        self.env: Any = None
        self.changed = threading.Condition()
        self.page = Page("", None, 0, 0.0)
        self._pdf: Any = None
        self._pdf_lock = threading.Lock()
        # (dictionary, its problems) and (edition, its problems), kept until their files change.
        self._dictionary: tuple[Any, list[Problem]] | None = None
        self._edition: tuple[Any, list[Problem]] | None = None

    # ---- loading ----------------------------------------------------------------------------
    def load(self, changed: set[str] | None = None) -> None:
        """Read, check and derive the project in this process, re-reading only what changed:
        ``changed`` names the files (None: everything). The dictionary and the config are parsed
        again only when they (or, for the config, the dictionary) changed; the tables of data/ are
        read again on any data change (they are checked against each other)."""
        from memo.core.records import Dataset
        from memo.derive.frame import to_observations
        from memo.derive.run import derive_project
        from memo.ingest.config import load_edition
        from memo.ingest.dictionary import DICTIONARY, load_dictionary
        from memo.ingest.observations import load_indicators
        from memo.ingest.project import Project
        from memo.ingest.sources import load_events, load_sources
        from memo.render.html import environment
        from memo.render.job import Prepared

        if self.env is None:
            self.env = environment(self.root / "templates")
        everything = changed is None
        changed = changed or set()
        if everything or DICTIONARY in changed or self._dictionary is None:
            self._dictionary = load_dictionary(self.root)
            self._edition = None
        if everything or any(n.startswith("config/") for n in changed):
            self._edition = None
        dictionary, problems = self._dictionary
        problems = list(problems)
        sources, more = load_sources(self.root)
        events, events_problems = load_events(self.root, sources)
        observations, rows_problems = load_indicators(self.root, dictionary, sources)
        problems += more + events_problems + rows_problems
        if self._edition is None:
            known = set(dictionary.indicators) if dictionary else None
            try:
                self._edition = (load_edition(self.root, known), [])
            except DataError as e:
                self._edition = (None, e.problems)
        edition, config_problems = self._edition
        problems += config_problems
        if problems or dictionary is None or sources is None or edition is None:
            self.prepared, self.problems = None, problems
            return
        dataset = Dataset(dictionary, observations, sources, events)
        project = Project(self.root, dataset, edition)
        derived, problems = derive_project(project)
        if problems:
            self.prepared, self.problems = None, problems
            return
        figures = (*project.dataset.observations, *to_observations(derived))
        self.prepared = Prepared(project.dataset, figures, project.edition, self.env, None)
        self.problems = []

    def refresh(self, changed: set[str]) -> None:
        """Reload what the changed files (paths under the project) need, then render."""
        from memo.render import i18n

        kinds = changed_kinds(changed)
        if any(name.startswith(PDF_INPUTS) for name in changed):
            with self._pdf_lock:
                self._pdf = None
        if kinds & {"data", "config"} or self.prepared is None:
            self.load(changed if self.prepared is not None or self._dictionary else None)
        if "catalogue" in kinds:
            i18n.translations.cache_clear()
        self.render()

    # ---- rendering --------------------------------------------------------------------------
    def render(self) -> Page:
        """Render the memo's HTML (or the page of problems) and publish it as a new version."""
        from memo.render.html import MemoError, render_html

        start = time.perf_counter()
        memo_html = served = None
        problems = list(self.problems)
        if self.prepared is not None:
            edition = self.prepared.edition
            try:
                memo, lang = edition.memo(self.output_id)
                book = self.prepared.book(memo, lang, self.root / "templates")
                rendered = render_html(self.root, self.env, book, edition, memo)
                memo_html, served = rendered.html, rendered.page
            except KeyError as e:
                problems = [Problem("config/memos.yaml", 1, "memos", str(e.args[0]))]
            except DataError as e:  # what only a render meets: a Korean font it cannot cut
                problems = e.problems
            except MemoError as e:
                problems = [Problem(e.path, e.line, "", e.problem)]
            except (OSError, ValueError) as e:  # a catalogue missing or broken, a file vanished
                problems = [Problem(getattr(e, "filename", None) or "templates", 1, "", str(e))]
        body = error_page(self.output_id, problems) if served is None else served
        with self.changed:
            page = Page(
                inject(body),
                memo_html,
                self.page.version + 1,
                time.perf_counter() - start,
                problems,
                time.time(),
            )
            self.page = page
            self.changed.notify_all()
        return page

    def pdf(self) -> bytes:
        """The PDF of the current HTML, rendered now (WeasyPrint is imported on first use)."""
        import tempfile

        from memo.render import linebreak

        page = self.page
        if page.memo_html is None:
            raise RuntimeError("the memo has problems; fix them first")
        with self._pdf_lock:
            if self._pdf is None:
                from memo.render.pdf import PdfRenderer

                self._pdf = PdfRenderer(self.root)
            _memo, lang = self.prepared.edition.memo(self.output_id)
            with tempfile.TemporaryDirectory(prefix="memo-preview-") as tmp:
                out = Path(tmp) / f"{self.output_id}.pdf"
                self._pdf.render(linebreak.for_pdf(page.memo_html, lang), out)
                return out.read_bytes()

    # ---- watching ---------------------------------------------------------------------------
    def watch(self, stop: threading.Event, poll: float = POLL) -> None:
        """Re-render on every change under data/, config/, templates/ and assets/ until ``stop``
        is set."""
        seen = snapshot(self.root)
        while not stop.wait(poll):
            now = snapshot(self.root)
            if now == seen:
                continue
            changed = changed_files(seen, now)
            seen = now
            try:
                self.refresh(changed)
            except Exception as e:  # never let the watcher die: show what happened
                self.problems = [Problem("memo preview", 1, "", f"{type(e).__name__}: {e}")]
                self.prepared = None
                self.render()

    def wait_for(self, version: int, timeout: float) -> Page:
        """The current page once its version differs from ``version`` (or after ``timeout``)."""
        with self.changed:
            self.changed.wait_for(lambda: self.page.version != version, timeout)
            return self.page
