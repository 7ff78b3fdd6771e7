"""Read ``data/dictionary.yaml``: units, qualifiers, entities and every indicator, with how each
derived indicator is computed (its ``derive:`` block, checked in full by ``memo.derive.engine``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from memo.core.periods import DEFAULT_SPAN, normal_period
from memo.core.problems import Problem
from memo.core.records import (
    QUALIFIERS,
    DerivationSpec,
    Dictionary,
    Entity,
    IndicatorDef,
    Unit,
)
from memo.ingest.hints import choices, fmt_number
from memo.ingest.schema import YamlDoc, check_yaml, dotted, load_schema

DICTIONARY = "data/dictionary.yaml"
EXACT = "exact"  # the dictionary's name for the empty qualifier
# Parameters of a ``derive:`` block, of any kind, that name a period or an entity code.
PERIOD_PARAMS = ("as_of", "from", "to")
ENTITY_PARAMS = ("counterpart", "as")


def load_dictionary(root: Path) -> tuple[Dictionary | None, list[Problem]]:
    """Read the indicator dictionary; None only if the file can't be parsed at all."""
    doc, problems = check_yaml(root / DICTIONARY, DICTIONARY, load_schema("dictionary"))
    if doc is None or not isinstance(doc.data, dict):
        return None, problems
    # Build what can be built: the schema problems are reported already, and a partial dictionary
    # still lets indicators.csv be checked.
    data = doc.data
    dictionary = Dictionary(
        units=_units(_section(data, "units")),
        qualifiers=_qualifiers(data.get("qualifiers")),
        entities=_entities(_section(data, "entities")),
        indicators=_indicators(
            _section(data, "indicators"),
            {k: doc.line_of(["indicators", k, "derive"]) for k in _section(data, "indicators")},
        ),
        periods=span(data),
    )
    return dictionary, problems + _dictionary_problems(dictionary, doc)


def span(data: Any) -> tuple[int, int]:
    """The years periods may lie in (``periods: {from:, to:}``), defaults where not given."""
    given = data.get("periods") if isinstance(data, dict) else None
    given = given if isinstance(given, dict) else {}
    low, high = (
        value if isinstance(value, int) and not isinstance(value, bool) else default
        for value, default in zip((given.get("from"), given.get("to")), DEFAULT_SPAN, strict=True)
    )
    # Reversed, it would refuse every period: the check of the dictionary reports it instead.
    return (low, high) if low <= high else DEFAULT_SPAN


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """Return a top-level mapping of the dictionary, or {} if it isn't one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _number_or_none(value: Any) -> float | None:
    """Return a YAML number as float; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _units(section: dict[str, Any]) -> dict[str, Unit]:
    return {
        str(uid): Unit(
            id=str(uid),
            label=str(u.get("label", uid)),
            symbol=str(u.get("symbol") or ""),
            min=_number_or_none(u.get("min")),
            max=_number_or_none(u.get("max")),
            format=str(u.get("format") or "{n}"),
            decimals=int(u["decimals"]) if isinstance(u.get("decimals"), int) else 1,
            scale=_number_or_none(u.get("scale")),
            ordinal=u.get("ordinal") is True,
        )
        for uid, u in section.items()
        if isinstance(u, dict)
    }


def _qualifiers(value: Any) -> dict[str, str]:
    """Read qualifiers given as a list of ids or as a mapping id -> meaning."""
    if isinstance(value, list):
        value = dict.fromkeys(value, "")
    if not isinstance(value, dict):
        return dict.fromkeys(QUALIFIERS, "")
    # The dictionary may name the empty qualifier ("as stated") `exact`, since YAML keys can't
    # comfortably be empty; in indicators.csv it is still written as an empty cell.
    return {("" if k in (None, EXACT) else str(k)): str(v or "") for k, v in value.items()}


def _entities(section: dict[str, Any]) -> dict[str, Entity]:
    return {
        str(code): Entity(
            code=str(code),
            name=str(e.get("name", code)),
            alpha2=str(e.get("alpha2") or ""),
            kind=str(e.get("kind") or "country"),
        )
        for code, e in section.items()
        if isinstance(e, dict)
    }


def _indicators(section: dict[str, Any], lines: dict[str, int]) -> dict[str, IndicatorDef]:
    out = {}
    for iid, d in section.items():
        if not isinstance(d, dict):
            continue
        bounds = d.get("range")
        range_ = None
        if isinstance(bounds, list) and len(bounds) == 2:
            lo, hi = (_number_or_none(b) for b in bounds)
            range_ = (lo, hi) if lo is not None and hi is not None else None
        out[str(iid)] = IndicatorDef(
            id=str(iid),
            label=str(d.get("label", iid)),
            unit=str(d.get("unit", "")),
            description=str(d.get("description", "")),
            range=range_,
            derived=d.get("derived") is True or isinstance(d.get("derive"), dict),
            derivation=str(d.get("derivation") or ""),
            spec=_spec(d.get("derive"), set(section), lines.get(str(iid), 0)),
            forecast=d.get("forecast") is True,
            wording={
                str(k): str(v) for k, v in (d.get("wording") or {}).items() if isinstance(v, str)
            },
            line=lines.get(str(iid), 0),
        )
    return out


def _spec(value: Any, indicators: set[str], line: int) -> DerivationSpec | None:
    """Read a ``derive:`` block: its kind, its parameters, and the indicators it names."""
    if not isinstance(value, dict):
        return None
    params = {str(k): v for k, v in value.items() if k != "kind"}
    for key in PERIOD_PARAMS:
        if isinstance(params.get(key), str):
            params[key] = normal_period(params[key])
    inputs = tuple(
        dict.fromkeys(v for v in params.values() if isinstance(v, str) and v in indicators)
    )
    return DerivationSpec(str(value.get("kind", "")), params, inputs, line)


def _dictionary_problems(dictionary: Dictionary, doc: YamlDoc) -> list[Problem]:
    """Check what the schema can't: units exist, ranges are ordered, qualifiers are known."""
    problems = []

    def add(path: list[str | int], problem: str, hint: str = "") -> None:
        problems.append(Problem(DICTIONARY, doc.line_of(path), dotted(path), problem, hint))

    given = doc.data.get("periods") if isinstance(doc.data.get("periods"), dict) else {}
    low, high = given.get("from"), given.get("to")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        add(["periods", "from"], f"from {low} is after to {high}", "swap them")
    for unit in dictionary.units.values():
        if unit.min is not None and unit.max is not None and unit.min > unit.max:
            add(
                ["units", unit.id, "min"],
                f"min {fmt_number(unit.min)} is above max {fmt_number(unit.max)}",
                "swap them, or leave min or max empty for no bound",
            )
    for ind in dictionary.indicators.values():
        if dictionary.units and ind.unit and ind.unit not in dictionary.units:
            add(
                ["indicators", ind.id, "unit"],
                f"unit '{ind.unit}' is not in units",
                choices(ind.unit, dictionary.units),
            )
        if ind.range and ind.range[0] > ind.range[1]:
            lo, hi = ind.range
            add(
                ["indicators", ind.id, "range"],
                f"range min {fmt_number(lo)} is above max {fmt_number(hi)}",
                f"write [{fmt_number(hi)}, {fmt_number(lo)}]",
            )
    for qualifier in dictionary.qualifiers:
        # The renderer phrases each qualifier ("about 50", "약 50"); an unknown one has no wording.
        if qualifier not in QUALIFIERS:
            add(
                ["qualifiers", qualifier],
                f"qualifier '{qualifier}' is not one memo knows how to word",
                "known: " + ", ".join(q or '""' for q in QUALIFIERS),
            )
    return problems
