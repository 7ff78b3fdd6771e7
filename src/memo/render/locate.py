"""Where in the templates a render error arose: figure calls marked with the call that raised
(``traced``), and the template file and line of an error (``template_location``, then
``call_location`` for the exact figure call), so that a message names the line to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from memo.render.wording import Wording


def traced(name: str, func: Any) -> Any:
    """``func``, which marks an error it raises with the call that raised it (``figure_call``), so
    that the error can be placed at that call's line (see ``call_location``)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as e:
            if not hasattr(e, "figure_call"):
                e.figure_call = (name, args, tuple(sorted(kwargs.items())))  # type: ignore[attr-defined]
            raise

    return call


class TracedWording:
    """The wording helpers (``say.*``) as templates call them, errors marked like ``traced``."""

    def __init__(self, wording: Wording) -> None:
        self._wording = wording

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._wording, name)
        return (
            traced(f"say.{name}", value) if callable(value) and not name.startswith("_") else value
        )


def call_location(
    root: Path, env: jinja2.Environment, template: str, error: BaseException, path: str, line: int
) -> tuple[str, int]:
    """The line of the figure call that raised ``error``: Jinja's own line for an error inside a
    ``{% trans %}`` block's variables can be the line before the block. The call is found in the
    template's syntax tree by its function and constant arguments (the nearest at or after
    Jinja's line when it is there more than once)."""
    marked = getattr(error, "figure_call", None)
    if marked is None:
        return path, line
    from memo.render.templates import parse_chain

    name, args, kwargs = marked
    calls = [
        c
        for c in parse_chain(env, root, template).calls
        if c.function == name and c.args == tuple(args) and tuple(sorted(c.kwargs)) == kwargs
    ]
    if not calls:
        return path, line
    same_file = [c for c in calls if c.path == path] or calls
    after = [c for c in same_file if c.line >= line]
    best = min(after, key=lambda c: c.line) if after else same_file[-1]
    return best.path, best.line


def template_location(error: BaseException, template: str) -> tuple[str, int]:
    """The template file and line an error arose at (``templates/x.html.j2``, 12): a syntax
    error's own, else the innermost template frame of its traceback (Jinja gives template code
    the template's file name and line numbers); the memo's template and 0 when none is found."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return f"templates/{Path(error.filename).name}", error.lineno
    found = (f"templates/{template}", 0)
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (f"templates/{Path(filename).name}", tb.tb_lineno)
        tb = tb.tb_next
    return found
