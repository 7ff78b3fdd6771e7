"""Collect every reader-visible message: what ``memo catalogue`` puts in the gettext template.

Four places: the Jinja templates (``{% trans %}`` blocks and ``_()`` calls, with Jinja's Babel
extractor); the Markdown sections (each block of text, ``memo.render.prose``); the Python code of the memo package (``_()``, ``gettext()``, ``N_()`` marks and
``Wording._fmt``, with Babel's Python extractor; ``# Translators:`` comments go along as notes); and
the data and config strings a reader sees, whose English text is the message id: indicator labels,
derivations and rank words, unit formats, names of entities that are not countries (countries are
named by Babel), event titles, chart titles, captions and alternative texts, and the titles,
subtitles, descriptions, keywords, markings, key-figure labels, audience labels and author of each
memo.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from memo.render.i18n import DOMAIN

# The memo package's own code (wherever it is installed): its messages are every project's.
CODE_DIR = Path(__file__).resolve().parents[1]
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "N_": None, "_fmt": None}
# A call of one of KEYWORDS: a module without one has no message, and Babel need not tokenize it.
_KEYWORD_CALL = re.compile(r"\b(?:" + "|".join(map(re.escape, KEYWORDS)) + r")\s*\(")
TEMPLATE_KEYWORDS: dict[str, Any] = {"_": None, "gettext": None}
COMMENT_TAGS = ("Translators:",)
# The same whitespace settings as memo.render.html.environment, so message ids match at render time.
JINJA_OPTIONS = {
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "keep_trailing_newline": "true",
    "newstyle_gettext": "true",
}

Message = tuple[str, str, int | None, list[str]]  # (msgid, file, line, notes for the translator)


def template_messages(root: Path) -> Iterator[Message]:
    """Messages of the Jinja templates, in file order."""
    for path in sorted((root / "templates").glob("*.j2")):
        rel = path.relative_to(root).as_posix()
        for lineno, msgid, comments in _template_text_messages(path.read_bytes()):
            yield msgid, rel, lineno, list(comments)


@functools.lru_cache(maxsize=256)
def _template_text_messages(source: bytes) -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """The messages of one template's text, extracted once per process for each text."""
    import io

    from babel.messages.extract import extract
    from jinja2.ext import babel_extract  # here: memo validate imports this module, not Jinja

    return tuple(
        (lineno, msgid, tuple(comments))
        for lineno, msgid, comments, _context in extract(
            babel_extract,
            io.BytesIO(source),
            keywords=TEMPLATE_KEYWORDS,
            comment_tags=COMMENT_TAGS,
            options=JINJA_OPTIONS,
            strip_comment_tags=True,
        )
        if isinstance(msgid, str) and msgid
    )


def markdown_messages(root: Path) -> Iterator[Message]:
    """Messages of the Markdown sections (``templates/<memo id>/<section>.md``): each block of
    text, its figure calls written as they are."""
    from memo.render.prose import blocks

    for path in sorted((root / "templates").glob("*/*.md")):
        rel = path.relative_to(root).as_posix()
        note = (
            f"section {path.stem} of memo {path.parent.name}, in Markdown; keep each {{{{ … }}}} "
            "call whole and unchanged"
        )
        for block in blocks(path.read_text(encoding="utf-8")):
            yield block.text, rel, block.line, [note]


def code_messages(root: Path) -> Iterator[Message]:
    """Messages of the Python code: literal arguments of ``_``, ``gettext``, ``N_`` and ``_fmt``."""
    for path in sorted(CODE_DIR.rglob("*.py")):
        stat = path.stat()
        found = _module_messages(path, stat.st_mtime_ns, stat.st_size)
        if not found:
            continue
        try:
            rel = path.relative_to(Path(root).resolve()).as_posix()
        except ValueError:  # installed elsewhere: name it within the package
            rel = "memo/" + path.relative_to(CODE_DIR).as_posix()
        for lineno, msgid, comments in found:
            yield msgid, rel, lineno, list(comments)


@functools.lru_cache(maxsize=256)
def _module_messages(
    path: Path, _mtime_ns: int, _size: int
) -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """One module's messages, read once per process while the file is unchanged (its time and
    size are part of the key). A module with no call of a keyword has none: Babel need not
    tokenize it."""
    if not _KEYWORD_CALL.search(path.read_text(encoding="utf-8")):
        return ()
    return tuple(
        (lineno, msgid, tuple(comments))
        for lineno, msgid, comments, _context in extract_from_file(
            "python", path, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
        )
        if isinstance(msgid, str) and msgid
    )


class _Lines:
    """Editor lines of a YAML file's nodes, looked up by a path of keys and list indexes."""

    def __init__(self, lines: dict[tuple[str, ...], int]) -> None:
        self._lines = lines

    def get(self, path: tuple[Any, ...]) -> int | None:
        return self._lines.get(tuple(str(p) for p in path))


def load_yaml(path: Path, rel: str = "") -> tuple[dict[str, Any], _Lines]:
    """A YAML file's data and the line of each node, read like every other config (defensively;
    ``rel``, its path in the project, for the check that it is no link out of it); empty when the
    file is missing or broken (``memo validate`` reports why)."""
    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        doc = load_yaml_with_lines(path, rel or None)
    except (OSError, yaml.YAMLError):
        return {}, _Lines({})
    return (doc.data if isinstance(doc.data, dict) else {}), _Lines(doc.lines)


def data_messages(root: Path) -> Iterator[Message]:
    """Reader-visible strings of data/ and config/, each with a note saying what it is."""
    rel = "data/dictionary.yaml"
    d, lines = load_yaml(root / rel, rel)
    for code, ent in (d.get("entities") or {}).items():
        # Countries are named by Babel in each language; other entities go through the catalogue.
        if isinstance(ent, dict) and ent.get("name") and not ent.get("alpha2"):
            yield (
                ent["name"],
                rel,
                lines.get(("entities", code, "name")),
                [f"name of entity {code}"],
            )
    for ind_id, ind in (d.get("indicators") or {}).items():
        if not isinstance(ind, dict):
            continue
        if ind.get("label"):
            yield (
                ind["label"],
                rel,
                lines.get(("indicators", ind_id, "label")),
                [f"label of indicator {ind_id} (key figures, derivation notes)"],
            )
        if ind.get("derivation"):
            yield (
                ind["derivation"],
                rel,
                lines.get(("indicators", ind_id, "derivation")),
                [f"how indicator {ind_id} is derived (notes)"],
            )
        for key, what in (
            ("superlative", "what rank 1 is called"),
            ("subject", "what is ranked, as in 'the highest <subject>'"),
            ("who", "who a figure is about (key figures); keep {entity} and {counterpart}"),
        ):
            words = ind.get("wording") or {}
            if isinstance(words, dict) and words.get(key):
                yield (
                    words[key],
                    rel,
                    lines.get(("indicators", ind_id, "wording", key)),
                    [f"{what}, for indicator {ind_id}"],
                )
    for unit_id, unit in (d.get("units") or {}).items():
        if isinstance(unit, dict) and unit.get("format"):
            yield (
                unit["format"],
                rel,
                lines.get(("units", unit_id, "format")),
                [f"how a figure in {unit_id} reads; {{n}} is the formatted number"],
            )

    # The events as memo validate reads them (CSV or spreadsheet; rows with problems included).
    from memo.core.records import EVENT_COLUMNS
    from memo.ingest.sources import EVENTS
    from memo.ingest.tables import read_data_table

    rows, _problems, table = read_data_table(root, EVENTS, (), EVENT_COLUMNS)
    for row in rows:
        if row.get("title"):
            yield row["title"], table.path, row.line, [f"title of event {row.get('id')}"]

    rel = "config/config.yaml"
    cfg, lines = load_yaml(root / rel, rel)
    if cfg.get("marking"):
        yield cfg["marking"], rel, lines.get(("marking",)), ["marking printed in every page header"]
    publisher = (cfg.get("edition") or {}).get("publisher")
    if publisher:
        yield publisher, rel, lines.get(("edition", "publisher")), ["publisher: the memo's author"]

    rel = "config/memos.yaml"
    memos, lines = load_yaml(root / rel, rel)
    for aud_id, aud in (memos.get("audiences") or {}).items():
        if isinstance(aud, dict) and aud.get("label"):
            yield (
                aud["label"],
                rel,
                lines.get(("audiences", aud_id, "label")),
                [f"audience {aud_id}"],
            )
    for chart_id, chart in (memos.get("charts") or {}).items():
        if not isinstance(chart, dict):
            continue
        for key in ("title", "caption", "alt"):
            if chart.get(key):
                yield (
                    chart[key],
                    rel,
                    lines.get(("charts", chart_id, key)),
                    [f"{key} of chart {chart_id}; keep each {{placeholder}}"],
                )
    for i, m in enumerate(memos.get("memos") or []):
        if not isinstance(m, dict):
            continue
        memo_id = m.get("id", i)
        for key in ("title", "subtitle", "description", "marking", "author"):
            if m.get(key):
                yield m[key], rel, lines.get(("memos", i, key)), [f"{key} of memo {memo_id}"]
        for j, kw in enumerate(m.get("keywords") or []):
            yield (
                str(kw),
                rel,
                lines.get(("memos", i, "keywords", j)),
                [f"keyword of memo {memo_id} (PDF)"],
            )
        for j, kf in enumerate(m.get("key_figures") or []):
            if isinstance(kf, dict) and kf.get("label"):
                yield (
                    kf["label"],
                    rel,
                    lines.get(("memos", i, "key_figures", j, "label")),
                    [f"key figure label of memo {memo_id}"],
                )


def extract(root: Path) -> Catalog:
    """The message template: every message of the templates, the code and the data, in that order."""
    cat = Catalog(
        domain=DOMAIN,
        project="memo",
        version="1",
        charset="utf-8",
        fuzzy=False,
        header_comment="# Messages of the memo templates, code and data. Generated by `memo catalogue`;\n"
        "# do not edit: translate in templates/locale/<language>/LC_MESSAGES/memo.po.\n#",
    )
    sources: Iterable[Message] = (
        *template_messages(root),
        *markdown_messages(root),
        *code_messages(root),
        *data_messages(root),
    )
    for msgid, rel, line, notes in sources:
        cat.add(msgid, locations=[(rel, line)], auto_comments=notes)
    return cat
