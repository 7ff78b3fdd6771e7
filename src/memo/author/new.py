"""``memo new <id> --audience … --template …``: a new memo that builds at once.

It adds the memo's entry to the end of the ``memos:`` list of ``config/memos.yaml`` as text, so
that every comment and the layout of the file stay as the analyst wrote them (re-dumping the YAML
would drop them), and writes a template and a Markdown section to start from: the bottom line in
the HTML template (layout), the discussion in ``templates/<id>/discussion.md`` (prose), each
showing one figure of the memo's topic, looked up the way every figure is. The new config is then
checked as ``memo validate`` checks it; on any problem the file is put back as it was and nothing
is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from memo.core.files import write_atomic
from memo.core.problems import DataError, Problem, format_problems
from memo.ingest.edition import MEMOS
from memo.ingest.hints import choices

ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TEMPLATE = re.compile(r"[A-Za-z0-9_]+\.html\.j2")
PROSE_SECTION = "discussion"

TEMPLATE_TEXT = """\
{{% extends "base.html.j2" %}}
{{#- {title}: the layout. Sections listed in config/memos.yaml are blocks here, or prose in
    templates/{memo_id}/<section>.md. Every figure is a call: fact(indicator, entity, counterpart,
    period), event(id), say.standing/fold/change(...). -#}}
{{% block bottom_line %}}
<section class="bottom-line" aria-labelledby="bl-h">
  <h2 id="bl-h">{{{{ _("Bottom line") }}}}</h2>
  <p id="bottom-line">{{% trans figure={call} %}}{label}: {{{{ figure }}}}.{{% endtrans %}}</p>
</section>
{{% endblock %}}
"""

PROSE_TEXT = """\
## Discussion

Write the memo's prose here, in Markdown. A figure is a call between double braces, looked up in
the data with its source cited: {label}, {{{{ {call} }}}}.
"""


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def entry_text(
    memo_id: str,
    audience: str,
    title: str,
    template: str,
    topic: str | None,
    languages: list[str],
    sections: list[str],
    indent: str,
) -> str:
    """The memo's entry as YAML text, its list item indented by ``indent``."""
    inner = indent + "  "
    lines = [
        f"{indent}- id: {memo_id}",
        f"{inner}audience: {audience}",
        f"{inner}title: {_quote(title)}",
    ]
    if topic:
        lines.append(f"{inner}topic: {topic}")
    lines += [
        f"{inner}template: {template}",
        f"{inner}languages: [{', '.join(languages)}]",
        f"{inner}sections: [{', '.join(sections)}]",
        f"{inner}key_figures: []",
        f"{inner}charts: []",
        f"{inner}pages: [1, 2]",
    ]
    return "\n".join(lines) + "\n"


def insert_entry(text: str, entry: str, memos_line: int, end_line: int | None) -> str:
    """``text`` with ``entry`` added at the end of the ``memos:`` list, which starts on line
    ``memos_line`` and runs to just before ``end_line`` (the next top-level key; None: the end)."""
    lines = text.splitlines(keepends=True)
    stop = (end_line - 1) if end_line else len(lines)
    # The list ends at its last non-blank, non-comment line before the next key.
    last = memos_line - 1
    for i in range(memos_line, stop):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            last = i
    head, tail = lines[: last + 1], lines[last + 1 :]
    if head and not head[-1].endswith("\n"):
        head[-1] += "\n"
    return "".join(head) + "\n" + entry + "".join(tail)


def _list_layout(text: str) -> tuple[int, int | None, str]:
    """The line of ``memos:``, the line of the next top-level key (or None), and the indent of
    the list's items."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"memos\s*:", line)), None)
    if start is None:
        raise ValueError(f"{MEMOS} has no memos: list")
    end = next(
        (i + 1 for i in range(start + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[i])), None
    )
    indent = "  "
    for line in lines[start + 1 : (end - 1) if end else len(lines)]:
        m = re.match(r"(\s*)- ", line)
        if m:
            indent = m.group(1)
            break
    return start + 1, end, indent


def _example_figure(project, topic_id: str | None) -> tuple[str, str]:
    """A call showing one stated figure of the topic, and the indicator's label."""
    from memo.core.records import EVERYTHING

    topics = {t.id: t for t in project.edition.topics}
    topic = topics.get(topic_id or "", EVERYTHING)
    rows = project.in_topic(topic)
    if not rows:
        raise ValueError(f"topic {topic_id or '(everything)'} has no figure to show")
    o = rows[0]
    args = [o.indicator, o.entity, o.counterpart, o.period]
    call = f"fact({', '.join(_quote(a) for a in args)})"
    return call, project.dataset.dictionary.indicators[o.indicator].label


def new_memo(
    root: Path,
    memo_id: str,
    audience: str,
    template: str,
    title: str = "",
    topic: str | None = None,
    languages: tuple[str, ...] = ("en",),
) -> list[str]:
    """Add a memo (entry, template, Markdown section); return the files written. Raises
    DataError with every problem, writing nothing, when the memo could not build."""
    from memo.ingest.project import check_project
    from memo.ingest.validate import validate

    root = Path(root)
    project, problems = check_project(root)
    if project is None:
        raise DataError(problems)
    edition = project.edition

    def fail(what: str, hint: str = "") -> DataError:
        return DataError([Problem(MEMOS, 1, "memo new", what, hint)])

    if not ID.fullmatch(memo_id):
        raise fail(
            f'"{memo_id}" is not a memo id', "lowercase words joined by hyphens: trade-brief"
        )
    if memo_id in {m.id for m in edition.memos}:
        raise fail(f'a memo "{memo_id}" already exists', "choose another id")
    audiences = _audiences(root)
    if audience not in audiences:
        raise fail(f'unknown audience "{audience}"', choices(audience, audiences))
    if not TEMPLATE.fullmatch(template):
        raise fail(f'"{template}" is not a template name', "letters, digits and _, then .html.j2")
    topic_ids = [t.id for t in edition.topics]
    if topic is None and topic_ids:
        if len(topic_ids) > 1:
            raise fail("name the memo's topic with --topic", "known: " + ", ".join(topic_ids))
        topic = topic_ids[0]
    if topic is not None and topic not in topic_ids:
        raise fail(f'unknown topic "{topic}"', choices(topic, topic_ids))
    template_path = root / "templates" / template
    if template_path.exists():
        raise fail(f"templates/{template} already exists", "name a new template")
    prose_path = root / "templates" / memo_id / f"{PROSE_SECTION}.md"

    call, label = _example_figure(project, topic)
    title = title or memo_id.replace("-", " ").capitalize()
    memos_file = root / MEMOS
    before = memos_file.read_text(encoding="utf-8")
    start, end, indent = _list_layout(before)
    entry = entry_text(
        memo_id,
        audience,
        title,
        template,
        topic,
        list(languages),
        ["bottom_line", PROSE_SECTION],
        indent,
    )
    write_atomic(memos_file, insert_entry(before, entry, start, end))
    write_atomic(
        template_path, TEMPLATE_TEXT.format(title=title, memo_id=memo_id, call=call, label=label)
    )
    write_atomic(prose_path, PROSE_TEXT.format(call=call, label=label))
    _, problems = validate(root)
    if problems:
        write_atomic(memos_file, before)
        template_path.unlink()
        prose_path.unlink()
        if not any(prose_path.parent.iterdir()):
            prose_path.parent.rmdir()
        raise DataError(problems)
    return [MEMOS, f"templates/{template}", prose_path.relative_to(root).as_posix()]


def _audiences(root: Path) -> list[str]:
    from memo.ingest.yamlfile import load_yaml_with_lines

    data = load_yaml_with_lines(root / MEMOS).data or {}
    return list((data.get("audiences") or {}).keys())


def cli_new(args: argparse.Namespace) -> int:
    """``memo new``: scaffold a memo; print what was written and how to see it."""
    root = Path(args.root)
    given = (("<id>", args.id), ("--audience", args.audience), ("--template", args.template))
    missing = [name for name, value in given if not value]
    if missing:
        print(
            "usage: memo new <id> --audience AUDIENCE --template NAME.html.j2 "
            f"(missing: {', '.join(missing)})",
            file=sys.stderr,
        )
        return 2
    languages = tuple(args.languages.split(",")) if args.languages else ("en",)
    try:
        written = new_memo(
            root, args.id, args.audience, args.template, args.title or "", args.topic, languages
        )
    except DataError as e:
        print(format_problems(e.problems), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"error: {e}; nothing was written", file=sys.stderr)
        return 1
    for name in written:
        print(f"wrote {name}", file=sys.stderr)
    print(
        f"see it with `memo preview {args.id}`, build it with `snakemake --cores 2`",
        file=sys.stderr,
    )
    return 0
