"""Typed records for the data layer: observations, sources, events and the indicator dictionary.

The CSV and YAML formats are described in ``docs/DESIGN.md``; loaders live in ``memo.data``.
Records are frozen so that derivations can never modify their inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Qualifiers: how a source bounds a figure. Defined once here and mirrored in data/dictionary.yaml.
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
    id: str
    label: str
    symbol: str = ""
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    alpha2: str = ""
    kind: str = "country"


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
    # For derived indicators: the indicators they are computed from.
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dictionary:
    units: dict[str, Unit]
    qualifiers: dict[str, str]
    entities: dict[str, Entity]
    indicators: dict[str, IndicatorDef]


@dataclass(frozen=True)
class Dataset:
    """Everything under data/, loaded and validated."""

    dictionary: Dictionary
    observations: tuple[Observation, ...]
    sources: dict[str, Source]
    events: dict[str, Event]
    derived: tuple[Observation, ...] = field(default=())
