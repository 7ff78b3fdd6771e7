"""``memo catalogue``: write the gettext template and update the language catalogues.

It writes ``templates/locale/memo.pot`` from the messages ``memo.render.messages`` collects and
merges it into every ``templates/locale/<language>/LC_MESSAGES/memo.po``, keeping existing
translations (a changed English text keeps its old translation as a *fuzzy* suggestion, which the
memos do not use until a translator confirms it). ``--add-language xx`` starts a new catalogue;
``--check`` changes nothing and exits 1 when the template is out of date or a catalogue lacks a
confirmed translation of a message that a memo built in its language can show. :func:`check` is
``memo validate``'s part: the same missing translations, reported where each message is written,
before any memo is rendered.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from memo.core.problems import Problem
from memo.ingest.edition import MEMOS
from memo.render.i18n import DOMAIN, catalogue_path, shorten
from memo.render.messages import extract, load_yaml

TEMPLATE_PATH = "templates/locale/memo.pot"
_DATE_LINE = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.M)


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


def merged(root: Path, template: Catalog, language: str, fuzzy_matching: bool = True) -> Catalog:
    """A language's catalogue updated to ``template``, keeping its translations (new: empty, or
    with ``fuzzy_matching`` the translation of the closest old message, marked fuzzy; either way
    not confirmed, so ``missing`` is the same without that costly search)."""
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
    cat.update(template, no_fuzzy_matching=not fuzzy_matching, update_creation_date=True)
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
_CHART_NOTE = re.compile(r"\bof chart (\S+?);")


_INDICATOR_NOTE = re.compile(r"\bindicator ([a-z0-9_]+)")
_ENTITY_NOTE = re.compile(r"\bname of entity (\S+)")
_AUDIENCE_NOTE = re.compile(r"^audience (\S+)$")


def _topic_words(project: object, language: str) -> tuple[set[str], set[str] | None]:
    """The indicators and entities the topics of a language's memos can show (None: every
    entity): an indicator with figures in such a topic, or derived from one that has."""
    memos = [m for m in project.edition.memos if language in m.languages]  # type: ignore[attr-defined]
    topics = list({m.topic.id: m.topic for m in memos}.values())
    indicators = {o.indicator for t in topics for o in project.in_topic(t)}  # type: ignore[attr-defined]
    definitions = project.dataset.dictionary.indicators  # type: ignore[attr-defined]
    grown = True
    while grown:
        more = {i for i, d in definitions.items() if set(d.inputs) & indicators} - indicators
        indicators |= more
        grown = bool(more)
    if any(t.entities is None for t in topics):
        return indicators, None
    return indicators, {e for t in topics for e in t.entities or ()}


def required(
    root: Path, template: Catalog, language: str, project: object | None = None
) -> set[str]:
    """Messages a language's catalogue must translate: those a memo built in that language can
    show. A template used only by memos in other languages, and the title, keywords and labels of
    those memos, need no translation; with no memo in the language, nothing does. Given the loaded
    ``project``, neither do the words of indicators and entities outside those memos' topics
    (another topic's memos may be English only)."""
    memos, _ = load_yaml(root / "config/memos.yaml")
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
    charts = {str(c) for m in built for c in m.get("charts") or []}
    audiences = {str(m.get("audience")) for m in built}
    shown_indicators, shown_entities = (
        _topic_words(project, language) if project is not None else (None, None)
    )
    out = set()
    for msg in template:
        if not msg.id:
            continue
        needed = False
        for file, _line in msg.locations:
            if file in other_templates:
                continue
            parts = file.split("/")
            if len(parts) == 3 and parts[0] == "templates" and file.endswith(".md"):
                if parts[1] not in ids:
                    continue  # a Markdown section of a memo not built in this language
            if file == "data/dictionary.yaml" and shown_indicators is not None:
                about = {n.group(1) for n in map(_INDICATOR_NOTE.search, msg.auto_comments) if n}
                if about and not about & shown_indicators:
                    continue
                named = {n.group(1) for n in map(_ENTITY_NOTE.search, msg.auto_comments) if n}
                if named and shown_entities is not None and not named & shown_entities:
                    continue
            if file == "config/memos.yaml":
                notes = [_MEMO_NOTE.search(c) for c in msg.auto_comments]
                owners = {n.group(1) for n in notes if n}
                if owners and not owners & ids:
                    continue
                # The label of an audience none of whose memos is built in this language.
                readers = {n.group(1) for n in map(_AUDIENCE_NOTE.search, msg.auto_comments) if n}
                if readers and not readers & audiences:
                    continue
                # The words of a chart that only memos in other languages show.
                drawn = {n.group(1) for n in map(_CHART_NOTE.search, msg.auto_comments) if n}
                if drawn and not drawn & charts:
                    continue
            needed = True
        if needed:
            out.add(msg.id)
    return out


def check(root: Path, project: object | None) -> list[Problem]:
    """``memo validate``'s part: every message a language edition can show has a confirmed
    translation in that language's catalogue; each one that has not is reported where it is
    written (template, code or data line), naming the catalogue to update.

    With ``translations: {pending: mark}`` in config/config.yaml the same are printed as warnings
    and the build goes on (the editions then say "translation pending").
    """
    if project is None:
        return []  # the config did not load: which languages are built is unknown
    edition = project.edition  # type: ignore[attr-defined]
    built = sorted({lang for m in edition.memos for lang in m.languages} - {"en"})
    if not built:
        return []
    template = extract(root)
    where = {m.id: m.locations for m in template if m.id}
    problems = []
    for lang in built:
        rel = catalogue_path(Path("templates"), lang).as_posix()
        if not catalogue_path(root / "templates", lang).is_file():
            problems.append(
                Problem(
                    MEMOS,
                    1,
                    "languages",
                    f"memos are built in {lang} but there is no catalogue {rel}",
                    f"run memo catalogue --add-language {lang} and translate it",
                )
            )
            continue
        name = Locale.parse(lang).english_name
        needed = required(root, template, lang, project)
        for msgid in missing(merged(root, template, lang, fuzzy_matching=False), needed):
            file, line = (where.get(msgid) or [(TEMPLATE_PATH, None)])[0]
            problems.append(
                Problem(
                    file,
                    line or 1,
                    "message",
                    f"no confirmed {name} translation of {shorten(msgid)!r}",
                    f"update {rel}: run memo catalogue, translate it, remove its fuzzy mark",
                )
            )
    if problems and edition.translations_pending == "mark":
        for p in problems:
            print(f"warning: {p} (published as 'translation pending')", file=sys.stderr)
        return []
    return problems


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
            cat = merged(root, template, lang, fuzzy_matching=False)
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
