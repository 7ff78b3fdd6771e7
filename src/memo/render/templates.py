"""``memo validate``'s check of the templates: syntax, and every figure call resolved.

For each memo, its template and the templates it extends or includes are parsed (a syntax error is
reported at its line), and every ``fact()``, ``event()``, ``event_title()``, ``name()`` and
``say.<helper>()`` call with constant arguments, in those templates and in the memo's Markdown
sections (``memo.render.prose``), is made exactly as a render makes it: against the memo's topic,
its stated and derived figures, through the same FactBook and wording (and so the one lookup rule
of ``memo.core.lookup``). Each call that would fail is a problem at its line, with the closest
known ids, so a misspelt indicator is found before any job runs, all at once. A call with an
argument that is not a constant (a loop variable) is left to the render.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memo.core.lookup import MissingFigure
from memo.core.problems import Problem
from memo.core.quantity import BoundsError
from memo.core.records import Dataset, Observation
from memo.ingest.edition import MEMOS, MemoDef
from memo.ingest.hints import choices
from memo.render import prose

if TYPE_CHECKING:  # Jinja is imported when templates are checked, not when memo validate starts
    import jinja2
    from jinja2 import nodes

TEMPLATES = "templates"
# Calls that name an indicator first, and those that name an event.
INDICATOR_CALLS = ("fact",)
EVENT_CALLS = ("event", "event_title")


@dataclass(frozen=True)
class FoundCall:
    """A figure call in a template or a Markdown section: where, which function, its arguments."""

    path: str
    line: int
    function: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    @property
    def text(self) -> str:
        """The call as an author writes it: ``fact("x_pct", "XAA", period="2024")``."""
        parts = [json.dumps(a, ensure_ascii=False) for a in self.args]
        parts += [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.kwargs]
        return f"{self.function}({', '.join(parts)})"


def parse_env(templates: Path) -> jinja2.Environment:
    """An environment that parses templates as renders do (same extensions and whitespace)."""
    from memo.render.html import environment

    return environment(templates)


def _callee(node: nodes.Node) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Name) and node.name in prose.FUNCTIONS:
        return node.name
    if (
        isinstance(node, nodes.Getattr)
        and isinstance(node.node, nodes.Name)
        and node.node.name == prose.SAY
    ):
        return f"{prose.SAY}.{node.attr}"
    return None


def template_calls(ast: nodes.Template, path: str) -> Iterator[FoundCall]:
    """The figure calls of a parsed template whose arguments are all constants."""
    from jinja2 import nodes

    for call in ast.find_all(nodes.Call):
        name = _callee(call.node)
        if name is None or call.dyn_args is not None or call.dyn_kwargs is not None:
            continue
        if not all(isinstance(a, nodes.Const) for a in call.args):
            continue
        if not all(isinstance(k.value, nodes.Const) for k in call.kwargs):
            continue
        yield FoundCall(
            path,
            call.lineno,
            name,
            tuple(a.value for a in call.args),
            tuple((k.key, k.value.value) for k in call.kwargs),
        )


@dataclass
class Parsed:
    """A memo's templates, parsed: the calls found, the blocks defined, the problems met."""

    calls: list[FoundCall]
    blocks: set[str]
    problems: list[Problem]
    # The templates it extends, includes or imports by a constant name.
    children: list[str] = field(default_factory=list)


def parse_chain(env: jinja2.Environment, root: Path, template: str) -> Parsed:
    """Parse a template and every template it extends, includes or imports by a constant name
    (each text once per process: a base template several memos share is parsed once)."""
    out = Parsed([], set(), [])
    todo, seen = [template], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        own = _parse_file(env, root, name)
        out.calls.extend(own.calls)
        out.blocks |= own.blocks
        out.problems.extend(own.problems)
        todo.extend(own.children)
    return out


def _parse_file(env: jinja2.Environment, root: Path, name: str) -> Parsed:
    """One template file's calls, blocks and problems, and the templates it names (shared by
    every caller that reads the same text: read it, never change it)."""
    try:
        source = (root / TEMPLATES / name).read_text(encoding="utf-8")
    except OSError:
        return Parsed([], set(), [])  # a missing template is reported by the config check
    key = (_syntax(env), name, source)
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) >= 512:
            _PARSED.clear()
        found = _PARSED[key] = _parse_source(env, name, source)
    return found


# Each template text parsed once per process (a preview checks on every save; tests check many
# copies of the same templates): what a parse finds depends on the text, its name and the syntax.
_PARSED: dict[tuple, Parsed] = {}


def _syntax(env: jinja2.Environment) -> tuple:
    """What of an environment decides how a template parses (as Jinja keys its lexers)."""
    return (
        tuple(sorted(env.extensions)),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
    )


def _parse_source(env: jinja2.Environment, name: str, source: str) -> Parsed:
    import jinja2
    from jinja2 import nodes

    own = Parsed([], set(), [])
    path = f"{TEMPLATES}/{name}"
    try:
        ast = env.parse(source, name, path)
    except jinja2.TemplateSyntaxError as e:
        own.problems.append(Problem(path, e.lineno, "", f"template syntax: {e.message}"))
        return own
    own.calls.extend(template_calls(ast, path))
    own.blocks |= {b.name for b in ast.find_all(nodes.Block)}
    for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
            own.children.append(node.template.value)
    return own


def markdown_calls(root: Path, memo: MemoDef) -> tuple[list[FoundCall], list[Problem]]:
    """The figure calls of a memo's Markdown sections, and what is wrong in their braces."""
    calls: list[FoundCall] = []
    problems: list[Problem] = []
    for path in prose.markdown_sections(root / TEMPLATES, memo.id, memo.sections).values():
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for block in prose.blocks(text):
            source = _block_source(text, block)
            try:
                for c in prose.calls(source, block.line, rel):
                    calls.append(FoundCall(rel, c.line, c.function, c.args, c.kwargs))
            except prose.ProseError as e:
                problems.append(Problem(e.path, e.line, "", e.problem, e.hint))
    return calls, problems


def _block_source(text: str, block: prose.Block) -> str:
    """A block's text from its first line on, so that calls keep their own lines."""
    lines = text.splitlines()[block.line - 1 :]
    # The block ends at the first blank line; a call never spans blocks.
    out = []
    for line in lines:
        if not line.strip():
            break
        out.append(line)
    return "\n".join(out)


def check(root: Path, project: Any | None) -> list[Problem]:
    """``memo validate``'s part: every template's syntax, each memo's sections, and every figure
    call of every template and Markdown section a memo uses, resolved in the memo's topic."""
    root = Path(root)
    env = parse_env(root / TEMPLATES)
    problems: list[Problem] = []
    if project is None:
        # Without the config, syntax is what can be checked: every memo template there is.
        for path in sorted((root / TEMPLATES).glob("*.html.j2")):
            problems += parse_chain(env, root, path.name).problems
        return list(dict.fromkeys(problems))
    figures = _topic_figures(project)
    # Memos of one topic and edition date have the same figures: one FactBook for them all, and
    # each call of their templates resolved once (an edition of hundreds of memos has few topics).
    books: dict[tuple, Any] = {}
    outcomes: dict[tuple, Exception | None] = {}
    for i, memo in enumerate(project.edition.memos):
        parsed = parse_chain(env, root, memo.template)
        problems += parsed.problems
        md_calls, md_problems = markdown_calls(root, memo)
        problems += md_problems
        problems += _section_problems(root, project, i, memo, parsed)
        key = (memo.topic.id, memo.edition_date)
        if key not in books:
            books[key] = _book(project, memo, figures)
        for call in [*parsed.calls, *md_calls]:
            problem = call_problem(call, books[key], project, memo, figures is not None, outcomes)
            if problem is not None:
                problems.append(problem)
    return list(dict.fromkeys(problems))


def _section_problems(
    root: Path, project: Any, index: int, memo: MemoDef, parsed: Parsed
) -> list[Problem]:
    if parsed.problems:
        return []  # the blocks of a template that did not parse are unknown
    markdown = prose.markdown_sections(root / TEMPLATES, memo.id, memo.sections)
    out = []
    for section in memo.sections:
        if section not in parsed.blocks and section not in markdown:
            md = prose.section_path(Path(TEMPLATES), memo.id, section).as_posix()
            out.append(
                Problem(
                    MEMOS,
                    memo.line,
                    f"memos[{index}].sections",
                    f'section "{section}" is neither a block of templates/{memo.template} '
                    f"nor a file {md}",
                    choices(section, sorted(parsed.blocks), fallback=f"write {md}"),
                )
            )
    return out


def _topic_figures(project: Any) -> Any | None:
    """Every topic's derived figures (None when the derivations have problems of their own)."""
    from memo.derive.run import derive_project

    derived, problems = derive_project(project)
    return None if problems else derived


def _book(project: Any, memo: MemoDef, derived: Any | None):
    """A FactBook for the memo as a render builds it (English: the check is about the data)."""
    from memo.derive.frame import to_observations
    from memo.render.facts import FactBook

    stated = project.in_topic(memo.topic)
    mine: tuple[Observation, ...] = ()
    if derived is not None and len(derived):
        mine = to_observations(derived[derived["topic"] == memo.topic.id])
    ds = project.dataset
    dataset = Dataset(ds.dictionary, stated, ds.sources, ds.events, mine)
    return FactBook(dataset, "en", lambda s: s, memo.edition_date, project.edition.max_age_days)


def call_problem(
    call: FoundCall,
    book: Any,
    project: Any,
    memo: MemoDef,
    resolve: bool,
    outcomes: dict[tuple, Exception | None] | None = None,
) -> Problem | None:
    """What is wrong with one call for one memo, or None: an unknown indicator or event (with the
    closest ids), or, when ``resolve``, the render's own error for it (with what the topic has).
    ``outcomes`` keeps what resolving each call in each book raised, for memos sharing a book."""
    ds = project.dataset

    def problem(what: str, hint: str = "") -> Problem:
        return Problem(call.path, call.line, call.text, what, hint)

    first = call.args[0] if call.args else None
    names_indicator = call.function in INDICATOR_CALLS or call.function.startswith("say.")
    if names_indicator and isinstance(first, str) and first not in ds.dictionary.indicators:
        return problem(
            f'unknown indicator "{first}"',
            choices(first, ds.dictionary.indicators, fallback="see data/dictionary.yaml"),
        )
    if call.function in EVENT_CALLS and isinstance(first, str) and first not in ds.events:
        return problem(
            f'unknown event "{first}"',
            choices(first, ds.events, what="events", fallback="see data/events.csv"),
        )
    if not resolve:
        return None
    outcomes = {} if outcomes is None else outcomes
    key = (id(book), call.path, call.line, call.text)
    if key not in outcomes:
        outcomes[key] = _resolve_error(call, book)
    error = outcomes[key]
    if error is None:
        return None
    if isinstance(error, MissingFigure):
        about = f" in topic {memo.topic.id}" if memo.topic.id else ""
        return problem(f"{error}{about} (memo {memo.id})", _what_exists(book, call))
    if isinstance(error, BoundsError):  # wording the data cannot support ("rose" across ranges)
        return problem(f"{error} (memo {memo.id})", "reword it, or show the figures with fact()")
    return problem(str(error.args[0]) if error.args else type(error).__name__)


def _resolve_error(call: FoundCall, book: Any) -> Exception | None:
    """What resolving the call in the memo's FactBook raises, as a render would; None if nothing."""
    from memo.render.wording import Wording

    context = {
        "fact": book.fact,
        "event": book.event,
        "event_title": book.event_title,
        "name": book.name,
        "say": Wording(book),
    }
    found = prose.Call(call.function, call.args, call.kwargs, call.text, call.line)
    try:
        prose.resolve(found, context)
    except (MissingFigure, BoundsError, AttributeError, TypeError, KeyError) as e:
        return e
    return None


def _what_exists(book: Any, call: FoundCall) -> str:
    """The figures of the call's indicator the memo's topic has, the closest to the call first."""
    if not call.args or not isinstance(call.args[0], str):
        return ""
    rows = [o for o in book.figures() if o.indicator == call.args[0]]
    if not rows:
        return "the topic has no figure of it"
    entity = call.args[1] if len(call.args) > 1 else dict(call.kwargs).get("entity")
    entities = sorted({o.entity for o in rows})
    if isinstance(entity, str) and entity not in entities:
        return choices(entity, entities, what="entities with this indicator")
    keys = sorted({f"{o.entity}/{o.counterpart or '-'}/{o.period}" for o in rows})
    shown = ", ".join(keys[:8]) + (", …" if len(keys) > 8 else "")
    return f"it has entity/counterpart/period {shown}"
