"""memo.render.pdf: WeasyPrint with a fetcher that reads project files only, every warning an
error, and the same bytes for the same HTML."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from unit.support import REPO, write

HTML = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body><p>{}</p></body></html>'


@pytest.fixture(scope="module")
def pdf() -> ModuleType:
    """memo.render.pdf, imported by the tests that use it: collecting this module leaves
    WeasyPrint (0.3 s of imports) to the worker that runs it."""
    from memo.render import pdf

    return pdf


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path / "templates/print.css", "@page { size: A4; margin: 20mm; }\n")
    write(tmp_path / "templates/extra.css", "p { color: #222; }\n")
    (tmp_path / "assets").mkdir()
    return tmp_path


def test_a_memo_becomes_a_pdf_with_the_same_bytes_each_time(pdf: ModuleType, root: Path) -> None:
    renderer = pdf.PdfRenderer(root)
    pages = renderer.render(HTML.format("Bottom line"), root / "a.pdf")
    renderer.render(HTML.format("Bottom line"), root / "b.pdf")
    assert pages == 1
    assert (root / "a.pdf").read_bytes().startswith(b"%PDF-")
    assert (root / "a.pdf").read_bytes() == (root / "b.pdf").read_bytes()


def test_project_files_may_be_used(pdf: ModuleType, root: Path) -> None:
    html = HTML.replace("<title>", '<link rel="stylesheet" href="extra.css"><title>')
    assert pdf.PdfRenderer(root).render(html.format("styled"), root / "a.pdf") == 1


@pytest.mark.parametrize(
    ("markup", "why"),
    [
        ('<img src="file:///etc/hostname" alt="">', "outside"),
        (
            '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
            "only project files may be used",
        ),
        ('<span style="background: url(file:///etc/passwd)">x</span>', "outside"),
    ],
    ids=["file-outside", "network", "css-url"],
)
def test_a_reference_outside_the_project_fails_and_writes_nothing(
    pdf: ModuleType, root: Path, markup: str, why: str
) -> None:
    with pytest.raises(pdf.RenderError) as raised:
        pdf.PdfRenderer(root).render(HTML.format(markup), root / "a.pdf")
    assert "blocked reference to" in str(raised.value) and why in str(raised.value)
    assert not (root / "a.pdf").exists()


def test_a_css_warning_fails_the_render(pdf: ModuleType, root: Path) -> None:
    with pytest.raises(pdf.RenderError, match="WeasyPrint warned: .*foo"):
        pdf.PdfRenderer(root).render(HTML.format('<span style="foo: bar">x</span>'), root / "a.pdf")
    assert not (root / "a.pdf").exists()


def test_a_warning_in_print_css_fails_before_any_memo(pdf: ModuleType, root: Path) -> None:
    write(root / "templates/print.css", "h1 { color: nonsense; }\n")
    with pytest.raises(
        pdf.RenderError, match="WeasyPrint warned in templates/print.css: .*nonsense"
    ):
        pdf.PdfRenderer(root)


def test_the_fetcher_reads_files_under_its_folders_only(pdf: ModuleType, root: Path) -> None:
    fetcher = pdf.RestrictedFetcher([root / "templates"])
    response = fetcher.fetch((root / "templates/extra.css").as_uri())
    assert response.read() == b"p { color: #222; }\n"
    assert response.content_type == "text/css"
    for url in (
        "file:///etc/hostname",
        (root / "templates/../assets").as_uri(),
        "https://example.org/x",
    ):
        with pytest.raises(pdf.FatalURLFetchingError):
            fetcher.fetch(url)
    assert len(fetcher.blocked) == 3


FONT_FACE = '@font-face {{ font-family: "Body"; src: url("{}"); }}\np {{ font-family: "Body"; }}\n'

# What a render job does, as its own interpreter (`python -m memo.cli render ...` on a cluster or
# without the render server): it renders, and freezes what is left before exiting, as memo.cli
# does (the font configuration, in a reference cycle, is then never collected).
LEAVING_JOB = """
import gc, sys
from pathlib import Path
from memo.render.pdf import PdfRenderer
renderer = PdfRenderer(Path(sys.argv[1]))
renderer.render(sys.argv[2], Path(sys.argv[1]) / "a.pdf")
del renderer
gc.freeze()
"""


@pytest.fixture
def with_font(root: Path) -> Path:
    """The project of ``root`` with a font of its own in print.css (WeasyPrint copies it)."""
    font = REPO / "assets/fonts/Caladea-Regular.ttf"
    shutil.copy(font, root / "assets" / font.name)
    write(root / "templates/print.css", FONT_FACE.format(f"../assets/{font.name}"))
    return root


def test_a_render_process_leaves_no_font_copies_in_the_temp_folder(with_font: Path) -> None:
    root = with_font
    temp = root / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    job = [sys.executable, "-c", LEAVING_JOB, str(root), HTML.format("Bottom line")]
    done = subprocess.run(job, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (root / "a.pdf").is_file()
    assert list(temp.iterdir()) == []  # WeasyPrint's copies of the fonts (weasyprint-*) removed


def in_a_fork(child: Callable[[], None]) -> int:
    """Run ``child()`` in a forked process, as the render server runs its children; its exit
    code. The child leaves with ``os._exit`` whatever happens (never back into pytest), and the
    kernel ends it after a minute (a guard against a hang, not a time limit)."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(60)
            child()
            status = 0
        finally:
            os._exit(status)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_forked_child_dropping_the_renderer_leaves_its_parents_fonts(
    pdf: ModuleType, with_font: Path
) -> None:
    # The render server's children inherit its renderer; one that drops it (the inputs changed)
    # must not remove the fonts the server and its other children still use.
    root = with_font
    kept = {"renderer": pdf.PdfRenderer(root)}
    folder = kept["renderer"].font_config._folder
    assert any(folder.iterdir())  # the font copied there

    def drop() -> None:
        kept.clear()
        gc.collect()

    assert in_a_fork(drop) == 0
    assert any(folder.iterdir())
    assert kept["renderer"].render(HTML.format("Bottom line"), root / "a.pdf") == 1
    kept.clear()
    gc.collect()
    assert not folder.exists()  # and this process, which made it, removes it


def test_a_forked_child_leaving_at_once_removes_only_the_fonts_it_made(
    pdf: ModuleType, root: Path
) -> None:
    renderer = pdf.PdfRenderer(root)
    inherited = renderer.font_config._folder
    read, write_end = os.pipe()

    in_use = []

    def prepare_anew() -> None:  # a server child that prepared new inputs, then leaves
        in_use.append(pdf.PdfRenderer(root))  # still held when the child leaves
        os.write(write_end, str(in_use[0].font_config._folder).encode())
        pdf.remove_folders_made_here()

    assert in_a_fork(prepare_anew) == 0
    os.close(write_end)
    made = Path(os.read(read, 4096).decode())
    os.close(read)
    assert made != inherited and not made.exists()
    assert inherited.exists()
