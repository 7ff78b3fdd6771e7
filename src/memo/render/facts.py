"""Look up figures for a memo, format them, and keep the notes that cite them.

A template sees a figure only through ``fact(...)``. Each call finds exactly one observation (raw or
derived), formats it in the memo's language, registers the note that cites its source (or says how it
was derived), and records what was printed for the memo's figure record (JSON).

A note call reads "[3]", on the line, after a no-break space: a superscript after a figure reads as
an exponent ("83,000 km²¹⁵"). Notes are numbered in the order a reader meets their calls, which is
not the order the template asks for figures (the arguments of a ``{% trans %}`` block, a language's
word order, key figures and charts drawn before the prose): a memo is rendered once to find that
order (:meth:`FactBook.reading_order`), then again with it (:meth:`FactBook.restart`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from markupsafe import Markup, escape

from memo.core.lookup import MissingFigure, find
from memo.core.periods import period_end, sort_key
from memo.core.records import Dataset, Event, Observation
from memo.render import fmt

__all__ = ["FactBook", "MissingFigure", "Note", "NoteKey"]

# What a note is about, whatever its number: ("source", id) or ("derived", the figure's key).
NoteKey = tuple[str, object]
NO_BREAK = "\u00a0"
# A note call as FactBook.marker writes it (the HTML has no other element of this class).
_CALL = re.compile(r'class="noteref" href="#note-(\d+)"')
# A call followed, without a space, by the rest of a word (a Korean particle: "50% [1]를"): the call
# moves to the end of the word ("50%를 [1]"), where it interrupts nothing.
_CALL_IN_WORD = re.compile(
    "(" + NO_BREAK + r'<a class="noteref" href="#note-\d+"[^>]*>[^<]*</a>)((?:(?!\d)\w)+)'
)


@dataclass
class Note:
    """One numbered note: a source, or a derivation that cites other notes."""

    number: int
    source_id: str = ""
    derived: Observation | None = None
    input_notes: tuple[tuple[str, int], ...] = ()  # (formatted input figure, note number)

    @property
    def key(self) -> NoteKey:
        if self.derived is not None:
            return ("derived", self.derived.key)
        return ("source", self.source_id)


@dataclass
class FactBook:
    """Figures, names, dates and notes for one memo in one language.

    ``dataset`` holds the reference (dictionary, sources, events) and, as ``observations``, the
    stated figures of the memo's topic; ``derived`` the topic's derived figures.
    """

    dataset: Dataset
    language: str
    gettext: Callable[[str], str]
    edition_date: dt.date
    max_age_days: int
    notes: list[Note] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    stale: list[Observation] = field(default_factory=list)
    events_used: list[str] = field(default_factory=list)
    # Note numbers in reading order, from a first rendering (empty: numbered as cited).
    order: dict[NoteKey, int] = field(default_factory=dict)
    # Each data-dependent phrase (``say.*``) with what it was chosen from, for the figure record,
    # so that two editions can be compared statement by statement (memo.render.changes).
    wording: list[dict[str, Any]] = field(default_factory=list)

    # ---- lookup -------------------------------------------------------------------------------
    def find(
        self,
        indicator: str,
        entity: str | None = None,
        counterpart: str = "",
        period: str | None = None,
    ) -> Observation:
        """Return the one observation matching the query; the latest period when none is given."""
        return find(self.figures(), indicator, entity, counterpart, period)

    def figures(self) -> tuple[Observation, ...]:
        """Every figure the memo may show: its topic's stated and derived figures."""
        return (*self.dataset.observations, *self.dataset.derived)

    def series(self, indicator: str, **filters: str) -> list[Observation]:
        """All observations of an indicator matching ``filters``, in data order (for charts)."""
        return [
            o
            for o in self.figures()
            if o.indicator == indicator and all(getattr(o, k) == v for k, v in filters.items())
        ]

    # ---- printing -----------------------------------------------------------------------------
    def text(self, obs: Observation, *, ordinal: bool = False) -> str:
        """The figure as a reader sees it, without its note marker; with ``ordinal``, a figure in
        a unit the dictionary marks ``ordinal`` (a rank) reads "2nd" rather than "2"."""
        unit = self.dataset.dictionary.units.get(obs.unit, fmt.PLAIN)
        if ordinal and unit.ordinal and not obs.is_range and not obs.qualifier:
            return fmt.ordinal(round(obs.value), self.language)
        return fmt.figure(obs, unit, self.language, self.gettext)

    def fact(
        self,
        indicator: str,
        entity: str | None = None,
        counterpart: str = "",
        period: str | None = None,
        *,
        cite: bool = True,
    ) -> Markup:
        """Print a figure with its note marker, and record it."""
        obs = self.find(indicator, entity, counterpart, period)
        return self.show(obs, cite=cite)

    def show(
        self, obs: Observation, *, cite: bool = True, context: str = "text", ordinal: bool = False
    ) -> Markup:
        """Print an already found observation with its note marker, and record it."""
        text = self.text(obs, ordinal=ordinal)
        number = self.cite(obs)
        self.record(obs, text, number, context)
        html = Markup('<span class="fig">{}</span>').format(text)
        if self.is_stale(obs):
            html += Markup('<span class="stale" title="{}">†</span>').format(
                self.gettext("Older than the age limit for figures")
            )
        if cite:
            html += self.marker(number)
        return html

    def marker(self, number: int) -> Markup:
        """A note call: "[3]" on the line, after a no-break space, linked to the numbered note.

        Bracketed and set apart, it cannot be read as part of the figure before it (an exponent,
        a unit, a multiplier), and the line never breaks between the two.
        """
        label = self.gettext("Note {n}").format(n=number)
        return Markup(
            NO_BREAK + '<a class="noteref" href="#note-{n}" aria-label="{label}">[{n}]</a>'
        ).format(n=number, label=label)

    def record(self, obs: Observation, text: str, note: int, context: str) -> None:
        """Keep what was printed for the figure record (JSON)."""
        self.records.append(
            {
                "text": text,
                "context": context,
                "indicator": obs.indicator,
                "entity": obs.entity,
                "counterpart": obs.counterpart,
                "period": obs.period,
                "value": obs.value,
                "low": obs.low,
                "high": obs.high,
                "qualifier": obs.qualifier,
                "unit": obs.unit,
                "row": obs.ref,
                "inputs": list(obs.inputs),
                "sources": list(obs.all_sources),
                "method": obs.method,
                "note": note,
                # How a reader names it, in the memo's language: for sentences about a change.
                "label": self.label(obs.indicator)
                if obs.indicator in self.dataset.dictionary.indicators
                else obs.indicator,
                "who": self.parties(obs),
            }
        )
        if self.is_stale(obs) and obs not in self.stale:
            self.stale.append(obs)

    def stale_mark(self, obs: Observation) -> str:
        """A dagger for a figure older than the age limit, else "" (chart labels: plain text)."""
        return "†" if self.is_stale(obs) else ""

    def is_stale(self, obs: Observation) -> bool:
        """Whether a figure's series has no observation within the age limit.

        A base year in a comparison (trade in 2000 against 2024) is old on purpose; what matters is
        whether the newest figure of its series (same indicator, entity, counterpart) is recent.
        """
        if obs.is_derived:
            return False
        newest = max(
            period_end(o.period)
            for o in self.dataset.observations
            if (o.indicator, o.entity, o.counterpart)
            == (obs.indicator, obs.entity, obs.counterpart)
        )
        return (self.edition_date - newest).days > self.max_age_days

    # ---- notes --------------------------------------------------------------------------------
    def cite(self, obs: Observation) -> int:
        """Return the note number citing ``obs``, adding the note on first use."""
        if obs.is_derived:
            for n in self.notes:
                if n.derived is not None and n.derived.key == obs.key:
                    return n.number
            inputs = []
            for ref in obs.inputs:
                src = self.by_ref(ref)
                if src is not None:
                    inputs.append((self.text(src), self._source_note(src.source)))
            return self._add(Note(0, derived=obs, input_notes=tuple(inputs)))
        return self._source_note(obs.source)

    def cite_source(self, source_id: str) -> int:
        """Return the note number citing a source, adding the note on first use."""
        return self._source_note(source_id)

    def _source_note(self, source_id: str) -> int:
        for n in self.notes:
            if n.derived is None and n.source_id == source_id:
                return n.number
        return self._add(Note(0, source_id=source_id))

    def _add(self, note: Note) -> int:
        """Number a new note (by the reading order, when known) and keep the notes in order."""
        taken = {n.number for n in self.notes} | set(self.order.values())
        number = self.order.get(note.key) or (max(taken, default=0) + 1)
        self.notes.append(dataclasses.replace(note, number=number))
        self.notes.sort(key=lambda n: n.number)
        return number

    def reading_order(self, html: str) -> dict[NoteKey, int]:
        """Note numbers in the order a reader meets them in ``html`` (rendered with this book).

        Calls in the text come first, in document order; then notes reached only from derivation
        notes ("computed from … (note 3)"), after the note that cites them; then any other.
        """
        by_number = {n.number: n for n in self.notes}
        ranked: list[Note] = []
        for number in dict.fromkeys(int(n) for n in _CALL.findall(html)):
            if number in by_number and by_number[number] not in ranked:
                ranked.append(by_number[number])
        i = 0
        while i < len(ranked):
            for _text, number in ranked[i].input_notes:
                if number in by_number and by_number[number] not in ranked:
                    ranked.append(by_number[number])
            i += 1
        ranked += [n for n in self.notes if n not in ranked]
        return {n.key: i for i, n in enumerate(ranked, 1)}

    def restart(self, order: dict[NoteKey, int]) -> None:
        """Forget what was printed, to render the memo again with notes numbered by ``order``."""
        self.notes.clear()
        self.records.clear()
        self.stale.clear()
        self.events_used.clear()
        self.wording.clear()
        self.order = dict(order)

    @staticmethod
    def calls_after_words(html: str) -> str:
        """Move each note call that a word continues ("50% [1]를") to the end of that word."""
        return _CALL_IN_WORD.sub(r"\2\1", html)

    def by_ref(self, ref: str) -> Observation | None:
        """The stated observation at ``data/indicators.csv:LINE``, if it is in this memo's topic."""
        for o in self.dataset.observations:
            if o.ref == ref:
                return o
        return None

    # ---- names and dates ----------------------------------------------------------------------
    def name(self, code: str) -> str:
        """A country's or group's name in the memo's language."""
        entity = self.dataset.dictionary.entities.get(code)
        if entity is None:
            return code
        if self.language != "en" and entity.alpha2:
            names = Locale.parse(self.language).territories
            if entity.alpha2 in names:
                return names[entity.alpha2]
        return self.gettext(entity.name)

    def label(self, indicator: str) -> str:
        """An indicator's label in the memo's language."""
        return self.gettext(self.dataset.dictionary.indicators[indicator].label)

    def who(self, obs: Observation) -> str:
        """Say whom a figure is about, in the direction it runs: "Borduria's investment in
        Arcadia", from the indicator's ``wording: {who: ...}`` in the dictionary, else "Borduria
        with Arcadia". An aggregate counterpart (the world, a group) goes unnamed."""
        entities = self.dataset.dictionary.entities
        aggregate = obs.counterpart in entities and entities[obs.counterpart].is_aggregate
        if obs.counterpart and not aggregate:
            spec = self.dataset.dictionary.indicators.get(obs.indicator)
            pattern = spec.wording.get("who") if spec is not None else None
            # Translators: the default for a figure with a counterpart, in the key figures' Who column.
            pattern = pattern or fmt.N_("{entity} with {counterpart}")
            return self.gettext(pattern).format(
                entity=self.name(obs.entity), counterpart=self.name(obs.counterpart)
            )
        return self.name(obs.entity)

    def parties(self, obs: Observation) -> str:
        """Name an observation's entity and counterpart plainly ("Borduria – Arcadia"), for
        sentences that name the figure's label first ("what changed" in memo.render.changes); an
        aggregate counterpart (the world, a group) goes unnamed."""
        entities = self.dataset.dictionary.entities
        aggregate = obs.counterpart in entities and entities[obs.counterpart].is_aggregate
        if obs.counterpart and not aggregate:
            return self.gettext("{a} – {b}").format(
                a=self.name(obs.entity), b=self.name(obs.counterpart)
            )
        return self.name(obs.entity)

    def event(self, event_id: str, *, cite: bool = True) -> Markup:
        """Print an event's date with its note marker ("22 April 2025")."""
        ev = self._event(event_id)
        html = Markup('<time datetime="{}">{}</time>').format(
            ev.date, fmt.period(ev.date, self.language, self.gettext)
        )
        if cite:
            html += self.marker(self._source_note(ev.source))
        return html

    def event_title(self, event_id: str) -> str:
        """An event's title in the memo's language."""
        return self.gettext(self._event(event_id).title)

    def _event(self, event_id: str) -> Event:
        if event_id not in self.dataset.events:
            raise MissingFigure(f'no event "{event_id}" in data/events.csv')
        if event_id not in self.events_used:
            self.events_used.append(event_id)
        return self.dataset.events[event_id]

    def date(self, d: dt.date) -> str:
        return fmt.date(d, self.language)

    def source_html(self, source_id: str) -> Markup:
        """A full citation: author, title (as published, in its own language), publisher, date, URL."""
        s = self.dataset.sources[source_id]
        parts = []
        if s.author:
            # Authors' names as published, like the title and publisher.
            parts.append(Markup('<span lang="en">{}</span>').format(s.author))
        parts.append(Markup('<cite lang="en">{}</cite>').format(s.title))
        if s.publisher:
            parts.append(Markup('<span lang="en">{}</span>').format(s.publisher))
        if s.date:
            parts.append(escape(fmt.period(s.date, self.language, self.gettext)))
        html = Markup(", ").join(parts)
        if s.url:
            html += Markup(', <a class="url" href="{0}">{0}</a>').format(s.url)
        return html + Markup(".")

    def note_html(self, note: Note) -> Markup:
        """The text of a numbered note: a citation, or how a derived figure was computed."""
        if note.derived is None:
            return self.source_html(note.source_id)
        obs = note.derived
        ind = self.dataset.dictionary.indicators.get(obs.indicator)
        how = self.gettext(ind.derivation) if ind and ind.derivation else ""
        inputs = Markup("; ").join(
            Markup("{} ({})").format(text, self.gettext("note {n}").format(n=n))
            for text, n in note.input_notes
        )
        return Markup("{label}: {value}. {how} {computed}").format(
            label=self.label(obs.indicator),
            value=self.text(obs),
            how=how,
            computed=self.gettext("Computed from {inputs}.").format(inputs=inputs)
            if inputs
            else "",
        )

    def colophon(self) -> str:
        """Say how recent the figures are, and which are older than the age limit."""
        # Targets and forecasts look ahead; they do not say how recent the memo's figures are.
        indicators = self.dataset.dictionary.indicators
        periods = [
            r["period"]
            for r in self.records
            if not (r["indicator"] in indicators and indicators[r["indicator"]].forecast)
        ]
        if not periods:
            return ""
        latest = max(periods, key=sort_key)
        text = self.gettext("Figures in this memo run to {period}.").format(
            period=fmt.period(latest, self.language, self.gettext)
        )
        if self.stale:
            text += " " + self.gettext(
                "Figures marked † are more than {days} days older than the edition date; check for newer data."
            ).format(days=fmt.number(self.max_age_days, self.language, 0))
        return text
