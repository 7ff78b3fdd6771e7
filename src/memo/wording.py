"""Choose the words that depend on the data ("tied for the highest", "more than tenfold", "rose").

Templates call these through ``say``; each returns translated Markup with the figures cited, so a
change in the data changes the wording, and the choice is tested here rather than in Jinja.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from memo import compare, fmt
from memo.facts import FactBook
from memo.model import Observation

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
}


class Wording:
    """Data-dependent phrases for one memo, in its language."""

    def __init__(self, book: FactBook) -> None:
        self.book = book
        self._ = book.gettext

    def _fmt(self, message: str, **kw: object) -> Markup:
        """Translate ``message`` and fill it with escaped (or already safe) values."""
        return Markup(escape(self._(message)).format(**{k: v for k, v in kw.items()}))

    def who(self, obs: Observation) -> str:
        """Name an observation's entity and counterpart ("India – China")."""
        if obs.counterpart and obs.counterpart != "WLD":
            return self._("{a} – {b}").format(
                a=self.book.name(obs.entity), b=self.book.name(obs.counterpart)
            )
        return self.book.name(obs.entity)

    def tariff_standing(self, entity: str = "IND") -> Markup:
        """Where a country's US tariff rate ranks: tied or alone, highest or n-th, and with whom."""
        rank_obs = self.book.find("us_tariff_rank", entity)
        peers = [
            o.entity
            for o in self.book.series("us_tariff_rank")
            if o.value == rank_obs.value and o.entity != entity
        ]
        names = ", ".join(self.book.name(p) for p in peers)
        marker = self.book.marker(self.book.cite(rank_obs))
        self.book.record(rank_obs, self.book.text(rank_obs), self.book.cite(rank_obs), "wording")
        if rank_obs.value == 1 and peers:
            phrase = self._fmt(
                "tied with {peers} for the highest US tariff rate on any country", peers=names
            )
        elif rank_obs.value == 1:
            phrase = self._fmt("the highest US tariff rate on any country")
        else:
            phrase = self._fmt(
                "ranked {rank} among the countries compared", rank=self.book.text(rank_obs)
            )
        return phrase + marker

    def fold(self, indicator: str, entity: str, counterpart: str = "") -> Markup:
        """A multiple as a reader says it: "more than tenfold", cited."""
        obs = self.book.find(indicator, entity, counterpart)
        n = compare.multiple_band(obs.low if obs.low is not None else obs.value)[1]
        marker = self.book.marker(self.book.cite(obs))
        self.book.record(obs, self.book.text(obs), self.book.cite(obs), "wording")
        if self.book.language == "en" and n in _FOLD:
            word = _FOLD[n]
        else:
            word = self._("{n}-fold").format(n=n)
        return self._fmt("more than {fold}", fold=word) + marker

    def change(self, indicator: str, entity: str, counterpart: str = "") -> Markup:
        """How a share moved between its first and last periods: "rose from X in 2021 to Y in 2025"."""
        rows = sorted(
            self.book.series(indicator, entity=entity, counterpart=counterpart),
            key=lambda o: o.period,
        )
        first, last = rows[0], rows[-1]
        verb = compare.direction(first, last)
        msg = {
            "rose": fmt.N_("rose from {old} in {y0} to {new} in {y1}"),
            "fell": fmt.N_("fell from {old} in {y0} to {new} in {y1}"),
            "unchanged": fmt.N_("stayed at {new} from {y0} to {y1}"),
        }[verb]
        return self._fmt(
            msg,
            old=self.book.show(first),
            new=self.book.show(last),
            y0=fmt.period(first.period, self.book.language, self._),
            y1=fmt.period(last.period, self.book.language, self._),
        )
