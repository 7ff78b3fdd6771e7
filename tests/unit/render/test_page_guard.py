"""No published page holds a control character: data/ and config/ refuse them at validation, and a
render refuses a page that still holds one (from a template or a catalogue), saying where, with
the message itself escaped for the terminal."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from pathlib import Path

from memo.derive.run import cli_derive
from memo.render.job import cli_render
from unit.support import TARIFF_TEMPLATE

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def render(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli_derive(argparse.Namespace(root=str(root), out="build/derived")) == 0
        code = cli_render(
            argparse.Namespace(root=str(root), memos=[], out="build/memos", html_only=True)
        )
    return code, err.getvalue()


def test_the_pages_of_the_small_project_hold_no_control_character(make_project) -> None:
    root = make_project()
    code, _ = render(root)
    assert code == 0
    pages = sorted((root / "build/memos").glob("*.html"))
    assert pages
    for page in pages:
        assert not CONTROL.search(page.read_text(encoding="utf-8")), page.name


def test_a_template_holding_an_escape_sequence_writes_no_page(make_project) -> None:
    template = TARIFF_TEMPLATE.replace("<h2>", "<h2>\x1b[2J\x1b[31m", 1)
    root = make_project(tariff_brief=None)
    (root / "templates/tariff_brief.html.j2").write_text(template, encoding="utf-8")
    code, err = render(root)
    assert code == 1
    assert "memo tariff-brief-en: the page would hold control character U+001B after" in err
    assert "\x1b" not in err
    assert not (root / "build/memos/tariff-brief-en.html").exists()
