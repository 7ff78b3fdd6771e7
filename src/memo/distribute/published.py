"""What was published and who gets what: the edition in ``reports/`` read against its manifest
(every file, every byte), and the plan of deliveries (each recipient, each memo of their audiences,
in the language edition they read)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memo.core.problems import DataError, Problem
from memo.distribute.manifest import MANIFEST, verify
from memo.distribute.recipients import Recipient


@dataclass(frozen=True)
class PublishedMemo:
    """One language edition in reports/manifest.json, with its PDF read and hashed."""

    id: str
    memo: str  # the memo id in config/memos.yaml, shared by its language editions
    audience: str
    language: str
    title: str
    bottom_line: str
    html: str
    pdf_path: Path
    sha256: str
    marking: str = ""
    publisher: str = ""


@dataclass(frozen=True)
class Published:
    """The published edition: its date and memos, in manifest order, and what identifies it."""

    edition: str
    memos: tuple[PublishedMemo, ...]
    manifest_sha256: str = ""  # of manifest.json: covers every published byte
    input_digest: str = ""  # of the data, config, templates and fonts it was built from
    base_url: str = ""  # where the build said it would be published


@dataclass(frozen=True)
class Delivery:
    """One memo edition for one recipient; for a reader who had an earlier edition of it, what
    changed since (sentences in the memo's language) and that edition's date."""

    memo: PublishedMemo
    recipient: Recipient
    changes: tuple[str, ...] = ()
    since: str = ""


def load_published(reports: Path, display: str) -> Published:
    """Check ``reports`` against its manifest (every file, every byte), then read its memos.

    Raises DataError listing every problem: a file changed, missing or not listed, or a memo entry
    without what sending needs.
    """
    verified = verify(reports, display)
    manifest = verified.manifest
    where = f"{display.rstrip('/')}/{MANIFEST}"
    if not isinstance(manifest.get("memos"), list):
        raise DataError([Problem(where, 1, "memos", "missing", "see docs/DESIGN.md")])
    edition = str(manifest.get("edition", ""))
    problems: list[Problem] = []
    memos: list[PublishedMemo] = []
    required = ("id", "audience", "language", "title", "pdf")
    for i, entry in enumerate(manifest["memos"]):
        if not isinstance(entry, dict):
            problems.append(Problem(where, 1, f"memos[{i}]", "is not an object"))
            continue
        missing = [k for k in required if not isinstance(entry.get(k), str) or not entry[k]]
        if missing:
            problems.append(Problem(where, 1, f"memos[{i}]", f"missing {', '.join(missing)}"))
            continue
        memos.append(
            PublishedMemo(
                id=entry["id"],
                memo=memo_of(entry),
                audience=entry["audience"],
                language=entry["language"],
                title=entry["title"],
                bottom_line=str(entry.get("bottom_line") or ""),
                html=str(entry.get("html") or ""),
                pdf_path=reports / entry["pdf"],
                sha256=manifest["files"][entry["pdf"]],
                marking=str(entry.get("marking") or ""),
                publisher=str(entry.get("publisher") or ""),
            )
        )
    if problems:
        raise DataError(problems)
    return Published(
        edition,
        tuple(memos),
        manifest_sha256=verified.sha256,
        input_digest=str(manifest.get("input_digest") or ""),
        base_url=str(manifest.get("base_url") or ""),
    )


def memo_of(entry: Mapping[str, Any]) -> str:
    """Return the memo a manifest entry is an edition of: ``korea-brief`` for ``korea-brief-ko``."""
    if entry.get("memo"):
        return str(entry["memo"])
    suffix = f"-{entry['language']}"
    return entry["id"][: -len(suffix)] if entry["id"].endswith(suffix) else entry["id"]


def choose_edition(
    editions: list[PublishedMemo], language: str, default_language: str | None
) -> PublishedMemo:
    """Pick the edition in ``language``, else the memo's default, else English, else the first."""
    by_language = {m.language: m for m in editions}
    for wanted in (language, default_language, "en"):
        if wanted and wanted in by_language:
            return by_language[wanted]
    return editions[0]


def plan(
    published: Published, recipients: list[Recipient], default_language: Mapping[str, str]
) -> list[Delivery]:
    """List each (memo edition, recipient) to deliver: memos in manifest order, then recipients."""
    groups: dict[tuple[str, str], list[PublishedMemo]] = {}
    for m in published.memos:
        groups.setdefault((m.audience, m.memo), []).append(m)
    deliveries: list[Delivery] = []
    for (audience, memo), editions in groups.items():
        for person in recipients:
            if audience in person.audiences:
                chosen = choose_edition(editions, person.language, default_language.get(memo))
                deliveries.append(Delivery(chosen, person))
    return deliveries
