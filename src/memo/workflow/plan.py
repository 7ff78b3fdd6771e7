"""What the Snakefile needs at planning time: memo ids, each memo's input files, and a digest of
exactly the data each memo shows. Nothing else: no validation (rule ``derive`` does that, before
any render), nothing written or deleted.

Kept light (no pandas, no WeasyPrint, no Jinja beyond its parser): Snakemake imports it on every
run, even a no-op or a dry run. Each file is read once per process (cached on its size and time).

A memo's render job reruns when its *digest* changes (Snakemake's params trigger), not whenever a
data file changes: the digest covers the rows of its topic that it can show (those its template
and key figures look up, every row of the series its charts draw or its wording ranks, and the rows
its derived figures are computed from), the sources they cite, the events it dates, the dictionary,
the edition config and its own definition. Editing one figure thus rebuilds only the memos that
show it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from memo.core.text import normal

TEMPLATES = "templates"
SHARED_TEMPLATE_FILES = ("base.html.j2", "memo.css", "screen.css", "print.css")
FONTS = "assets/fonts"
MEMOS = "config/memos.yaml"
DICTIONARY = "data/dictionary.yaml"
CONFIG = "config/config.yaml"
# Inputs every render reads (through rule derive's figure table, or directly).
REFERENCE_FILES = (DICTIONARY, "data/sources.csv", "data/events.csv", CONFIG, MEMOS)
# The tables of data/, each a CSV file or a spreadsheet (memo.ingest.sheets).
TABLES = ("data/indicators.csv", "data/sources.csv", "data/events.csv")

# Template calls that look figures up as (indicator, entity, counterpart, ...): ``fact(...)`` and
# ``say.<helper>(...)``. When entity and counterpart are constants the memo shows only the rows
# matching them; an argument that is not a constant matches any value (None). Helpers in
# ``SERIES_HELPERS`` read every row of the indicator (a ranking's peers, a series' periods).
LOOKUP_CALLS = {"fact": None, "fold": "say", "change": "say", "standing": "say"}
SERIES_HELPERS = frozenset({"standing", "change"})

Lookup = tuple[str, str | None, str | None]


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns)


def _yaml(root: str, rel: str) -> Any:
    return _parse_yaml(str(Path(root, rel)), rel, _stamp(Path(root, rel)))


@lru_cache(maxsize=16)
def _parse_yaml(path: str, rel: str, _stamp: tuple) -> Any:
    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        return load_yaml_with_lines(path, rel).data or {}
    except Exception:  # a broken file is reported by rule derive; plan nothing beyond it
        return {}


def _memos(root: str) -> list[dict]:
    memos = _yaml(root, MEMOS)
    items = memos.get("memos") if isinstance(memos, dict) else None
    return [m for m in items or [] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def memo_command() -> str:
    """Shell words that run the ``memo`` command line with this Python (the one running Snakemake,
    so the project's environment even when its bin/ is not on PATH)."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable)} -m memo.cli"


def output_ids(root: str = ".") -> list[str]:
    """Every memo edition the config defines (``korea-brief-en``, ``korea-brief-ko``, …)."""
    try:
        return [f"{m['id']}-{lang}" for m in _memos(root) for lang in m.get("languages", ["en"])]
    except TypeError:
        return []


def _definition(root: str, output_id: str) -> tuple[dict, str]:
    for m in _memos(root):
        for lang in m.get("languages", ["en"]):
            if f"{m['id']}-{lang}" == output_id:
                return m, lang
    raise KeyError(output_id)


def template_inputs(root: str, output_id: str) -> list[str]:
    """Files a memo's rendering reads besides data: its template, the shared ones, fonts, catalogue."""
    m, lang = _definition(root, output_id)
    files = [f"{TEMPLATES}/{m['template']}", *(f"{TEMPLATES}/{f}" for f in SHARED_TEMPLATE_FILES)]
    files += [f"{TEMPLATES}/{m['id']}/{section}.md" for section in _markdown_sections(root, m)]
    files += sorted(str(p.relative_to(root)) for p in Path(root, FONTS).glob("*.ttf"))
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    # A file that is not there (a misspelt template) is rule derive's to report, at its line in
    # config/memos.yaml; as an input it would stop planning with Snakemake's own error instead.
    return [f for f in files if Path(root, f).exists()]


def _markdown_sections(root: str, memo: dict) -> list[str]:
    """The sections of a memo written in Markdown (``templates/<memo id>/<section>.md``)."""
    sections = memo.get("sections") or []
    folder = Path(root, TEMPLATES, str(memo.get("id")))
    return [s for s in sections if isinstance(s, str) and (folder / f"{s}.md").is_file()]


def _markdown_names(root: str, memo: dict) -> tuple[set[str], set[Lookup], set[str]]:
    """String arguments, figure lookups and whole-series indicators of a memo's Markdown
    sections' calls (a call that does not parse is reported by rule derive)."""
    constants: set[str] = set()
    lookups: set[Lookup] = set()
    series: set[str] = set()
    sections = _markdown_sections(root, memo)
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


def table_file(root: str, csv_path: str) -> str:
    """The file a table of data/ is read from: its spreadsheet when there is one and no CSV file
    (both is an error rule derive reports), else the CSV file."""
    xlsx = str(Path(csv_path).with_suffix(".xlsx"))
    return xlsx if Path(root, xlsx).is_file() and not Path(root, csv_path).is_file() else csv_path


def data_files(root: str = ".") -> list[str]:
    """The files of data/ that rule derive reads: the dictionary and each table's file (both
    forms of a table when both exist, so that derive runs and reports it)."""
    files = [DICTIONARY]
    for csv_path in TABLES:
        xlsx = str(Path(csv_path).with_suffix(".xlsx"))
        files += [f for f in (csv_path, xlsx) if Path(root, f).is_file()] or [csv_path]
    return files


def checked_templates(root: str = ".") -> list[str]:
    """The templates and Markdown sections ``memo validate`` checks (rule derive's inputs, so that
    a template edit is checked before any render)."""
    folder = Path(root, TEMPLATES)
    found = [*folder.glob("*.html.j2"), *folder.glob("*/*.md")]
    return sorted(p.relative_to(root).as_posix() for p in found)


def reference_files(root: str = ".") -> list[str]:
    """The files every render reads besides the figure table, as found in ``root``."""
    return [table_file(root, f) if f in TABLES else f for f in REFERENCE_FILES]


def _rows(root: str, name: str) -> tuple[tuple[str, ...], ...]:
    rel = table_file(root, f"data/{name}")
    path = Path(root, rel)
    if rel.endswith(".xlsx"):
        return _read_sheet_rows(str(path), _stamp(path))
    return _read_rows(str(path), _stamp(path))


@lru_cache(maxsize=8)
def _read_sheet_rows(path: str, _stamp: tuple) -> tuple[tuple[str, ...], ...]:
    """A spreadsheet's first sheet as rows of text, as memo.ingest.sheets reads it, but with
    openpyxl alone (no pandas at planning time)."""
    try:
        import openpyxl

        from memo.ingest.sheets import cell_text

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            cells = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception:  # unreadable: rule derive says why
        return ()
    return tuple(row for row in map(_clean, cells) if row)


@lru_cache(maxsize=8)
def _read_rows(path: str, _stamp: tuple) -> tuple[tuple[str, ...], ...]:
    from memo.core.files import read_input

    try:
        # Read as rule derive reads it: never a link out of the project, a FIFO or a device.
        text = read_input(path, f"data/{Path(path).name}").decode("utf-8-sig")
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


def _template_names(root: str, template: str) -> tuple[frozenset, frozenset, frozenset]:
    """String constants, figure lookups and whole-series indicators of a template and the
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
    lookups: set[Lookup] = set()
    series: set[str] = set()
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
        found, whole = _lookups(ast, consumed)
        lookups |= found
        series |= whole
        constants.update(
            c.value
            for c in ast.find_all(nodes.Const)
            if isinstance(c.value, str) and id(c) not in consumed
        )
        todo.extend(
            e.template.value
            for e in ast.find_all(nodes.Extends)
            if isinstance(e.template, nodes.Const)
        )
    return frozenset(constants), frozenset(lookups), frozenset(series)


def _topic(root: str, memo: dict) -> dict:
    topics = _yaml(root, MEMOS).get("topics") or {}
    topic = topics.get(memo.get("topic")) if isinstance(topics, dict) else None
    return topic if isinstance(topic, dict) else {}


def _spec_inputs(spec: Any, known: dict) -> set[str]:
    """The indicators a ``derive:`` block names (any parameter naming an indicator)."""
    if not isinstance(spec, dict):
        return set()
    return {v for k, v in spec.items() if k != "kind" and isinstance(v, str) and v in known}


def dependencies(root: str, output_id: str) -> dict:
    """Indicators, rows, events and sources one memo can show, found without rendering it.

    Read from its template (figure lookups, and every other string naming an indicator or an
    event), its key figures and charts (the indicators their specs name), and, for a derived
    indicator, the indicators its ``derive:`` block reads. ``lookups`` are the (indicator, entity,
    counterpart) the memo looks up with constant arguments (None: any); ``wide`` the indicators all
    of whose rows count; ``indicators`` all of them; ``topic`` the memo's topic entry.
    """
    m, _lang = _definition(root, output_id)
    dictionary = _yaml(root, DICTIONARY)
    indicators_def = dictionary.get("indicators") or {} if isinstance(dictionary, dict) else {}
    events = {normal(row[0]) for row in _rows(root, "events.csv")[1:] if row}
    constants, lookups, series = _template_names(root, m["template"])
    md_constants, md_lookups, md_series = _markdown_names(root, m)
    constants, lookups, series = constants | md_constants, lookups | md_lookups, series | md_series
    lookups = {lk for lk in lookups if lk[0] in indicators_def}
    for k in m.get("key_figures") or []:
        if isinstance(k, dict) and k.get("indicator"):
            lookups.add((k["indicator"], k.get("entity"), k.get("counterpart") or ""))
    wide = {c for c in constants if c in indicators_def} | (series & set(indicators_def))
    charts = _yaml(root, MEMOS).get("charts") or {}
    for chart in m.get("charts") or []:
        spec = charts.get(chart) if isinstance(charts, dict) else None
        if isinstance(spec, dict):
            wide |= {v for k, v in spec.items() if k.startswith("indicator") and isinstance(v, str)}
    # A derived figure can be computed from any row of its inputs.
    todo = list(wide | {lk[0] for lk in lookups})
    seen = set(todo)
    while todo:
        definition = indicators_def.get(todo.pop()) or {}
        for dep in _spec_inputs(definition.get("derive"), indicators_def):
            wide.add(dep)
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    used_events = {c for c in constants if c in events}
    deps = {
        "indicators": wide | {lk[0] for lk in lookups},
        "wide": wide,
        "lookups": lookups,
        "topic": _topic(root, m),
    }
    sources = {
        normal(row[9])
        for row in _rows(root, "indicators.csv")[1:]
        if len(row) > 9 and shows(deps, row)
    }
    sources |= {
        normal(row[3])
        for row in _rows(root, "events.csv")[1:]
        if len(row) > 3 and normal(row[0]) in used_events
    }
    return {**deps, "events": used_events, "sources": sources}


def _in_topic(topic: dict, row: tuple[str, ...]) -> bool:
    """Whether an indicators.csv row falls in a topic's entities (its periods are checked by
    rule derive; a row outside them can only rebuild a memo, never change what it shows)."""
    entities = topic.get("entities")
    if not isinstance(entities, list):
        return True
    entity, counterpart = _ids(row)[1:]
    return entity in entities and (not counterpart or counterpart in entities)


def shows(deps: dict, row: tuple[str, ...]) -> bool:
    """Whether an indicators.csv row (indicator, entity, counterpart, ...) is among ``deps``."""
    if not row:
        return False
    indicator, entity, counterpart = _ids(row)
    if indicator not in deps["indicators"] or not _in_topic(deps.get("topic") or {}, row):
        return False
    if indicator in deps["wide"]:
        return True
    return any(
        ind == indicator and ent in (None, entity) and cp in (None, counterpart)
        for ind, ent, cp in deps["lookups"]
    )


def _ids(row: tuple[str, ...]) -> tuple[str, str, str]:
    """A row's indicator, entity and counterpart as rule derive reads them (their normal form)."""
    cells = [*row[:3], "", "", ""][:3]
    return normal(cells[0]), normal(cells[1]), normal(cells[2])


def _dictionary_seen(root: str, memo: dict, deps: dict) -> Any:
    """The dictionary as one memo reads it: every entry but the entities outside its topic (and
    not named in its template), so that adding a country for another topic rebuilds no memo."""
    dictionary = _yaml(root, DICTIONARY)
    entities = dictionary.get("entities") if isinstance(dictionary, dict) else None
    scope = (deps.get("topic") or {}).get("entities")
    if not isinstance(entities, dict) or not isinstance(scope, list):
        return dictionary
    named = set(scope) | _template_names(root, memo["template"])[0] | _markdown_names(root, memo)[0]
    return {**dictionary, "entities": {k: v for k, v in entities.items() if k in named}}


def data_digest(root: str, output_id: str) -> str:
    """A digest of the data one memo depends on; a new value makes Snakemake rerun its job."""
    h = hashlib.sha256()
    try:
        m, lang = _definition(root, output_id)
        deps = dependencies(root, output_id)
    except (KeyError, TypeError, AttributeError):
        return "unknown"
    memos = _yaml(root, MEMOS)
    charts = memos.get("charts") or {} if isinstance(memos, dict) else {}
    used_charts = {c: charts.get(c) for c in m.get("charts") or [] if isinstance(charts, dict)}
    h.update(
        json.dumps([m, lang, deps["topic"], used_charts], sort_keys=True, default=str).encode()
    )
    path = Path(root, CONFIG)
    h.update(path.read_bytes() if path.exists() else b"")
    h.update(json.dumps(_dictionary_seen(root, m, deps), sort_keys=True, default=str).encode())
    for name, keep in (
        ("indicators.csv", lambda row: shows(deps, row)),
        ("sources.csv", lambda row: normal(row[0]) in deps["sources"]),
        ("events.csv", lambda row: normal(row[0]) in deps["events"]),
    ):
        rows = _rows(root, name)
        # The header too: a renamed column changes how every row reads.
        h.update(repr(rows[:1]).encode())
        for row in rows[1:]:
            if row and keep(row):
                h.update(repr(row).encode())
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    return _read_digest(str(path), _stamp(path))


@lru_cache(maxsize=64)
def _read_digest(path: str, _stamp: tuple) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


_DIGESTS: dict[tuple[str, str], tuple[tuple, str]] = {}


def _data_stamp(root: str) -> tuple:
    """Sizes and times of every file a data digest reads."""
    files = [Path(root, rel) for rel in (MEMOS, DICTIONARY, CONFIG)]
    files += [Path(root, "data", name) for name in ("indicators.csv", "sources.csv", "events.csv")]
    files += sorted(Path(root, TEMPLATES).glob("*.j2"))
    return tuple((str(p), _stamp(p)) for p in files)


def cached_data_digest(root: str, output_id: str) -> str:
    """:func:`data_digest`, computed once while its files are unchanged: planning asks for it
    twice per memo (the render's params, and its key for the record it compares with)."""
    stamp = _data_stamp(root)
    hit = _DIGESTS.get((root, output_id))
    if hit is None or hit[0] != stamp:
        hit = (stamp, data_digest(root, output_id))
        _DIGESTS[(root, output_id)] = hit
    return hit[1]


def memo_key(root: str, output_id: str) -> str:
    """A key of everything that decides which figures and phrases a memo shows: its data digest,
    its template and the base template, and its language's catalogue. Published with the memo
    (manifest ``memos[].digest``), it tells which earlier edition of the memo was built from other
    inputs: the one its "What's new" box compares with (memo.publish.editions.previous_record)."""
    try:
        m, lang = _definition(root, output_id)
    except (KeyError, TypeError):
        return "unknown"
    h = hashlib.sha256(cached_data_digest(root, output_id).encode())
    files = [f"{TEMPLATES}/{m.get('template')}", f"{TEMPLATES}/base.html.j2"]
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    for rel in files:
        h.update(f"{rel}:{_file_digest(Path(root, rel))}".encode())
    return h.hexdigest()
