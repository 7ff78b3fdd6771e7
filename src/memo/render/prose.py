"""Sections written in Markdown: ``templates/<memo id>/<section>.md``, with figure calls inline.

A memo's HTML template holds its layout; any section it lists may instead be prose in Markdown,
written where the analyst expects it: a section ``why`` of memo ``korea-brief`` is the file
``templates/korea-brief/why.md`` when that file exists (and the template's block otherwise).
Figures, dates and data-dependent words are the same calls a template makes, printed inline:
``{{ fact("some_indicator_pct", "XAA") }}``, ``{{ event("some_event") }}``,
``{{ say.standing("some_rank", "XAA") }}``. Nothing else may stand between the braces: calls of
those functions with constant arguments, so that prose prints and never decides.

Every block of text (a paragraph, a heading, a list item) is one message of the translation
catalogue, its English text the message id with the calls written as they are; a translator
moves a call within the sentence but keeps it whole. Markdown is read by markdown-it-py
(CommonMark) with raw HTML off, so ``<`` in prose is text, as autoescape makes it in templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:  # imported when Markdown is read (planning and validate import this module)
    from markdown_it import MarkdownIt

# The calls prose may print: names a template sees (memo.render.html), and ``say.<helper>``.
FUNCTIONS = ("fact", "event", "event_title", "name")
SAY = "say"
CALL = re.compile(r"\{\{(.*?)\}\}", re.S)
# Private-use characters stand for the calls while Markdown renders the text around them.
_MARK = re.compile("\ue000(\\d+)\ue001")


class ProseError(ValueError):
    """A Markdown section that cannot be rendered: ``path``, ``line`` and what is wrong."""

    def __init__(self, path: str, line: int, problem: str, hint: str = "") -> None:
        super().__init__(f"{path}:{line}: {problem}" + (f" ({hint})" if hint else ""))
        self.path, self.line, self.problem, self.hint = path, line, problem, hint


@dataclass(frozen=True)
class Call:
    """One figure call in prose: the function (``fact``, ``say.fold``), its constant arguments,
    its text as written and its line in the file."""

    function: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    text: str
    line: int


@dataclass(frozen=True)
class Block:
    """A block of text: the message id (its Markdown source, lines joined) and its first line."""

    text: str
    line: int


def parser() -> MarkdownIt:
    """CommonMark without raw HTML (escaped like any text), plus tables."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def section_path(templates: Path, memo_id: str, section: str) -> Path:
    """Where a memo's section in Markdown lives."""
    return templates / memo_id / f"{section}.md"


def markdown_sections(templates: Path, memo_id: str, sections: tuple[str, ...]) -> dict[str, Path]:
    """The sections of a memo written in Markdown (those with a file), by section id."""
    out = {}
    for section in sections:
        path = section_path(templates, memo_id, section)
        if path.is_file():
            out[section] = path
    return out


def blocks(text: str) -> Iterator[Block]:
    """Each block of text of a Markdown document, in order: its message id and first line."""
    for token in parser().parse(text):
        if token.type == "inline" and token.content.strip() and token.map:
            yield Block(message_id(token.content), token.map[0] + 1)


def message_id(content: str) -> str:
    """A block's message id: its text with the line breaks of the file made spaces."""
    return " ".join(line.strip() for line in content.splitlines() if line.strip())


def calls(text: str, line: int, path: str) -> list[Call]:
    """The figure calls of a block (``line``: the block's first line); ProseError on anything
    between braces that is not one call with constant arguments."""
    out = []
    for m in CALL.finditer(text):
        at = line + text.count("\n", 0, m.start())
        out.append(parse_call(m.group(1), at, path))
    if "{%" in text or "{#" in text:
        at = line + text.count("\n", 0, text.find("{%") if "{%" in text else text.find("{#"))
        raise ProseError(path, at, "Markdown prose takes no {% … %} or {# … #}", _HINT)
    return out


_HINT = 'write one call with constant arguments, such as {{ fact("indicator_id", "ENT") }}'


def parse_call(source: str, line: int, path: str) -> Call:
    """Parse the text between ``{{`` and ``}}`` as one allowed call with constant arguments."""
    import jinja2
    from jinja2 import nodes

    try:
        expr = jinja2.Environment().parse("{{" + source + "}}")
    except jinja2.TemplateSyntaxError as e:
        raise ProseError(path, line, f"{{{{{source}}}}}: {e.message}", _HINT) from None
    body = expr.body
    node = body[0].nodes[0] if len(body) == 1 and len(body[0].nodes) == 1 else None
    name = _callee(node.node) if isinstance(node, nodes.Call) else None
    if (
        name is None
        or node.dyn_args is not None
        or node.dyn_kwargs is not None
        or not all(isinstance(a, nodes.Const) for a in node.args)
        or not all(isinstance(k.value, nodes.Const) for k in node.kwargs)
    ):
        allowed = ", ".join(f"{f}()" for f in FUNCTIONS) + f", {SAY}.…()"
        raise ProseError(path, line, f"{{{{{source}}}}} is not a call of {allowed}", _HINT)
    return Call(
        name,
        tuple(a.value for a in node.args),
        tuple((k.key, k.value.value) for k in node.kwargs),
        "{{" + source + "}}",
        line,
    )


def _callee(node: Any) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Name) and node.name in FUNCTIONS:
        return node.name
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        if node.node.name == SAY and not node.attr.startswith("_"):
            return f"{SAY}.{node.attr}"
    return None


def resolve(call: Call, context: Mapping[str, Any]) -> Any:
    """Call a figure call's function from a template context (``fact``, ``say``, …)."""
    if call.function.startswith(SAY + "."):
        func = getattr(context[SAY], call.function.split(".", 1)[1], None)
        if not callable(func):
            raise AttributeError(f"{call.function} is not a wording helper")
    else:
        func = context[call.function]
    return func(*call.args, **dict(call.kwargs))


def render_section(
    path: Path,
    display_path: str,
    section: str,
    gettext: Callable[[str], str],
    context: Mapping[str, Any],
) -> Markup:
    """A Markdown section as HTML: each block translated, its calls printed, its text escaped.

    Errors (a call that fails, a translation that breaks a call) raise ProseError at the line of
    the block in the file.
    """
    md = parser()
    tokens = md.parse(path.read_text(encoding="utf-8"))
    printed: list[Markup] = []
    first_heading = True
    for token in tokens:
        if token.type == "heading_open" and first_heading:
            token.attrSet("id", f"{section}-h")
            first_heading = False
        if token.type != "inline" or not token.map or not token.content.strip():
            continue
        line = token.map[0] + 1
        msgid = message_id(token.content)
        text = gettext(msgid)
        if text == msgid:
            text = token.content  # untranslated: its own lines, so that errors name the right one
        marked = []
        last = 0
        for call in calls(text, line, display_path):
            m = CALL.search(text, last)
            assert m is not None
            try:
                value = resolve(call, context)
            except (LookupError, AttributeError, TypeError, ValueError) as e:
                message = e.args[0] if isinstance(e, KeyError) and e.args else e
                raise ProseError(display_path, call.line, f"{call.text}: {message}") from None
            marked.append(text[last : m.start()] + f"\ue000{len(printed)}\ue001")
            printed.append(escape(value))
            last = m.end()
        marked.append(text[last:])
        token.children = md.parseInline("".join(marked))[0].children
    html = md.renderer.render(tokens, md.options, {})
    labelled = f' aria-labelledby="{section}-h"' if not first_heading else ""
    body = _MARK.sub(lambda m: str(printed[int(m.group(1))]), html)
    return Markup(f'<section class="prose prose-{escape(section)}"{labelled}>\n{body}</section>\n')
