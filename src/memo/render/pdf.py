"""Turn a memo's HTML into a PDF with WeasyPrint: restricted fetching, no warnings, same bytes each run.

See https://doc.courtbouillon.org/weasyprint/stable/ for the options used here.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

from memo.render.weasy import weasyprint  # first: no compiler runs to find its libraries

# isort: split
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from memo.core.files import write_atomic


class RenderError(RuntimeError):
    """WeasyPrint could not render a memo cleanly (a warning counts as a failure)."""


class RestrictedFetcher(URLFetcher):
    """A URL fetcher that reads only files under the given folders: no network, no other file.

    Any other URL stops the rendering (FatalURLFetchingError), so a hostile ``url()`` or ``<link>``
    fails the build instead of being silently skipped.
    """

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        # What was refused, for the error message when WeasyPrint catches the error itself (an
        # <image> inside an inline SVG only logs "Failed to render SVG image").
        self.blocked: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            self.blocked.append(
                f"blocked reference to {url[:200]!r}: only project files may be used"
            )
            raise FatalURLFetchingError(self.blocked[-1])
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(a) for a in self.allowed) or not path.is_file():
            self.blocked.append(
                f"blocked reference to {url[:200]!r}: outside {', '.join(map(str, self.allowed))}"
            )
            raise FatalURLFetchingError(self.blocked[-1])
        # The type as a file server would send it: a stylesheet or image without one is refused.
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": kind}, status=200
        )


class _Collect(logging.Handler):
    """Keep WeasyPrint's warnings so that the build can fail on them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class FontConfiguration(weasyprint.text.fonts.FontConfiguration):
    """WeasyPrint's font configuration, whose temporary folder (a copy of each @font-face font,
    10 MB for the memos') is removed by the process that made it, and by no other.

    WeasyPrint removes the folder in ``__del__``: at interpreter exit that often runs after its
    module was torn down, or not at all (``memo.cli`` freezes the collector before exiting, so
    every ``python -m memo.cli render`` left its folder in /tmp); and in a child forked by the
    render server that drops the inherited configuration, it would remove the folder the server
    and its other children still use. Here the folder is made at once and removed by a finalizer
    (when the configuration is collected, or at exit) only in the process that made it; a child
    leaving with ``os._exit`` runs none, and calls ``remove_folders_made_here`` first.
    """

    def __init__(self) -> None:
        super().__init__()
        self._folder = Path(tempfile.mkdtemp(prefix="weasyprint-"))  # WeasyPrint 70's attribute
        _made[self._folder] = os.getpid()
        weakref.finalize(self, _remove_folder, self._folder, os.getpid())

    def __del__(self) -> None:  # the finalizer above removes the folder, in its owner only
        pass


_made: dict[Path, int] = {}  # the font folders not removed yet, and the process that made each


def _remove_folder(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
        _made.pop(folder, None)


def remove_folders_made_here() -> None:
    """Remove the font folders this process made, for a forked child about to leave with
    ``os._exit`` (which runs no finalizer): those it inherited stay, their maker's."""
    for folder, owner in list(_made.items()):
        _remove_folder(folder, owner)


class PdfRenderer:
    """Render memos to PDF, reusing fonts and stylesheet between memos of one process."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.templates = self.root / "templates"
        self.fetcher = RestrictedFetcher([self.templates, self.root / "assets"])
        self.font_config = FontConfiguration()
        # print.css is parsed here, once: its warnings (an unknown property, an invalid value) fail
        # the build like those raised while rendering.
        handler = _Collect()
        weasyprint.LOGGER.addHandler(handler)
        try:
            self.print_css = weasyprint.CSS(
                filename=str(self.templates / "print.css"),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
        except FatalURLFetchingError as e:
            raise RenderError(f"templates/print.css: {e}") from None
        finally:
            weasyprint.LOGGER.removeHandler(handler)
        if handler.messages:
            raise RenderError(
                "WeasyPrint warned in templates/print.css: " + " | ".join(handler.messages)
            )

    def render(self, html: str, out: Path) -> int:
        """Write ``html`` as a PDF/UA-1 file at ``out``; return the page count."""
        handler = _Collect()
        logger = weasyprint.LOGGER
        logger.addHandler(handler)
        self.fetcher.blocked.clear()
        try:
            doc = weasyprint.HTML(
                string=html, base_url=self.templates.as_uri() + "/", url_fetcher=self.fetcher
            ).render(stylesheets=[self.print_css], font_config=self.font_config, pdf_tags=True)
            # The identifier is a hash of the input, so the same HTML gives the same bytes.
            ident = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
            data = doc.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=ident)
        except FatalURLFetchingError as e:
            raise RenderError(str(e)) from None
        finally:
            logger.removeHandler(handler)
        if handler.messages or self.fetcher.blocked:
            # A refused reference fails the build even where WeasyPrint carried on without it.
            raise RenderError(
                "WeasyPrint warned: " + " | ".join(handler.messages + self.fetcher.blocked)
            )
        write_atomic(out, data)
        return len(doc.pages)
