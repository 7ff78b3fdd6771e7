"""What the Snakefile needs to know at planning time: memo ids, each memo's input files, and a digest
of exactly the data each memo shows.

Kept light (no WeasyPrint, no Jinja): Snakemake imports it on every run, even a no-op one.

A memo's rendering job reruns when its *digest* changes (Snakemake's params trigger), not whenever
data/indicators.csv changes: the digest covers the rows of the indicators the memo showed last time
(and the rows its derived figures were computed from), the sources it cited, the events it dated,
the dictionary and its own definition. Editing one figure thus rebuilds only the memos that show it.
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
    return yaml.safe_load(Path(root, "config/memos.yaml").read_text(encoding="utf-8")) or {}


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
    return tuple(tuple(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text)))


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


def _template_names(root: str, template: str) -> tuple[set[str], set[str]]:
    """String constants and ``say.<helper>`` names used in a template and the templates it extends."""
    import jinja2
    from jinja2 import nodes

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    constants: set[str] = set()
    helpers: set[str] = set()
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
        constants.update(c.value for c in ast.find_all(nodes.Const) if isinstance(c.value, str))
        helpers.update(g.attr for g in ast.find_all(nodes.Getattr))
        todo.extend(
            e.template.value
            for e in ast.find_all(nodes.Extends)
            if isinstance(e.template, nodes.Const)
        )
    return constants, helpers


def dependencies(root: str, output_id: str) -> dict[str, set[str]]:
    """Indicators, events and sources one memo can show, found without rendering it.

    Read from its template (every string naming an indicator or an event), its key figures and
    charts, and, for a derived indicator, the indicators it is computed from (dictionary ``inputs``).
    """
    m, _lang = _definition(root, output_id)
    indicators_def = _dictionary(root).get("indicators") or {}
    events = {row[0] for row in _rows(root, "events.csv")[1:] if row}
    constants, helpers = _template_names(root, m["template"])
    used = {c for c in constants if c in indicators_def}
    used |= {k.get("indicator") for k in m.get("key_figures") or [] if isinstance(k, dict)}
    for chart in m.get("charts") or []:
        used |= set(CHART_INDICATORS.get(chart, ()))
    for helper in helpers:
        used |= set(WORDING_INDICATORS.get(helper, ()))
    todo = list(used)
    while todo:
        spec = indicators_def.get(todo.pop()) or {}
        for dep in spec.get("inputs") or []:
            if dep not in used:
                used.add(dep)
                todo.append(dep)
    used_events = {c for c in constants if c in events}
    sources = {
        row[9] for row in _rows(root, "indicators.csv")[1:] if len(row) > 9 and row[0] in used
    }
    sources |= {
        row[3] for row in _rows(root, "events.csv")[1:] if len(row) > 3 and row[0] in used_events
    }
    return {"indicators": used, "events": used_events, "sources": sources}


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
    for name, keys in (
        ("indicators.csv", deps["indicators"]),
        ("sources.csv", deps["sources"]),
        ("events.csv", deps["events"]),
    ):
        rows = _rows(root, name)
        # The header too: a renamed column changes how every row reads.
        h.update(repr(rows[:1]).encode())
        for row in rows[1:]:
            if row and row[0] in keys:
                h.update(repr(row).encode())
    return h.hexdigest()
