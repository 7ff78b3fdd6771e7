"""What the Snakefile needs to know at planning time: memo ids, each memo's input files, and a digest
of exactly the data each memo shows.

Kept light (no WeasyPrint, no Jinja): Snakemake imports it on every run, even a no-op one.

A memo's rendering job reruns when its *digest* changes (Snakemake's params trigger), not whenever
data/indicators.csv changes: the digest covers the rows the memo can show (those its template and
key figures look up, every row of the series its charts draw, and the rows its derived figures are
computed from), the sources they cite, the events it dates, the dictionary and its own definition.
Editing one figure thus rebuilds only the memos that show it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATES = "templates"
SHARED_TEMPLATE_FILES = ("base.html.j2", "memo.css", "screen.css", "print.css")
FONTS = "assets/fonts"


@lru_cache(maxsize=4)
def _memos(root: str) -> dict:
    # libyaml when present: ten times faster on an edition of hundreds of memos.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return (
        yaml.load(Path(root, "config/memos.yaml").read_text(encoding="utf-8"), Loader=loader) or {}
    )


def output_ids(root: str = ".") -> list[str]:
    """Every memo edition the config defines (``korea-brief-en``, ``korea-brief-ko``, …)."""
    try:
        memos = _memos(root).get("memos") or []
        return [f"{m['id']}-{lang}" for m in memos for lang in m.get("languages", ["en"])]
    except (OSError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        # A broken config is reported by the validate rule; plan nothing beyond it.
        return []


def _definition(root: str, output_id: str) -> tuple[dict, str]:
    for m in _memos(root).get("memos") or []:
        for lang in m.get("languages", ["en"]):
            if f"{m['id']}-{lang}" == output_id:
                return m, lang
    raise KeyError(output_id)


def require_valid(root: str = ".") -> None:
    """Stop the workflow before any job runs when data/ or config/ has problems, printing them all.

    The same check as ``memo validate``; run at planning time so that no memo is ever rendered from
    bad data and the previous reports/ stay as they were.
    """
    import sys

    from memo.errors import format_problems
    from memo.validate import validate_project

    problems = validate_project(Path(root))
    if problems:
        print(format_problems(problems), file=sys.stderr)
        print(f"{len(problems)} problems in data/ or config/; nothing was built", file=sys.stderr)
        raise SystemExit(1)


def template_inputs(root: str, output_id: str) -> list[str]:
    """Files a memo's rendering reads besides data: its template, the shared ones, fonts, catalogue."""
    m, lang = _definition(root, output_id)
    files = [f"{TEMPLATES}/{m['template']}", *(f"{TEMPLATES}/{f}" for f in SHARED_TEMPLATE_FILES)]
    files += sorted(str(p.relative_to(root)) for p in Path(root, FONTS).glob("*.ttf"))
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    return files


@lru_cache(maxsize=4)
def _rows(root: str, name: str) -> tuple[tuple[str, ...], ...]:
    try:
        text = Path(root, "data", name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(row for row in map(_clean, csv.reader(io.StringIO(text))) if row)


def _clean(row: list[str]) -> tuple[str, ...]:
    """A row as the data mean it: cells stripped, and the empty cells a spreadsheet appends dropped,
    so that re-saving a file in a spreadsheet does not rebuild every memo."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


# Indicators a chart draws, and those a wording helper reads beyond its arguments.
CHART_INDICATORS = {
    "tariff_ranking": ("us_tariff_rate_pct",),
    "oil_dependence": ("crude_import_share_pct",),
    "trade_growth": ("bilateral_trade_usd_bn",),
}
WORDING_INDICATORS = {"tariff_standing": ("us_tariff_rank",)}


@lru_cache(maxsize=4)
def _dictionary(root: str) -> dict:
    try:
        return yaml.safe_load(Path(root, "data/dictionary.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}


# Template calls that look figures up as (indicator, entity, counterpart, ...): ``fact(...)``,
# ``say.fold(...)``, ``say.change(...)``. When the entity and counterpart are constants the memo
# shows only the rows matching them; an argument that is not a constant matches any value (None).
LOOKUP_CALLS = {"fact": None, "fold": "say", "change": "say"}

Lookup = tuple[str, str | None, str | None]


def _lookups(ast, ids: set[int]) -> set[Lookup]:
    """(indicator, entity, counterpart) of each figure lookup with a constant indicator; the ids
    of the indicator constants are added to ``ids``."""
    from jinja2 import nodes

    def const(node, default):
        if node is None:
            return default
        return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None

    def is_lookup(f) -> bool:
        if isinstance(f, nodes.Name):
            return f.name in LOOKUP_CALLS and LOOKUP_CALLS[f.name] is None
        return (
            isinstance(f, nodes.Getattr)
            and isinstance(f.node, nodes.Name)
            and f.attr in LOOKUP_CALLS
            and LOOKUP_CALLS[f.attr] == f.node.name
        )

    found: set[Lookup] = set()
    for call in ast.find_all(nodes.Call):
        if not is_lookup(call.node):
            continue
        if call.dyn_args is not None or call.dyn_kwargs is not None or not call.args:
            continue
        if not (isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str)):
            continue
        kwargs = {k.key: k.value for k in call.kwargs}
        args = list(call.args) + [None] * 3
        entity = const(args[1] if args[1] is not None else kwargs.get("entity"), None)
        counterpart = const(args[2] if args[2] is not None else kwargs.get("counterpart"), "")
        found.add((call.args[0].value, entity, counterpart))
        ids.add(id(call.args[0]))
    return found


def _template_names(root: str, template: str) -> tuple[frozenset, frozenset, frozenset]:
    """String constants, ``say.<helper>`` names and figure lookups used in a template and the
    templates it extends. The indicator named by a lookup is not among the constants.

    Parsed once per template while templates/ is unchanged: planning asks for every memo, and
    parsing for each of 200 memos took 2 s of every Snakemake run, even a no-op one."""
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(Path(root, TEMPLATES).glob("*.j2"))
    )
    return _parse_template_names(root, template, stamp)


@lru_cache(maxsize=64)
def _parse_template_names(
    root: str, template: str, _stamp: tuple
) -> tuple[frozenset, frozenset, frozenset]:
    import jinja2
    from jinja2 import nodes

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    constants: set[str] = set()
    helpers: set[str] = set()
    lookups: set[Lookup] = set()
    todo, seen = [template], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            ast = env.parse(Path(root, TEMPLATES, name).read_text(encoding="utf-8"))
        except (OSError, jinja2.TemplateSyntaxError):
            continue
        consumed: set[int] = set()
        lookups |= _lookups(ast, consumed)
        constants.update(
            c.value
            for c in ast.find_all(nodes.Const)
            if isinstance(c.value, str) and id(c) not in consumed
        )
        helpers.update(g.attr for g in ast.find_all(nodes.Getattr))
        todo.extend(
            e.template.value
            for e in ast.find_all(nodes.Extends)
            if isinstance(e.template, nodes.Const)
        )
    return frozenset(constants), frozenset(helpers), frozenset(lookups)


def dependencies(root: str, output_id: str) -> dict:
    """Indicators, rows, events and sources one memo can show, found without rendering it.

    Read from its template (figure lookups, and every other string naming an indicator or an
    event), its key figures and charts, and, for a derived indicator, the indicators it is computed
    from (dictionary ``inputs``). ``lookups`` are the (indicator, entity, counterpart) the memo looks
    up with constant arguments (None: any); ``wide`` the indicators all of whose rows count (charts,
    wording helpers, derivation inputs, indicators named elsewhere); ``indicators`` all of them.
    """
    m, _lang = _definition(root, output_id)
    indicators_def = _dictionary(root).get("indicators") or {}
    events = {row[0] for row in _rows(root, "events.csv")[1:] if row}
    constants, helpers, lookups = _template_names(root, m["template"])
    lookups = {lk for lk in lookups if lk[0] in indicators_def}
    for k in m.get("key_figures") or []:
        if isinstance(k, dict) and k.get("indicator"):
            lookups.add((k["indicator"], k.get("entity"), k.get("counterpart") or ""))
    wide = {c for c in constants if c in indicators_def}
    for chart in m.get("charts") or []:
        wide |= set(CHART_INDICATORS.get(chart, ()))
    for helper in helpers:
        wide |= set(WORDING_INDICATORS.get(helper, ()))
    # A derived figure can be computed from any row of its inputs.
    todo = list(wide | {lk[0] for lk in lookups})
    seen = set(todo)
    while todo:
        spec = indicators_def.get(todo.pop()) or {}
        for dep in spec.get("inputs") or []:
            wide.add(dep)
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    used_events = {c for c in constants if c in events}
    deps = {"indicators": wide | {lk[0] for lk in lookups}, "wide": wide, "lookups": lookups}
    sources = {
        row[9] for row in _rows(root, "indicators.csv")[1:] if len(row) > 9 and shows(deps, row)
    }
    sources |= {
        row[3] for row in _rows(root, "events.csv")[1:] if len(row) > 3 and row[0] in used_events
    }
    return {**deps, "events": used_events, "sources": sources}


def shows(deps: dict, row: tuple[str, ...]) -> bool:
    """Whether an indicators.csv row (indicator, entity, counterpart, ...) is among ``deps``."""
    if not row or row[0] not in deps["indicators"]:
        return False
    if row[0] in deps["wide"]:
        return True
    entity, counterpart = (row[1] if len(row) > 1 else ""), (row[2] if len(row) > 2 else "")
    return any(
        ind == row[0] and ent in (None, entity) and cp in (None, counterpart)
        for ind, ent, cp in deps["lookups"]
    )


def data_digest(root: str, output_id: str) -> str:
    """A digest of the data one memo depends on; a new value makes Snakemake rerun its job."""
    h = hashlib.sha256()
    try:
        m, lang = _definition(root, output_id)
        deps = dependencies(root, output_id)
    except (KeyError, TypeError, AttributeError):
        return "unknown"
    h.update(json.dumps([m, lang], sort_keys=True, default=str).encode())
    for name in ("config/config.yaml", "data/dictionary.yaml"):
        path = Path(root, name)
        h.update(path.read_bytes() if path.exists() else b"")
    for name, keep in (
        ("indicators.csv", lambda row: shows(deps, row)),
        ("sources.csv", lambda row: row[0] in deps["sources"]),
        ("events.csv", lambda row: row[0] in deps["events"]),
    ):
        rows = _rows(root, name)
        # The header too: a renamed column changes how every row reads.
        h.update(repr(rows[:1]).encode())
        for row in rows[1:]:
            if row and keep(row):
                h.update(repr(row).encode())
    return h.hexdigest()
