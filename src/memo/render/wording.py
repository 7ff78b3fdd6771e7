"""Choose the words that depend on the data ("tied with Carpania for the largest", "more than
tenfold", "rose from … to …"), for any indicator.

Templates call these through ``say``; each returns translated Markup with the figures cited, so a
change in the data changes the wording, and the choice is tested here rather than in Jinja. What a
rank is called ("highest", "source of foreign investment") comes from the rank indicator's
``wording:`` in data/dictionary.yaml, never from this module.
"""

from __future__ import annotations

import math

from babel.lists import format_list
from markupsafe import Markup, escape

from memo.core.lookup import MissingFigure
from memo.core.periods import sort_key
from memo.core.quantity import direction, significant_digits, supported_floor
from memo.core.records import Observation
from memo.render import fmt
from memo.render.facts import FactBook

# English number words for multiples a reader takes in at a glance; above these, digits.
_FOLD = {
    2: "twofold",
    3: "threefold",
    4: "fourfold",
    5: "fivefold",
    6: "sixfold",
    7: "sevenfold",
    8: "eightfold",
    9: "ninefold",
    10: "tenfold",
    20: "twentyfold",
    100: "a hundredfold",
}

_STANDING = {
    # (rank 1, tied): message
    (True, False): fmt.N_("the {superlative} {subject}"),
    (True, True): fmt.N_("tied with {peers} for the {superlative} {subject}"),
    (False, False): fmt.N_("the {ordinal}-{superlative} {subject}"),
    (False, True): fmt.N_("tied with {peers} for the {ordinal}-{superlative} {subject}"),
}


class Wording:
    """Data-dependent phrases for one memo, in its language."""

    def __init__(self, book: FactBook) -> None:
        self.book = book
        self._ = book.gettext

    def _fmt(self, message: str, **kw: object) -> Markup:
        """Translate ``message`` and fill it with escaped (or already safe) values."""
        return Markup(escape(self._(message)).format(**{k: v for k, v in kw.items()}))

    def _cited(self, obs: Observation) -> Markup:
        """Record a figure the wording rests on and return its note marker."""
        number = self.book.cite(obs)
        self.book.record(obs, self.book.text(obs), number, "wording")
        return self.book.marker(number)

    def who(self, obs: Observation) -> str:
        """Say whom a figure is about, in the direction it runs (memo.render.facts.FactBook.who)."""
        return self.book.who(obs)

    def _log(self, helper: str, obs: Observation, text: str, **inputs: object) -> None:
        """Keep a phrase and what it was chosen from in the figure record (``wording``), so that
        two editions can be compared statement by statement."""
        self.book.wording.append(
            {
                "helper": helper,
                "indicator": obs.indicator,
                "entity": obs.entity,
                "counterpart": obs.counterpart,
                "period": obs.period,
                "text": text,
                "label": self.book.label(obs.indicator),
                "who": self.book.parties(obs),
                **inputs,
            }
        )

    def standing(self, indicator: str, entity: str, counterpart: str = "") -> Markup:
        """Where an entity ranks by a rank indicator: alone or tied (and with whom), first or n-th.

        "tied with Carpania for the largest source of investment", "the third-largest …".
        Peers are the entities holding the same rank in the same ranking (indicator, counterpart
        and date); the words come from the indicator's ``wording:`` in the dictionary.
        """
        rank = self.book.find(indicator, entity, counterpart)
        peers = [
            o.entity
            for o in self.book.series(indicator, counterpart=rank.counterpart, period=rank.period)
            if o.value == rank.value and o.entity != entity
        ]
        spec = self.book.dataset.dictionary.indicators[indicator]
        words = spec.wording
        if not words.get("subject"):
            raise MissingFigure(
                f"say.standing needs the words for {indicator}: add wording: {{superlative: "
                "highest, subject: ...}} to it in data/dictionary.yaml"
            )
        n = int(rank.value)
        message = _STANDING[(n == 1, bool(peers))]
        peer_names = [self.book.name(p) for p in peers]
        phrase = self._fmt(
            message,
            # "Brazil and China", "브라질 및 중국": the language's own way of listing names.
            peers=format_list(peer_names, locale=self.book.language) if peers else "",
            superlative=self._(words.get("superlative") or "highest"),
            subject=self._(words["subject"]),
            ordinal=fmt.ordinal(n, self.book.language, words=True),
            rank=n,
        )
        self._log(
            "standing",
            rank,
            phrase.unescape(),
            rank=n,
            peers=sorted(peers),
            peer_names=peer_names,
        )
        return phrase + self._cited(rank)

    def fold(self, indicator: str, entity: str, counterpart: str = "") -> Markup:
        """A multiple as a reader says it ("more than tenfold"), cited, never more precise than its
        inputs: an input stated as "about 20" supports one significant digit, so 10.6 is "more
        than tenfold", and a base of "about 0.5" can never give "173-fold"."""
        obs = self.book.find(indicator, entity, counterpart)
        x = obs.low if obs.low is not None else obs.value
        digits = self._supported_digits(obs)
        n = math.floor(supported_floor(x, digits) + 1e-9) if digits else math.floor(x + 1e-9)
        if not math.isfinite(x) or n < 2:
            raise MissingFigure(
                f"{indicator} for {entity}/{counterpart or '-'} is {fmt.number(x, 'en')}: no "
                "n-fold wording for a multiple below 2; show the figure with fact() instead"
            )
        exact = abs(x - n) <= 1e-9 and obs.qualifier == ""
        if self.book.language == "en" and n in _FOLD:
            word = _FOLD[n]
        else:
            word = self._("{n}-fold").format(n=fmt.number(n, self.book.language, 0))
        phrase = escape(word) if exact else self._fmt("more than {fold}", fold=word)
        self._log("fold", obs, Markup(phrase).unescape(), multiple=n, exact=exact)
        return Markup(phrase) + self._cited(obs)

    def _supported_digits(self, obs: Observation) -> int:
        """Significant digits the approximate inputs of a derived figure support (0: no limit)."""
        digits = []
        for ref in obs.inputs:
            source = self.book.by_ref(ref)
            if source is not None and source.qualifier in ("about", "nearly"):
                digits.append(significant_digits(format(source.value, "g")))
        return min(digits) if digits else 0

    def change(self, indicator: str, entity: str, counterpart: str = "") -> Markup:
        """How a series moved between its first and last periods: "rose from X in 2021 to Y in 2025"."""
        rows = sorted(
            self.book.series(indicator, entity=entity, counterpart=counterpart),
            key=lambda o: sort_key(o.period),
        )
        if len(rows) < 2:
            raise MissingFigure(
                f"say.change needs two periods of {indicator} for {entity}/{counterpart or '-'}, "
                f"found {len(rows)}"
            )
        first, last = rows[0], rows[-1]
        verb = direction(first.quantity, last.quantity)
        msg = {
            "rose": fmt.N_("rose from {old} in {y0} to {new} in {y1}"),
            "fell": fmt.N_("fell from {old} in {y0} to {new} in {y1}"),
            "unchanged": fmt.N_("stayed at {new} from {y0} to {y1}"),
        }[verb]
        y0 = fmt.period(first.period, self.book.language, self._)
        y1 = fmt.period(last.period, self.book.language, self._)
        text = self._(msg).format(old=self.book.text(first), new=self.book.text(last), y0=y0, y1=y1)
        self._log("change", last, text, direction=verb, first=first.period)
        return self._fmt(
            msg,
            old=self.book.show(first),
            new=self.book.show(last),
            y0=y0,
            y1=y1,
        )
