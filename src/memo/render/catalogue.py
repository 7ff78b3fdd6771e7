"""Extract every reader-visible message into a gettext template and update the language catalogues.

``memo catalogue`` (or ``python -m memo.render.catalogue``) collects the messages from three places:

- the Jinja templates (``{% trans %}`` blocks and ``_()`` calls), with Jinja's Babel extractor;
- the Python code in ``src/memo`` (``_()``, ``gettext()``, ``N_()`` marks and ``Wording._fmt``), with
  Babel's Python extractor; ``# Translators:`` comments go along as notes for the translator;
- the data and config strings a reader sees, whose English text is the message id: indicator labels
  and derivations, names of entities that are not countries (countries are named by Babel), event
  titles, and the titles, subtitles, descriptions, keywords, markings, key-figure labels, audience
  labels and author of each memo.

It writes ``templates/locale/memo.pot`` and merges it into every
``templates/locale/<language>/LC_MESSAGES/memo.po``, keeping existing translations (a changed English
text keeps its old translation as a *fuzzy* suggestion, which the memos do not use until a translator
confirms it). ``--add-language xx`` starts a new catalogue; ``--check`` changes nothing and exits 1
when the template is out of date or a catalogue has a message without a confirmed translation.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from memo.render.i18n import DOMAIN, catalogue_path

TEMPLATE_PATH = "templates/locale/memo.pot"
CODE_DIR = "src/memo"
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "N_": None, "_fmt": None}
TEMPLATE_KEYWORDS: dict[str, Any] = {"_": None, "gettext": None}
COMMENT_TAGS = ("Translators:",)
# The same whitespace settings as memo.render.html.environment, so message ids match at render time.
JINJA_OPTIONS = {
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "keep_trailing_newline": "true",
    "newstyle_gettext": "true",
}
_DATE_LINE = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.M)

Message = tuple[str, str, int | None, list[str]]  # (msgid, file, line, notes for the translator)


# ---- extraction -------------------------------------------------------------------------------------
def template_messages(root: Path) -> Iterator[Message]:
    """Messages of the Jinja templates, in file order."""
    for path in sorted((root / "templates").glob("*.j2")):
        rel = path.relative_to(root).as_posix()
        for lineno, msgid, comments, _context in extract_from_file(
            babel_extract,
            path,
            keywords=TEMPLATE_KEYWORDS,
            comment_tags=COMMENT_TAGS,
            options=JINJA_OPTIONS,
            strip_comment_tags=True,
        ):
            if isinstance(msgid, str) and msgid:
                yield msgid, rel, lineno, list(comments)


def code_messages(root: Path) -> Iterator[Message]:
    """Messages of the Python code: literal arguments of ``_``, ``gettext``, ``N_`` and ``_fmt``."""
    for path in sorted((root / CODE_DIR).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for lineno, msgid, comments, _context in extract_from_file(
            "python", path, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
        ):
            if isinstance(msgid, str) and msgid:
                yield msgid, rel, lineno, list(comments)


def _yaml_lines(path: Path) -> dict[tuple[Any, ...], int]:
    """Editor line (1-based) of every scalar in a YAML file, keyed by its path of keys and indexes."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, key: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, (*key, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*key, i))
        else:
            lines[key] = node.start_mark.line + 1

    root_node = yaml.compose(path.read_text(encoding="utf-8"))
    if root_node is not None:
        walk(root_node, ())
    return lines


def _load_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    if not path.is_file():
        return {}, {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}, _yaml_lines(path)


def data_messages(root: Path) -> Iterator[Message]:
    """Reader-visible strings of data/ and config/, each with a note saying what it is."""
    rel = "data/dictionary.yaml"
    d, lines = _load_yaml(root / rel)
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

    rel = "data/events.csv"
    path = root / rel
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                if row.get("title"):
                    yield row["title"], rel, line, [f"title of event {row.get('id', '')}"]

    rel = "config/config.yaml"
    cfg, lines = _load_yaml(root / rel)
    if cfg.get("marking"):
        yield cfg["marking"], rel, lines.get(("marking",)), ["marking printed in every page header"]
    publisher = (cfg.get("edition") or {}).get("publisher")
    if publisher:
        yield publisher, rel, lines.get(("edition", "publisher")), ["publisher: the memo's author"]

    rel = "config/memos.yaml"
    memos, lines = _load_yaml(root / rel)
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
        *code_messages(root),
        *data_messages(root),
    )
    for msgid, rel, line, notes in sources:
        cat.add(msgid, locations=[(rel, line)], auto_comments=notes)
    return cat


# ---- writing ------------------------------------------------------------------------------------
def _po_bytes(cat: Catalog, **kw: Any) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, width=100, **kw)
    return buf.getvalue()


def _same(a: bytes, b: bytes) -> bool:
    """Equal apart from the creation and revision dates in the header."""
    return _DATE_LINE.sub(b"", a) == _DATE_LINE.sub(b"", b)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and _same(path.read_bytes(), data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def _read_template(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, domain=DOMAIN)


def languages(root: Path) -> list[str]:
    """Languages that have a catalogue under templates/locale/."""
    base = root / "templates" / "locale"
    return sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read_catalogue(root: Path, language: str) -> Catalog:
    with catalogue_path(root / "templates", language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def merged(root: Path, template: Catalog, language: str) -> Catalog:
    """A language's catalogue updated to ``template``, keeping its translations (new: empty)."""
    path = catalogue_path(root / "templates", language)
    if path.is_file():
        cat = read_catalogue(root, language)
    else:
        cat = Catalog(
            locale=language,
            domain=DOMAIN,
            project="memo",
            version="1",
            charset="utf-8",
            fuzzy=False,
        )
    cat.update(template, update_creation_date=True)
    cat.fuzzy = False
    return cat


def missing(cat: Catalog, required: set[str] | None = None) -> list[str]:
    """Message ids without a confirmed translation (empty or fuzzy), of ``required`` if given."""
    return [
        m.id  # type: ignore[misc]
        for m in cat
        if m.id and (not m.string or m.fuzzy) and (required is None or m.id in required)
    ]


_MEMO_NOTE = re.compile(r"\bof memo (\S+?)(?: \(|$)")


def required(root: Path, template: Catalog, language: str) -> set[str]:
    """Messages a language's catalogue must translate: those a memo built in that language can
    show. A template used only by memos in other languages, and the title, keywords and labels of
    those memos, need no translation; with no memo in the language, nothing does."""
    memos, _ = _load_yaml(root / "config/memos.yaml")
    built = [
        m
        for m in memos.get("memos") or []
        if isinstance(m, dict) and language in (m.get("languages") or ["en"])
    ]
    if not built:
        return set()
    ids = {str(m.get("id")) for m in built}
    templates = {f"templates/{m.get('template')}" for m in built}
    other_templates = {
        f"templates/{m.get('template')}" for m in memos.get("memos") or [] if isinstance(m, dict)
    } - templates
    out = set()
    for msg in template:
        if not msg.id:
            continue
        needed = False
        for file, _line in msg.locations:
            if file in other_templates:
                continue
            if file == "config/memos.yaml":
                notes = [_MEMO_NOTE.search(c) for c in msg.auto_comments]
                owners = {n.group(1) for n in notes if n}
                if owners and not owners & ids:
                    continue
            needed = True
        if needed:
            out.add(msg.id)
    return out


def run(root: Path, add: list[str] | None = None, check: bool = False) -> int:
    template = extract(root)
    pot = _po_bytes(template)
    pot_path = root / TEMPLATE_PATH
    langs = sorted(set(languages(root)) | set(add or ()))
    if check:
        problems = []
        # Message ids only: a template edit that just moves a message does not make the template stale.
        committed = (
            {m.id for m in _read_template(pot_path) if m.id} if pot_path.is_file() else set()
        )
        current = {m.id for m in template if m.id}
        for msgid in sorted(current - committed):
            problems.append(f"{TEMPLATE_PATH}: new message {msgid!r} (run `memo catalogue`)")
        for msgid in sorted(committed - current):
            problems.append(f"{TEMPLATE_PATH}: unused message {msgid!r} (run `memo catalogue`)")
        for lang in langs:
            rel = catalogue_path(Path("templates"), lang).as_posix()
            cat = merged(root, template, lang)
            for msgid in missing(cat, required(root, template, lang)):
                problems.append(f"{rel}: no translation for {msgid!r}")
        for p in problems:
            print(p, file=sys.stderr)
        print(
            f"{len(template)} messages, {len(langs)} languages, {len(problems)} problems",
            file=sys.stderr,
        )
        return 1 if problems else 0
    changed = [TEMPLATE_PATH] if _write_if_changed(pot_path, pot) else []
    for lang in langs:
        cat = merged(root, template, lang)
        path = catalogue_path(root / "templates", lang)
        if _write_if_changed(path, _po_bytes(cat, ignore_obsolete=True, include_previous=True)):
            changed.append(path.relative_to(root).as_posix())
        todo = missing(cat, required(root, template, lang))
        if todo:
            print(f"{lang}: {len(todo)} messages without a confirmed translation", file=sys.stderr)
    print(f"{len(template)} messages; updated: {', '.join(changed) or 'nothing'}", file=sys.stderr)
    return 0


def cli_catalogue(args: Any) -> int:
    """``memo catalogue``: extract messages to memo.pot and update every language's catalogue."""
    return run(
        Path(args.root),
        add=list(getattr(args, "add_language", None) or ()),
        check=bool(getattr(args, "check", False)),
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--add-language",
        action="append",
        metavar="LANG",
        help="start a catalogue for a new language (a Babel locale code, e.g. ja)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if memo.pot is stale or a message is untranslated",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m memo.render.catalogue", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--root", default=".", help="project folder (default: .)")
    add_arguments(parser)
    return cli_catalogue(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
