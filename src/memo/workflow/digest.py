"""A digest of exactly the data each memo shows, where its rows are, and the key of its inputs.

A memo's render job reruns when its *digest* changes (Snakemake's params trigger), not whenever a
data file changes: the digest covers the rows of its topic that it can show (those its template
and key figures look up, every row of the series its charts draw or its wording ranks, and the rows
its derived figures are computed from), the sources they cite, the events it dates, the dictionary
entries of those indicators and of its topic's entities, the edition config (but for what only
publish reads) and its own definition, with its audience's entry. Editing one figure thus rebuilds
only the memos that show it. It reruns too when its *row locations* change (the file and lines of
those rows, which its figure record names), which do not enter its key: a moved row changes
nothing a reader sees, and the "What's new" box compares with the same edition.

Read at planning time, so kept light (no pandas: a spreadsheet is read with openpyxl alone); each
table is read once while it is unchanged, each digest computed once while its files are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from memo.core.text import normal
from memo.derive.store import FIGURES, read_figures
from memo.workflow.lookups import markdown_names, template_names, templates_reached
from memo.workflow.plan import (
    CONFIG,
    DICTIONARY,
    MEMOS,
    TABLES,
    TEMPLATES,
    definition,
    read_yaml,
    stamp,
    table_file,
)

# Keys of config/config.yaml that only publish and send read: how many editions are kept, where the
# site will be (e-mails link there).
PUBLISH_ONLY = frozenset({"editions", "base_url"})


class _Table(NamedTuple):
    """A table of data/ as planning reads it: its rows, and the line (a spreadsheet's row number)
    each starts at, as a memo's figure record names it (``data/indicators.csv:12``)."""

    rows: tuple[tuple[str, ...], ...] = ()
    lines: tuple[int, ...] = ()
    # False when a record could not be read: every memo's digest then differs from that of the
    # file read whole (rule derive reports the problem; no memo is left as if nothing changed).
    whole: bool = True


def _table(root: str, name: str) -> _Table:
    rel = table_file(root, f"data/{name}")
    path = Path(root, rel)
    if rel.endswith(".xlsx"):
        return _read_sheet_rows(str(path), stamp(path))
    return _read_rows(str(path), stamp(path))


def _rows(root: str, name: str) -> tuple[tuple[str, ...], ...]:
    return _table(root, name).rows


def _located(numbered, whole: bool = True) -> _Table:
    """The non-empty rows of ``(line, cells)`` pairs, cleaned (see :func:`_clean`)."""
    kept = [(line, row) for line, row in ((line, _clean(cells)) for line, cells in numbered) if row]
    return _Table(tuple(row for _, row in kept), tuple(line for line, _ in kept), whole)


@lru_cache(maxsize=8)
def _read_sheet_rows(path: str, _key: tuple) -> _Table:
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
        return _Table()
    return _located(enumerate(cells, start=1))


@lru_cache(maxsize=8)
def _read_rows(path: str, _key: tuple) -> _Table:
    from memo.core.files import read_input

    try:
        # Read as rule derive reads it: never a link out of the project, a FIFO or a device.
        text = read_input(path, f"data/{Path(path).name}").decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return _Table()
    # newline="" as rule derive reads it (memo.ingest.tables.iter_records): a line ending in CR
    # alone, or a CR in a quoted cell, is read and numbered the same way.
    reader = csv.reader(io.StringIO(text, newline=""))
    numbered: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1  # the line a record starts at (a quoted cell may run on)
        try:
            numbered.append((start, next(reader)))
        except StopIteration:
            return _located(numbered)
        except csv.Error:  # a record it cannot read: rule derive says why
            return _located(numbered, whole=False)


def _clean(row: list[str]) -> tuple[str, ...]:
    """A row as the data mean it: cells stripped, and the empty cells a spreadsheet appends dropped,
    so that re-saving a file in a spreadsheet does not rebuild every memo."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _topic(root: str, memo: dict) -> dict:
    topics = read_yaml(root, MEMOS).get("topics") or {}
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
    m, _lang = definition(root, output_id)
    dictionary = read_yaml(root, DICTIONARY)
    indicators_def = dictionary.get("indicators") or {} if isinstance(dictionary, dict) else {}
    events = {normal(row[0]) for row in _rows(root, "events.csv")[1:] if row}
    constants, lookups, series = template_names(root, m["template"])
    md_constants, md_lookups, md_series = markdown_names(root, m)
    constants, lookups, series = constants | md_constants, lookups | md_lookups, series | md_series
    lookups = {lk for lk in lookups if lk[0] in indicators_def}
    for k in m.get("key_figures") or []:
        if isinstance(k, dict) and k.get("indicator"):
            lookups.add((k["indicator"], k.get("entity"), k.get("counterpart") or ""))
    wide = {c for c in constants if c in indicators_def} | (series & set(indicators_def))
    charts = read_yaml(root, MEMOS).get("charts") or {}
    for chart in m.get("charts") or []:
        spec = charts.get(chart) if isinstance(charts, dict) else None
        if isinstance(spec, dict):
            wide |= {v for k, v in spec.items() if k.startswith("indicator") and isinstance(v, str)}
    # A derived figure can be computed from any row of its inputs.
    todo = list(wide | {lk[0] for lk in lookups})
    seen = set(todo)
    while todo:
        entry = indicators_def.get(todo.pop()) or {}
        for dep in _spec_inputs(entry.get("derive"), indicators_def):
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
    """The dictionary as one memo reads it: the indicators it can show (with those they are
    derived from) and every other entry but the entities outside its topic (and not named in its
    template), so that adding an indicator or a country for another topic rebuilds no memo."""
    dictionary = read_yaml(root, DICTIONARY)
    if not isinstance(dictionary, dict):
        return dictionary
    seen = dict(dictionary)
    indicators = dictionary.get("indicators")
    if isinstance(indicators, dict):
        seen["indicators"] = {k: v for k, v in indicators.items() if k in deps["indicators"]}
    entities = dictionary.get("entities")
    scope = (deps.get("topic") or {}).get("entities")
    if isinstance(entities, dict) and isinstance(scope, list):
        named = set(scope) | template_names(root, memo["template"])[0]
        named |= markdown_names(root, memo)[0]
        seen["entities"] = {k: v for k, v in entities.items() if k in named}
    return seen


def data_digest(root: str, output_id: str) -> str:
    """A digest of the data one memo depends on; a new value makes Snakemake rerun its job."""
    return _digests(root, output_id)[0]


def row_locations(root: str, output_id: str) -> str:
    """Where the rows a memo shows are: the file of data/indicators (a CSV file or a spreadsheet)
    and the line each of them starts at, and the line of each of its derived figures in
    build/derived/figures.csv, which its figure record names. A row inserted above them, or the
    table moved into a spreadsheet, changes what the record must say, not what the memo shows:
    rule render reruns for it (a ``params`` value of its own, asked for once rule derive has
    written the table), while the memo's key, which picks the edition its "What's new" box
    compares with, stays the same."""
    return _digests(root, output_id)[1]


def _digests(root: str, output_id: str) -> tuple[str, str]:
    """The data digest and the row locations of one memo, from one reading of its dependencies
    and of the rows (planning asks for both, for every memo)."""
    h = hashlib.sha256()
    try:
        m, lang = definition(root, output_id)
        deps = dependencies(root, output_id)
    except (KeyError, TypeError, AttributeError):
        return "unknown", "unknown"
    memos = read_yaml(root, MEMOS)
    charts = memos.get("charts") or {} if isinstance(memos, dict) else {}
    used_charts = {c: charts.get(c) for c in m.get("charts") or [] if isinstance(charts, dict)}
    # Its audience's entry: the memo prints the label, and its PDF takes the audience's paper size.
    audiences = memos.get("audiences") or {} if isinstance(memos, dict) else {}
    audience = m.get("audience")
    audience = (
        audiences.get(audience)
        if isinstance(audiences, dict) and isinstance(audience, str)
        else None
    )
    h.update(
        json.dumps(
            [m, lang, deps["topic"], used_charts, audience], sort_keys=True, default=str
        ).encode()
    )
    config = read_yaml(root, CONFIG)
    if isinstance(config, dict):  # what publish alone reads rebuilds no memo
        config = {k: v for k, v in config.items() if k not in PUBLISH_ONLY}
    h.update(json.dumps(config, sort_keys=True, default=str).encode())
    h.update(json.dumps(_dictionary_seen(root, m, deps), sort_keys=True, default=str).encode())
    lines: list[int] = []
    for name, keep in (
        ("indicators.csv", lambda row: shows(deps, row)),
        ("sources.csv", lambda row: normal(row[0]) in deps["sources"]),
        ("events.csv", lambda row: normal(row[0]) in deps["events"]),
    ):
        table = _table(root, name)
        # The header too: a renamed column changes how every row reads.
        h.update(repr((table.whole, table.rows[:1])).encode())
        for line, row in zip(table.lines[1:], table.rows[1:], strict=True):
            if keep(row):
                h.update(repr(row).encode())
                if name == "indicators.csv":
                    lines.append(line)
    # Derived figures are cited by their line in the figure table: a derived figure added before
    # them (a new country's row in the topic brings its rank) moves them.
    derived = [row for row in _derived_lines(root) if row[0] in deps["indicators"]]
    where = json.dumps([table_file(root, "data/indicators.csv"), lines, derived])
    return h.hexdigest(), hashlib.sha256(where.encode()).hexdigest()


def _derived_lines(root: str) -> tuple[tuple[str, int, str, str, str, str], ...]:
    """(indicator, line, topic, entity, counterpart, period) of every derived figure in
    build/derived/figures.csv as rule derive last wrote it (empty before it has)."""
    path = Path(root, FIGURES)
    return _read_derived_lines(str(path), stamp(path))


@lru_cache(maxsize=4)
def _read_derived_lines(path: str, _key: tuple) -> tuple:
    try:
        figures = read_figures(path)
    except (OSError, ValueError, KeyError):  # none yet, or not the table derive writes
        return ()
    return tuple(
        (o.indicator, o.line, o.topic, o.entity, o.counterpart, o.period)
        for o in figures
        if o.path == FIGURES
    )


def _file_digest(path: Path) -> str:
    return _read_digest(str(path), stamp(path))


@lru_cache(maxsize=64)
def _read_digest(path: str, _key: tuple) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


_DIGESTS: dict[tuple[str, str], tuple[tuple, tuple[str, str]]] = {}


def _data_stamp(root: str) -> tuple:
    """Sizes and times of every file a data digest reads."""
    files = [Path(root, rel) for rel in (MEMOS, DICTIONARY, CONFIG)]
    # Each table's CSV file and spreadsheet, whichever is there (memo.workflow.plan.table_file).
    files += [Path(root, t).with_suffix(ext) for t in TABLES for ext in (".csv", ".xlsx")]
    files += sorted(Path(root, TEMPLATES).glob("*.j2"))
    files += sorted(Path(root, TEMPLATES).glob("*/*.md"))  # Markdown sections
    files.append(Path(root, FIGURES))  # the derived figures' lines (row_locations)
    return tuple((str(p), stamp(p)) for p in files)


def _cached_digests(root: str, output_id: str) -> tuple[str, str]:
    """:func:`_digests`, computed once while the files it reads are unchanged: planning asks for
    the data digest three times per memo (the render's params, and its key, twice)."""
    key = _data_stamp(root)
    hit = _DIGESTS.get((root, output_id))
    if hit is None or hit[0] != key:
        hit = (key, _digests(root, output_id))
        _DIGESTS[(root, output_id)] = hit
    return hit[1]


def cached_data_digest(root: str, output_id: str) -> str:
    """:func:`data_digest`, once while its files are unchanged."""
    return _cached_digests(root, output_id)[0]


def cached_row_locations(root: str, output_id: str) -> str:
    """:func:`row_locations`, once while its files are unchanged."""
    return _cached_digests(root, output_id)[1]


def memo_key(root: str, output_id: str) -> str:
    """A key of everything that decides which figures and phrases a memo shows: its data digest,
    its template with those it reaches and the base template, and its language's catalogue.
    Published with the memo (manifest ``memos[].digest``), it tells which earlier edition of the
    memo was built from other inputs: the one its "What's new" box compares with
    (memo.publish.editions.previous_record). Where its rows are (:func:`row_locations`) is not
    part of it: moving a row changes nothing a reader sees."""
    try:
        m, lang = definition(root, output_id)
    except (KeyError, TypeError):
        return "unknown"
    h = hashlib.sha256(cached_data_digest(root, output_id).encode())
    names = templates_reached(root, str(m.get("template")))
    if "base.html.j2" not in names:
        names.append("base.html.j2")
    files = [f"{TEMPLATES}/{name}" for name in names]
    if lang != "en":
        files.append(f"{TEMPLATES}/locale/{lang}/LC_MESSAGES/memo.po")
    for rel in files:
        h.update(f"{rel}:{_file_digest(Path(root, rel))}".encode())
    return h.hexdigest()
