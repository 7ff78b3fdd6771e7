"""Sends follow changes: what changed in a memo since the version a reader received, from the
edition records kept under ``.reports/`` (memo.publish.editions) and memo.render.changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from memo.distribute.published import PublishedMemo
from memo.publish import editions as kept
from memo.render import i18n
from memo.render.changes import summary


class ChangeFinder:
    """What changed in a memo since the version a reader received, from the records kept under
    .reports/ (memo.publish.editions): the edition whose PDF has the SHA-256 the ledger recorded,
    its figure record of the memo, and the published one."""

    def __init__(self, root: Path, reports: Path) -> None:
        self.root = root
        self.reports = reports
        self.store = reports.parent / kept.STORE

    def since(self, memo: PublishedMemo, pdf_sha256: str) -> tuple[str, list[str]] | None:
        """(date of the edition received, sentences on what changed since: none when nothing a
        reader sees did), or None when that edition's record is not kept."""
        received = kept.received(self.store, memo.id, pdf_sha256)
        if received is None:
            return None
        old = kept.record(self.store, received, memo.id)
        try:
            new = json.loads((self.reports / f"{memo.id}.figures.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if old is None or not isinstance(new, dict):
            return None
        date = str((kept.manifest(self.store, received) or {}).get("edition") or received)
        return date, summary(old, new, self._gettext(memo.language), memo.language)

    def _gettext(self, language: str) -> Callable[[str], str]:
        try:
            return i18n.translations(self.root / "templates", language).gettext
        except FileNotFoundError:  # no catalogue for it: the sentences stay in English
            return str
