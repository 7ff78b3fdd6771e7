"""Typed records for the data layer: observations, sources, events and the indicator dictionary.

The CSV and YAML formats are described in ``docs/DESIGN.md``; loaders live in ``memo.ingest``.
Records are frozen so that derivations can never modify their inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from memo.core.periods import DEFAULT_SPAN

if TYPE_CHECKING:  # numpy is imported only by the code that computes with quantities
    from memo.core.quantity import Quantity

# Qualifiers: how a source bounds a figure (the dictionary's closed list mirrors these).
QUALIFIERS = ("", "about", "nearly", "less_than", "more_than", "up_to")


INDICATOR_COLUMNS = (
    "indicator",
    "entity",
    "counterpart",
    "period",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "source",
    "note",
)
SOURCE_COLUMNS = ("id", "footnote", "author", "title", "publisher", "date", "url", "note")
EVENT_COLUMNS = ("id", "date", "title", "source", "note")


@dataclass(frozen=True)
class Observation:
    """One figure: an indicator for an entity (and counterpart) in a period, with its source."""

    indicator: str
    entity: str
    counterpart: str
    period: str
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    source: str
    note: str = ""
    path: str = "data/indicators.csv"
    line: int = 0
    # For derived figures: what they were computed from and how.
    inputs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    method: str = ""
    # For derived figures: the topic (scope) they were computed over.
    topic: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The identity of an observation: no two rows share it."""
        return (self.indicator, self.entity, self.counterpart, self.period)

    @property
    def ref(self) -> str:
        """Where the row lives, as an editor shows it (``data/indicators.csv:17``)."""
        return f"{self.path}:{self.line}"

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def is_derived(self) -> bool:
        return bool(self.method)

    @property
    def quantity(self) -> Quantity:
        """The figure as its source bounds it (range, qualifier)."""
        from memo.core.quantity import Quantity

        return Quantity.from_parts(self.value, self.low, self.high, self.qualifier)

    @property
    def all_sources(self) -> tuple[str, ...]:
        """Source ids behind the figure: its own, or for a derived one, those of its inputs."""
        return self.sources or ((self.source,) if self.source else ())


@dataclass(frozen=True)
class Source:
    """A work the article cites (a footnote), or the article itself."""

    id: str
    footnote: str
    author: str
    title: str
    publisher: str
    date: str
    url: str
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Event:
    """A dated event the article mentions."""

    id: str
    date: str
    title: str
    source: str
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Unit:
    """A unit figures are given in, and how a reader sees a figure in it."""

    id: str
    label: str
    symbol: str = ""
    min: float | None = None
    max: float | None = None
    # The English pattern around the formatted number ("{n}%", "${n}"), translated per language.
    format: str = "{n}"
    decimals: int = 1
    # For sums in large units (1e9 for billions): written in the language's compact form.
    scale: float | None = None
    # A rank: in tables it reads as an ordinal ("2nd", "2위").
    ordinal: bool = False


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    alpha2: str = ""
    kind: str = "country"

    @property
    def is_aggregate(self) -> bool:
        """The world, a region or a group: never ranked beside countries."""
        return self.kind != "country"


@dataclass(frozen=True)
class DerivationSpec:
    """How a derived indicator is computed: a kind and its parameters (``data/dictionary.yaml``)."""

    kind: str
    params: Mapping[str, Any]
    inputs: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class IndicatorDef:
    """An entry of the indicator dictionary."""

    id: str
    label: str
    unit: str
    description: str
    range: tuple[float, float] | None = None
    derived: bool = False
    derivation: str = ""
    # For derived indicators: how (``derive:``), and the indicators that reads.
    spec: DerivationSpec | None = None
    # Targets and forecasts are not observations of the past: they never date a memo's figures.
    forecast: bool = False
    # Words for data-dependent phrases (a rank's superlative and subject), in English.
    wording: Mapping[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.spec.inputs if self.spec else ()


@dataclass(frozen=True)
class Dictionary:
    units: dict[str, Unit]
    qualifiers: dict[str, str]
    entities: dict[str, Entity]
    indicators: dict[str, IndicatorDef]
    # The years periods and dates may lie in, both included (``periods:``; memo.core.periods).
    periods: tuple[int, int] = DEFAULT_SPAN


@dataclass(frozen=True)
class Topic:
    """What a set of memos is about: the entities and periods their figures may come from.

    Derivations are computed over a topic's figures only, so a ranking or an "as of" date never
    moves because of rows that belong to another topic. ``entities`` None means every entity;
    ``start``/``end`` are ISO periods bounding the figures' periods (empty: no bound).
    """

    id: str
    entities: frozenset[str] | None = None
    start: str = ""
    end: str = ""
    line: int = 0

    def covers(self, entity: str, counterpart: str, period: str) -> bool:
        """Whether a figure of ``entity`` (with ``counterpart``) in ``period`` belongs here."""
        from memo.core.periods import period_end, period_start

        if self.entities is not None and (
            entity not in self.entities or (counterpart and counterpart not in self.entities)
        ):
            return False
        if self.end and period_end(period) > period_end(self.end):
            return False
        return not (self.start and period_start(period) < period_start(self.start))


EVERYTHING = Topic("")


@dataclass(frozen=True)
class Dataset:
    """Everything under data/, loaded and validated."""

    dictionary: Dictionary
    observations: tuple[Observation, ...]
    sources: dict[str, Source]
    events: dict[str, Event]
    derived: tuple[Observation, ...] = field(default=())
