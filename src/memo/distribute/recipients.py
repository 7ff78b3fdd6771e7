"""Load and check config/recipients.csv: who receives which audience's memos, in which language.

Columns: ``name,email,organisation,audiences,language``. ``audiences`` is ``;``-separated ids
from config/memos.yaml; ``language`` is the edition the recipient prefers (``en``, ``ko``); when a
memo has no edition in it, the memo's default (first) language is sent instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memo.core.problems import Problem
from memo.distribute.message import ADDRESS
from memo.ingest.tables import Row, read_table

RECIPIENTS = "config/recipients.csv"
MEMOS = "config/memos.yaml"
COLUMNS = ("name", "email", "organisation", "audiences", "language")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# Line breaks and other control characters: a name holding one could forge mail headers.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Recipient:
    """One person on the distribution list, with the editor line of their row."""

    name: str
    email: str
    organisation: str
    audiences: tuple[str, ...]
    language: str
    line: int = 0


@dataclass(frozen=True)
class MemoConfig:
    """What distribution needs from config/memos.yaml: audiences, default languages."""

    audiences: frozenset[str]
    default_language: dict[str, str]


def read_memo_config(root: Path) -> MemoConfig | None:
    """Read audiences and default languages from config/memos.yaml; None if missing or unreadable.

    Audiences are the keys of ``audiences:`` and every memo's ``audience``. Whether the file is
    well-formed is the config check's business (memo.ingest.config), not this module's.
    """
    import yaml

    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        # The defensive reader: no aliases, bounded nesting, duplicate keys refused.
        data: Any = load_yaml_with_lines(root / MEMOS, MEMOS).data
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    audiences: set[str] = set()
    if isinstance(data.get("audiences"), dict):
        audiences.update(str(a) for a in data["audiences"])
    defaults: dict[str, str] = {}
    for memo in data.get("memos") or ():
        if not isinstance(memo, dict):
            continue
        if memo.get("audience"):
            audiences.add(str(memo["audience"]))
        languages = memo.get("languages") or ([memo["language"]] if memo.get("language") else [])
        if memo.get("id") and languages:
            defaults[str(memo["id"])] = str(languages[0])
    return MemoConfig(frozenset(audiences), defaults)


def load_recipients(
    path: Path, display_path: str, audiences: frozenset[str] | set[str] | None
) -> tuple[list[Recipient], list[Problem]]:
    """Read and check the recipients file; ``audiences=None`` skips the audience check."""
    rows, problems = read_table(path, display_path, COLUMNS)
    recipients: list[Recipient] = []
    first_line: dict[str, int] = {}
    for row in rows:
        found = [
            Problem(display_path, row.line, column, what, hint)
            for column, what, hint in _row_problems(row, audiences, first_line)
        ]
        problems += found
        if not found:
            audience_ids = tuple(a.strip() for a in row["audiences"].split(";") if a.strip())
            recipients.append(
                Recipient(
                    row["name"],
                    row["email"],
                    row["organisation"],
                    audience_ids,
                    row["language"],
                    row.line,
                )
            )
    return recipients, problems


def _row_problems(
    row: Row, audiences: frozenset[str] | set[str] | None, first_line: dict[str, int]
) -> list[tuple[str, str, str]]:
    """Return (column, problem, hint) for each thing wrong in one row; note its address as seen."""
    out: list[tuple[str, str, str]] = []
    for column in ("name", "organisation"):
        if CONTROL.search(row[column]):
            what = "contains a line break or control character"
            out.append((column, what, "keep it on one line"))
    if not row["name"]:
        out.append(("name", "is empty", "write the name as it should appear in the To: line"))

    email = row["email"]
    if not email:
        out.append(("email", "is empty", "write it as name@domain"))
    elif not ADDRESS.match(email) or len(email) > 254:
        out.append(("email", f'"{email}" is not an e-mail address', "write it as name@domain"))
    elif email.lower() in first_line:
        what = f'"{email}" is listed twice (first on line {first_line[email.lower()]})'
        hint = "keep one row per person and list all their audiences in it, separated by ;"
        out.append(("email", what, hint))
    else:
        first_line[email.lower()] = row.line

    names = [a.strip() for a in row["audiences"].split(";") if a.strip()]
    if not names:
        out.append(("audiences", "is empty", "list audience ids separated by ;"))
    for audience in names:
        if audiences is not None and audience not in audiences:
            known = ", ".join(sorted(audiences)) or "none"
            out.append(("audiences", f'"{audience}" is not a known audience', f"{MEMOS}: {known}"))
    if len(set(names)) != len(names):
        out.append(("audiences", "names an audience twice", "list each audience once"))

    if not LANGUAGE.match(row["language"]):
        what = f'"{row["language"]}" is not a language code'
        out.append(("language", what, "write en or ko"))
    return out


def check(root: Path) -> list[Problem]:
    """Check config/recipients.csv against the audiences of config/memos.yaml (none if absent).

    A project without a recipients file has nothing to distribute, which is not an error. Without
    a readable memos.yaml the audiences are not checked; the config check reports that file.
    """
    path = root / RECIPIENTS
    if not path.exists():
        return []
    config = read_memo_config(root)
    _, problems = load_recipients(path, RECIPIENTS, config.audiences if config else None)
    return problems


def check_project(root: Path, project: object | None = None) -> list[Problem]:
    """``memo validate``'s part (``memo.ingest.validate``): the recipients check."""
    return check(Path(root))
