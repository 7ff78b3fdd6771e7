"""Compare two figure records of a memo, figure by figure and statement by statement, and say
what changed in the memo's language.

A figure record (``<memo>.figures.json``, :func:`memo.render.job.figure_record`) lists every figure a
memo shows (value, range, bound, period, sources, and how a reader names it) and every
data-dependent phrase its ``say.*`` calls produced, with what each was chosen from (a rank and the
entities tied with it, a multiple, a direction). :func:`compare` lists what differs between an
earlier record and a later one of the same memo; :func:`statements` turns the changes a reader
should know about into sentences, for the "What's new" box and the e-mail that sends the memo.

Where a figure sits in the data (``row``, ``inputs``: line numbers) and which note cites it are not
compared: deleting a row above it, or a new note before it, changes neither the figure nor what the
memo says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from memo.core.quantity import BoundsError, Quantity, direction
from memo.render import fmt

# Kinds of change.
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
WORDING = "wording"

# What can change in a figure that stays in the memo.
VALUE, RANGE, BOUND, PERIOD, SOURCE, UNIT = "value", "range", "bound", "period", "source", "unit"
# What can change in a phrase.
TEXT, RANK, TIE_MADE, TIE_BROKEN, PEERS = "text", "rank", "tie made", "tie broken", "peers"

# Figures a "What's new" box itself shows: never compared (they are the comparison).
WHATS_NEW = "whats_new"

Figure = Mapping[str, Any]
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Change:
    """One difference between two records of a memo.

    ``kind`` is :data:`CHANGED`, :data:`ADDED` or :data:`REMOVED` for a figure, :data:`WORDING`
    for a phrase (``helper`` names it: standing, fold, change); ``old`` and ``new`` are the record's
    entries (None for a figure added or removed); ``aspects`` say what changed.
    """

    kind: str
    indicator: str
    entity: str
    counterpart: str
    old: Figure | None
    new: Figure | None
    aspects: tuple[str, ...] = ()
    derived: bool = False
    helper: str = ""

    @property
    def series(self) -> tuple[str, str, str]:
        return (self.indicator, self.entity, self.counterpart)

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON (``memo diff --json``)."""
        return {
            "kind": self.kind,
            "helper": self.helper or None,
            "indicator": self.indicator,
            "entity": self.entity,
            "counterpart": self.counterpart,
            "derived": self.derived,
            "aspects": list(self.aspects),
            "old": _public(self.old),
            "new": _public(self.new),
        }


def _public(entry: Figure | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {k: v for k, v in entry.items() if k not in ("note", "contexts")}


def _key(f: Figure) -> Key:
    return (f["indicator"], f["entity"], f.get("counterpart") or "", f["period"])


def _figures(record: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    """Each figure of a record once (a figure shown in the text and a chart is one figure), in the
    order the memo first shows it, with every context it is shown in."""
    out: dict[Key, dict[str, Any]] = {}
    for f in record.get("figures") or ():
        if f.get("context") == WHATS_NEW:
            continue
        key = _key(f)
        if key in out:
            if f.get("context") not in out[key]["contexts"]:
                out[key]["contexts"].append(f.get("context"))
        else:
            out[key] = {**f, "contexts": [f.get("context")]}
    return out


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _is_range(f: Figure) -> bool:
    return f.get("low") is not None and f.get("high") is not None


def _aspects(old: Figure, new: Figure) -> tuple[str, ...]:
    """What differs between two entries of the same figure."""
    found = []
    if _is_range(old) or _is_range(new):
        if not (_same_number(old.get("low"), new.get("low"))) or not _same_number(
            old.get("high"), new.get("high")
        ):
            found.append(RANGE)
    elif not _same_number(old.get("value"), new.get("value")):
        found.append(VALUE)
    if (old.get("qualifier") or "") != (new.get("qualifier") or ""):
        found.append(BOUND)
    if old.get("unit") != new.get("unit"):
        found.append(UNIT)
    if old["period"] != new["period"]:
        found.append(PERIOD)
    if sorted(old.get("sources") or ()) != sorted(new.get("sources") or ()):
        found.append(SOURCE)
    return tuple(found)


def _figure_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    before, after = _figures(old), _figures(new)
    changes: list[Change] = []
    gone = {k: v for k, v in before.items() if k not in after}
    # A figure whose period moved (the latest figure of a series is now a newer one) is the same
    # statement: paired by series when the series has one figure gone and one come.
    gone_by_series: dict[tuple[str, str, str], list[Key]] = {}
    for k in gone:
        gone_by_series.setdefault(k[:3], []).append(k)
    come_by_series: dict[tuple[str, str, str], list[Key]] = {}
    for k in after:
        if k not in before:
            come_by_series.setdefault(k[:3], []).append(k)
    paired: dict[Key, Key] = {}
    for series, keys in come_by_series.items():
        if len(keys) == 1 and len(gone_by_series.get(series, ())) == 1:
            paired[keys[0]] = gone_by_series[series][0]
    for k, f in after.items():
        derived = bool(f.get("method"))
        prior_key = k if k in before else paired.get(k)
        if prior_key is None:
            changes.append(Change(ADDED, *k[:3], None, f, derived=derived))
            continue
        prior = before[prior_key]
        aspects = _aspects(prior, f)
        if aspects:
            changes.append(Change(CHANGED, *k[:3], prior, f, aspects, derived))
    taken = set(paired.values())
    for k, f in gone.items():
        if k not in taken:
            changes.append(Change(REMOVED, *k[:3], f, None, derived=bool(f.get("method"))))
    return changes


def _phrase_key(w: Figure) -> tuple[str, str, str, str]:
    return (w["helper"], w["indicator"], w["entity"], w.get("counterpart") or "")


def _wording_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    before = {_phrase_key(w): w for w in old.get("wording") or ()}
    after = {_phrase_key(w): w for w in new.get("wording") or ()}
    changes = []
    for k, w in after.items():
        prior = before.get(k)
        if prior is None:
            changes.append(Change(WORDING, *k[1:], None, w, ("added",), helper=k[0]))
        elif prior.get("text") != w.get("text"):
            changes.append(
                Change(WORDING, *k[1:], prior, w, _phrase_aspects(prior, w), helper=k[0])
            )
    for k, w in before.items():
        if k not in after:
            changes.append(Change(WORDING, *k[1:], w, None, ("removed",), helper=k[0]))
    return changes


def _phrase_aspects(old: Figure, new: Figure) -> tuple[str, ...]:
    found = [TEXT]
    if old.get("helper") == "standing":
        if old.get("rank") != new.get("rank"):
            found.append(RANK)
        was, now = set(old.get("peers") or ()), set(new.get("peers") or ())
        if was and not now:
            found.append(TIE_BROKEN)
        elif now and not was:
            found.append(TIE_MADE)
        elif was != now:
            found.append(PEERS)
    return tuple(found)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference between an earlier and a later record of one memo: figures changed (value,
    range, bound, period, source, unit), added or removed, stated or derived; then phrases whose
    words changed (a rank that moved, a tie made or broken)."""
    return _figure_changes(old, new) + _wording_changes(old, new)


# ---- in words ------------------------------------------------------------------------------------

_MOVED = {
    # Translators: a figure of the memo changed since the previous edition; {label} is what it
    # measures, {who} the country (or pair), {old} and {new} the figures as printed.
    "rose": fmt.N_("{label} for {who} rose from {old} to {new}."),
    "fell": fmt.N_("{label} for {who} fell from {old} to {new}."),
    "other": fmt.N_("{label} for {who} is now {new}, previously {old}."),
    "period": fmt.N_("{label} for {who} is now {new} ({period}), previously {old} ({old_period})."),
}


@dataclass(frozen=True)
class Statement:
    """A sentence about one change, and the change (whose figure's note it cites)."""

    text: str
    change: Change = field(compare=False)


def _direction(old: Figure, new: Figure) -> str:
    try:
        a = Quantity.from_parts(
            old["value"], old.get("low"), old.get("high"), old.get("qualifier") or ""
        )
        b = Quantity.from_parts(
            new["value"], new.get("low"), new.get("high"), new.get("qualifier") or ""
        )
        return direction(a, b)
    except (BoundsError, ValueError, KeyError, TypeError):
        return "other"


def _names(f: Figure) -> dict[str, str]:
    return {"label": f.get("label") or f["indicator"], "who": f.get("who") or f["entity"]}


def describe(change: Change, gettext: Callable[[str], str], language: str) -> str:
    """One sentence saying what changed, in the language of ``gettext``."""
    _ = gettext
    if change.kind == WORDING:
        if change.helper != "standing":
            raise ValueError(f"no sentence for a change of say.{change.helper}: its figures say it")
        old, new = change.old or {}, change.new or {}
        if TIE_BROKEN in change.aspects:
            return _("{who} is now {new}, no longer tied with {peers}.").format(
                who=new.get("who") or change.entity,
                new=new.get("text", ""),
                peers=_list(old.get("peer_names") or old.get("peers") or (), language),
            )
        return _("{who} is now {new}, previously {old}.").format(
            who=new.get("who") or change.entity, new=new.get("text", ""), old=old.get("text", "")
        )
    if change.kind == ADDED:
        assert change.new is not None
        return _("New in this memo: {label} for {who}, {new}.").format(
            **_names(change.new), new=change.new.get("text", "")
        )
    if change.kind == REMOVED:
        assert change.old is not None
        return _("No longer in this memo: {label} for {who}, previously {old}.").format(
            **_names(change.old), old=change.old.get("text", "")
        )
    old, new = change.old, change.new
    assert old is not None and new is not None
    names = _names(new)
    if change.aspects == (SOURCE,):
        return _("{label} for {who} ({new}) now cites a different source.").format(
            **names, new=new.get("text", "")
        )
    if PERIOD in change.aspects:
        text = _(_MOVED["period"]).format(
            **names,
            new=new.get("text", ""),
            old=old.get("text", ""),
            period=fmt.period(new["period"], language, _),
            old_period=fmt.period(old["period"], language, _),
        )
    else:
        moved = _direction(old, new) if UNIT not in change.aspects else "other"
        message = _MOVED.get(moved, _MOVED["other"])
        text = _(message).format(**names, new=new.get("text", ""), old=old.get("text", ""))
    if SOURCE in change.aspects:
        text += " " + _("Its source has changed.")
    return text


def _list(names: Iterable[str], language: str) -> str:
    from babel.lists import format_list

    return format_list(list(names), locale=language)


def for_readers(changes: list[Change]) -> list[Change]:
    """The changes a reader of the memo should be told, in the order to tell them: figures as
    stated, then the rankings they moved, then derived figures, then figures added and removed.

    A rank that moved or a tie made or broken is told by its phrase ("India is now the
    second-highest …"), not as a number. Other phrases ("rose from … to …", "more than tenfold")
    change only with the figures they state, which are told; a phrase whose words alone changed (a
    new translation, a template reworded) tells a reader nothing about the data.
    """
    phrases = {
        c.series
        for c in changes
        if c.kind == WORDING
        and c.helper == "standing"
        and set(c.aspects) - {TEXT}
        and c.old is not None
        and c.new is not None
    }
    order = {"stated": 0, "standing": 1, "derived": 2, ADDED: 3, REMOVED: 4}
    told: list[tuple[int, int, Change]] = []
    for i, c in enumerate(changes):
        if c.kind == WORDING:
            if c.series not in phrases or c.helper != "standing":
                continue
            rank = order["standing"]
        elif c.series in phrases:
            continue
        elif c.kind in (ADDED, REMOVED):
            rank = order[c.kind]
        else:
            rank = order["derived"] if c.derived else order["stated"]
        told.append((rank, i, c))
    return [c for _rank, _i, c in sorted(told, key=lambda t: (t[0], t[1]))]


def statements(
    changes: list[Change], gettext: Callable[[str], str], language: str
) -> list[Statement]:
    """Sentences for a reader about the changes that matter to them (:func:`for_readers`)."""
    return [Statement(describe(c, gettext, language), c) for c in for_readers(changes)]


def summary(
    old: Mapping[str, Any], new: Mapping[str, Any], gettext: Callable[[str], str], language: str
) -> list[str]:
    """What a reader of ``old`` should be told about ``new``, one sentence per change."""
    return [s.text for s in statements(compare(old, new), gettext, language)]
