"""Problems as GitHub Actions annotations, so a pull request shows each one on its line.

A workflow step that prints ``::error file=data/indicators.csv,line=17,title=...::message`` makes
GitHub mark that line of the file in the pull request's diff and in the run summary
(docs.github.com, "Workflow commands for GitHub Actions", setting an error message). The text is
escaped as the runner expects: ``%``, CR and LF in the message; also ``:`` and ``,`` in the
properties. Any other control character is shown as ``\\xNN`` or ``\\uNNNN``, so data can neither start a
workflow command of its own on a new line nor send escape sequences to a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from memo.core.problems import Problem

# C0 and C1 controls other than CR and LF (escaped by the runner's own rules), DEL, and the
# Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _visible(text: str) -> str:
    """Show control characters as ``\\xNN`` (``\\uNNNN`` above U+00FF)."""

    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(show, text)


def escape_message(text: str) -> str:
    """Escape an annotation's message (the text after ``::``)."""
    return _visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``)."""
    return escape_message(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem, level: str = "error", title: str = "memo validate") -> str:
    """Return one ``::error file=PATH,line=N,title=...::column: problem (hint)`` line (for a
    spreadsheet, ``::error file=PATH,title=...::Sheet1!C12: column: problem (hint)``)."""
    props = [f"file={escape_property(problem.path)}"]
    # A spreadsheet's problem names its cell (Sheet1!C12): in the message, since a line of a
    # binary file means nothing to GitHub.
    if problem.line > 0 and not problem.cell:
        props.append(f"line={problem.line}")
    props.append(f"title={escape_property(title)}")
    what = f"{problem.column}: {problem.problem}" if problem.column else problem.problem
    if problem.cell:
        what = f"{problem.cell}: {what}"
    if problem.hint:
        what += f" ({problem.hint})"
    return f"::{level} {','.join(props)}::{escape_message(what)}"


def format_github(problems: Iterable[Problem], title: str = "memo validate") -> str:
    """Return one annotation line per problem, sorted like :func:`memo.core.problems.format_problems`."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line))
    return "\n".join(github_annotation(p, title=title) for p in ordered)
