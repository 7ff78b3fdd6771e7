"""What config/ declares, as records: the edition (date, publisher, retention, topics, charts) and
its memo definitions, key figures and chart specifications. ``memo.ingest.config`` reads and checks
the files and builds these; every later stage reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from memo.core.records import EVERYTHING, Topic

MEMOS = "config/memos.yaml"


@dataclass(frozen=True)
class KeyFigure:
    indicator: str
    entity: str | None = None
    counterpart: str = ""
    period: str | None = None
    label: str = ""
    line: int = 0


@dataclass(frozen=True)
class ChartSpec:
    """A chart declared in config/memos.yaml ``charts:``: a kind, its parameters and its words."""

    id: str
    kind: str
    params: dict[str, Any]
    title: str
    caption: str = ""
    alt: str = ""
    line: int = 0
    # The line of each of its keys (kind, parameters, words).
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int:
        """The line of one of its keys, or of the chart when the key is not there."""
        return self.lines.get(key, self.line)

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicators it draws (named by its ``indicator`` parameters)."""
        return tuple(
            v for k, v in self.params.items() if k.startswith("indicator") and isinstance(v, str)
        )


@dataclass(frozen=True)
class MemoDef:
    """One memo definition from config/memos.yaml, with edition defaults filled in."""

    id: str
    audience: str
    audience_label: str
    title: str
    template: str
    languages: tuple[str, ...]
    sections: tuple[str, ...]
    key_figures: tuple[KeyFigure, ...]
    charts: tuple[str, ...]
    pages: tuple[int, int]
    marking: str
    author: str
    edition_date: dt.date
    subtitle: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    topic: Topic = EVERYTHING
    chart_specs: tuple[ChartSpec, ...] = ()
    # Page size of the PDF, a CSS @page size: the memo's, else its audience's, else A4.
    paper: str = "A4"
    line: int = 0

    def output_id(self, language: str) -> str:
        """File stem of one language edition (``korea-brief-ko``)."""
        return f"{self.id}-{language}"


@dataclass(frozen=True)
class Edition:
    date: dt.date
    publisher: str
    max_age_days: int
    marking: str
    base_url: str
    memos: tuple[MemoDef, ...] = field(default=())
    # A message without a confirmed translation: "fail" the edition's render, or "mark" it.
    translations_pending: str = "fail"
    # Published editions kept (config.yaml ``editions``): the newest ``keep_editions`` whole, the
    # figure records and manifests of the newest ``keep_records`` (memo.publish.editions).
    keep_editions: int = 3
    keep_records: int = 52
    topics: tuple[Topic, ...] = field(default=())
    charts: tuple[ChartSpec, ...] = field(default=())

    def memo(self, output_id: str) -> tuple[MemoDef, str]:
        """Find the memo definition and language of an output id (``korea-brief-ko``)."""
        for m in self.memos:
            for lang in m.languages:
                if m.output_id(lang) == output_id:
                    return m, lang
        known = ", ".join(self.output_ids())
        raise KeyError(f"no memo {output_id!r} in {MEMOS} (known: {known})")

    def output_ids(self) -> list[str]:
        return [m.output_id(lang) for m in self.memos for lang in m.languages]
