"""The figures a memo's templates and Markdown sections look up, found without rendering it: the
(indicator, entity, counterpart) of each lookup with constant arguments, the indicators whose
whole series a helper reads, and every other string constant (which may name an indicator, an
event or an entity). :mod:`memo.workflow.digest` turns them into the rows a memo can show. And
the files a memo's rendering reads besides data (rule render's inputs): the templates its
template extends, includes or imports, the shared ones, its Markdown sections, fonts, catalogue.

Read at planning time, so kept light: Jinja's parser and memo.render.prose's call parser only,
each template parsed once while templates/ is unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from memo.workflow.plan import (
    FONTS,
    SHARED_TEMPLATE_FILES,
    TEMPLATES,
    definition,
    markdown_sections,
    stamp,
)

# Template calls that look figures up as (indicator, entity, counterpart, ...): ``fact(...)`` and
# ``say.<helper>(...)``. When entity and counterpart are constants the memo shows only the rows
# matching them; an argument that is not a constant matches any value (None). Helpers in
# ``SERIES_HELPERS`` read every row of the indicator (a ranking's peers, a series' periods).
LOOKUP_CALLS = {"fact": None, "fold": "say", "change": "say", "standing": "say"}
SERIES_HELPERS = frozenset({"standing", "change"})

Lookup = tuple[str, str | None, str | None]


def markdown_names(root: str, memo: dict) -> tuple[set[str], set[Lookup], set[str]]:
    """String arguments, figure lookups and whole-series indicators of a memo's Markdown
    sections' calls (a call that does not parse is reported by rule derive)."""
    constants: set[str] = set()
    lookups: set[Lookup] = set()
    series: set[str] = set()
    sections = markdown_sections(root, memo)
    if not sections:
        return constants, lookups, series
    import re

    from memo.render.prose import CALL, ProseError, parse_call

    for section in sections:
        path = Path(root, TEMPLATES, str(memo["id"]), f"{section}.md")
        for m in CALL.finditer(path.read_text(encoding="utf-8")):
            try:
                call = parse_call(m.group(1), 0, "")
            except ProseError:
                continue
            args = list(call.args) + [None] * 3
            kwargs = dict(call.kwargs)
            strings = [a for a in (*call.args, *kwargs.values()) if isinstance(a, str)]
            name = re.sub(r"^say\.", "", call.function)
            if name in LOOKUP_CALLS and isinstance(args[0], str):
                entity = args[1] if args[1] is not None else kwargs.get("entity")
                counterpart = args[2] if args[2] is not None else kwargs.get("counterpart", "")
                lookups.add((args[0], entity, counterpart))
                if name in SERIES_HELPERS:
                    series.add(args[0])
                strings = strings[1:]
            constants.update(strings)
    return constants, lookups, series


def _lookups(ast, ids: set[int]) -> tuple[set[Lookup], set[str]]:
    """(indicator, entity, counterpart) of each figure lookup with a constant indicator, and the
    indicators whose whole series a helper reads; the ids of the indicator constants are added to
    ``ids``."""
    from jinja2 import nodes

    def const(node, default):
        if node is None:
            return default
        return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None

    def helper(f) -> str | None:
        if isinstance(f, nodes.Name) and f.name in LOOKUP_CALLS and LOOKUP_CALLS[f.name] is None:
            return f.name
        if (
            isinstance(f, nodes.Getattr)
            and isinstance(f.node, nodes.Name)
            and f.attr in LOOKUP_CALLS
            and LOOKUP_CALLS[f.attr] == f.node.name
        ):
            return f.attr
        return None

    found: set[Lookup] = set()
    series: set[str] = set()
    for call in ast.find_all(nodes.Call):
        name = helper(call.node)
        if name is None or call.dyn_args is not None or call.dyn_kwargs is not None:
            continue
        if not call.args or not (
            isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str)
        ):
            continue
        kwargs = {k.key: k.value for k in call.kwargs}
        args = list(call.args) + [None] * 3
        entity = const(args[1] if args[1] is not None else kwargs.get("entity"), None)
        counterpart = const(args[2] if args[2] is not None else kwargs.get("counterpart"), "")
        found.add((call.args[0].value, entity, counterpart))
        if name in SERIES_HELPERS:
            series.add(call.args[0].value)
        ids.add(id(call.args[0]))
    return found, series


def template_names(root: str, template: str) -> tuple[frozenset, frozenset, frozenset]:
    """String constants, figure lookups and whole-series indicators of a template and the
    templates it reaches (:func:`templates_reached`). The indicator named by a lookup is not among
    the constants.

    Parsed once per template while templates/ is unchanged: planning asks for every memo, and
    parsing for each of 200 memos took 2 s of every Snakemake run, even a no-op one."""
    return _parse_template_names(root, template, _templates_key(root))


def _templates_key(root: str) -> tuple:
    """The name, time and size of every template: the key of the caches of this module."""
    return tuple((p.name, stamp(p)) for p in sorted(Path(root, TEMPLATES).glob("*.j2")))


@lru_cache(maxsize=64)
def _parse(path: str, _key: tuple):
    """A template's Jinja syntax tree, parsed once while the file is unchanged (None when it
    cannot be read or parsed: rule derive reports it)."""
    import jinja2

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    try:
        return env.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, jinja2.TemplateSyntaxError):
        return None


def _ast(root: str, name: str):
    path = Path(root, TEMPLATES, name)
    return _parse(str(path), stamp(path))


def _template_names(node) -> list[str] | None:
    """The template names an extends, include or import node names (None: not constants)."""
    from jinja2 import nodes

    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.List | nodes.Tuple):
        names = [_template_names(item) for item in node.items]
        return None if None in names else [n for found in names for n in found]
    return None


def templates_reached(root: str, template: str) -> list[str]:
    """``template`` and every template it extends, includes or imports, and so on, in the order
    met. A name given by a variable could be any template: then every template in templates/.
    Found once per template while templates/ is unchanged (planning asks several times a memo)."""
    return list(_reached(root, template, _templates_key(root)))


@lru_cache(maxsize=64)
def _reached(root: str, template: str, _key: tuple) -> tuple[str, ...]:
    from jinja2 import nodes

    kinds = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
    order: list[str] = []
    todo = [template]
    while todo:
        name = todo.pop(0)
        if name in order:
            continue
        order.append(name)
        ast = _ast(root, name)
        for node in ast.find_all(kinds) if ast is not None else ():
            names = _template_names(node.template)
            if names is None:
                every = sorted(p.name for p in Path(root, TEMPLATES).glob("*.j2"))
                return tuple(order + [n for n in every if n not in order])
            todo.extend(names)
    return tuple(order)


def template_inputs(root: str, output_id: str) -> list[str]:
    """Files a memo's rendering reads besides data: the templates its template reaches, the
    shared ones, its Markdown sections, fonts, catalogue."""
    m, lang = definition(root, output_id)
    names = templates_reached(root, m["template"])
    names += [f for f in SHARED_TEMPLATE_FILES if f not in names]
    files = [f"{TEMPLATES}/{name}" for name in names]
    files += [f"{TEMPLATES}/{m['id']}/{section}.md" for section in markdown_sections(root, m)]
    files += sorted(str(p.relative_to(root)) for p in Path(root, FONTS).glob("*.ttf"))
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    # A file that is not there (a misspelt template) is rule derive's to report, at its line in
    # config/memos.yaml; as an input it would stop planning with Snakemake's own error instead.
    return [f for f in files if Path(root, f).exists()]


@lru_cache(maxsize=64)
def _parse_template_names(
    root: str, template: str, _stamp: tuple
) -> tuple[frozenset, frozenset, frozenset]:
    from jinja2 import nodes

    constants: set[str] = set()
    lookups: set[Lookup] = set()
    series: set[str] = set()
    for name in templates_reached(root, template):
        ast = _ast(root, name)
        if ast is None:
            continue
        consumed: set[int] = set()
        found, whole = _lookups(ast, consumed)
        lookups |= found
        series |= whole
        constants.update(
            c.value
            for c in ast.find_all(nodes.Const)
            if isinstance(c.value, str) and id(c) not in consumed
        )
    return frozenset(constants), frozenset(lookups), frozenset(series)
