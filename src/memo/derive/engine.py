"""Compute every derived indicator the dictionary declares, for every topic, as one table.

For each topic (``config/memos.yaml`` ``topics:``; one covering everything when none is declared)
the stated figures it covers are taken, and each derived indicator is computed by its kind
(``memo.derive.kinds``) in dependency order, so a derived indicator may read another. Problems are
reported at the line of the ``derive:`` block in ``data/dictionary.yaml``, all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from memo.core.periods import PERIOD_FORMS, period_error
from memo.core.problems import Problem
from memo.core.records import EVERYTHING, Dataset, Dictionary, IndicatorDef, Topic
from memo.derive.frame import FIGURE_COLUMNS, figure_columns, observations_frame, with_end
from memo.derive.kinds import KINDS, Context
from memo.derive.store import FIGURES
from memo.ingest.dictionary import DICTIONARY, ENTITY_PARAMS, PERIOD_PARAMS
from memo.ingest.hints import choices, period_hint


def context(dictionary: Dictionary) -> Context:
    return Context(
        labels={i: d.label for i, d in dictionary.indicators.items()},
        names={c: e.name for c, e in dictionary.entities.items()},
        aggregates=frozenset(c for c, e in dictionary.entities.items() if e.is_aggregate),
    )


def _where(ind: IndicatorDef, *key: str) -> str:
    return ".".join(("indicators", ind.id, "derive", *key))


def check_specs(dictionary: Dictionary) -> list[Problem]:
    """Check every ``derive:`` block: a known kind, its parameters, and the indicators it names."""
    problems: list[Problem] = []
    for ind in dictionary.indicators.values():
        spec = ind.spec
        if spec is None:
            continue

        def add(key: str, what: str, hint: str = "", spec=spec, ind=ind) -> None:
            problems.append(Problem(DICTIONARY, spec.line, _where(ind, key), what, hint))

        kind = KINDS.get(spec.kind)
        if kind is None:
            add("kind", f"unknown derivation kind '{spec.kind}'", choices(spec.kind, KINDS))
            continue
        allowed = set(kind.indicators) | set(kind.options)
        for key in spec.params:
            if key not in allowed:
                add(key, f"'{key}' is not a parameter of kind {spec.kind}", choices(key, allowed))
        for key in (*kind.indicators, *kind.required):
            if key not in spec.params:
                add(key, f"kind {spec.kind} needs '{key}'", f"add {key}: to the derive block")
        for key in kind.indicators:
            name = spec.params.get(key)
            if name is None:
                continue
            if not isinstance(name, str) or name not in dictionary.indicators:
                add(
                    key,
                    f"'{name}' is not an indicator",
                    choices(str(name), dictionary.indicators, fallback="an id from indicators:"),
                )
            elif name == ind.id:
                add(key, f"{ind.id} cannot be derived from itself")
        for key, allowed_values in kind.options.items():
            value = spec.params.get(key)
            if value is None:
                continue
            if isinstance(allowed_values, tuple) and value not in allowed_values:
                add(key, f"'{value}' is not allowed here", "allowed: " + ", ".join(allowed_values))
            elif allowed_values is str and not isinstance(value, str):
                add(key, f"expected text, found {value!r}", "quote it")
            elif key in PERIOD_PARAMS:
                error = period_error(value, span=dictionary.periods)
                if error:
                    add(key, error, period_hint(value, PERIOD_FORMS, error))
            elif key in ENTITY_PARAMS and value not in dictionary.entities:
                hint = choices(value, dictionary.entities, fallback="an entity code from entities:")
                add(key, f"unknown entity code '{value}'", hint)
    return problems + _cycles(dictionary)


def _cycles(dictionary: Dictionary) -> list[Problem]:
    """Derived indicators that depend on themselves through others."""
    problems = []
    for ind in dictionary.indicators.values():
        # Derived from itself directly: check_specs says so at the parameter.
        seen, todo = set(), [name for name in ind.inputs if name != ind.id]
        while todo:
            name = todo.pop()
            if name == ind.id:
                problems.append(
                    Problem(
                        DICTIONARY,
                        ind.spec.line if ind.spec else ind.line,
                        _where(ind),
                        f"{ind.id} depends on itself through its inputs",
                        "derive it from stated indicators",
                    )
                )
                break
            if name in seen:
                continue
            seen.add(name)
            dep = dictionary.indicators.get(name)
            todo.extend(dep.inputs if dep else ())
    return problems


def order(dictionary: Dictionary) -> list[IndicatorDef]:
    """Derived indicators with a spec, each after the derived indicators it reads."""
    pending = {i: d for i, d in dictionary.indicators.items() if d.spec is not None}
    done: list[IndicatorDef] = []
    while pending:
        ready = [d for d in pending.values() if not any(x in pending for x in d.inputs)]
        if not ready:  # a cycle: check_specs reports it
            break
        for d in sorted(ready, key=lambda d: d.id):
            done.append(d)
            del pending[d.id]
    return done


def in_topic(frame: pd.DataFrame, topic: Topic) -> pd.DataFrame:
    """The stated figures a topic covers (its entities and periods)."""
    if topic.entities is None and not topic.start and not topic.end:
        return frame
    mask = [
        topic.covers(e, c, p)
        for e, c, p in zip(frame["entity"], frame["counterpart"], frame["period"], strict=True)
    ]
    return frame[mask]


def derive_topic(
    stated: pd.DataFrame, dictionary: Dictionary, topic: Topic
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every derived indicator for one topic; the table of derived figures and the problems."""
    ctx = context(dictionary)
    scope = in_topic(stated, topic)
    # Each indicator's rows, cut from the table when a derivation first asks for them.
    rows: dict[str, list[int]] = {}
    for i, indicator in enumerate(scope["indicator"]):
        rows.setdefault(indicator, []).append(i)
    tables: dict[str, pd.DataFrame] = {}
    out: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for ind in order(dictionary):
        spec = ind.spec
        assert spec is not None
        for name in ind.inputs:
            if name not in tables:
                tables[name] = scope.iloc[rows.get(name, [])]
        inputs = {name: tables[name] for name in ind.inputs}
        result = KINDS[spec.kind].compute(spec.params, inputs, ctx)
        where = _where(ind)
        about = f" (topic {topic.id})" if topic.id else ""
        for what in result.problems:
            problems.append(Problem(DICTIONARY, spec.line, where, what + about))
        cols = figure_columns(result.figures)
        derived = pd.DataFrame(
            {
                "topic": topic.id,
                "indicator": ind.id,
                "entity": result.keys["entity"].to_numpy(),
                "counterpart": result.keys["counterpart"].to_numpy(),
                "period": result.keys["period"].to_numpy(),
                "value": cols["value"],
                "low": cols["low"],
                "high": cols["high"],
                "qualifier": cols["qualifier"],
                "unit": ind.unit,
                "source": "",
                "note": "",
                "path": FIGURES,
                "line": 0,
                "inputs": pd.Series(result.inputs, dtype=object),
                "sources": pd.Series(result.sources, dtype=object),
                "method": result.method,
            },
            columns=list(FIGURE_COLUMNS),
        )
        bad = [i for i, e in enumerate(cols["error"]) if e]
        for i in bad:
            refs = ", ".join(result.inputs[i])
            problems.append(
                Problem(
                    DICTIONARY,
                    spec.line,
                    where,
                    f"{cols['error'][i]}{about}",
                    f"from {refs}" if refs else "",
                )
            )
        if bad:
            derived = derived.drop(index=bad).reset_index(drop=True)
        derived = with_end(derived)
        tables[ind.id] = derived
        out.append(derived)
    frame = pd.concat(out, ignore_index=True) if out else with_end(stated.iloc[0:0])
    return frame, problems


def derive_all(
    dataset: Dataset, topics: Sequence[Topic] = (EVERYTHING,)
) -> tuple[pd.DataFrame, list[Problem]]:
    """Every derived indicator for every topic, with the problems of all of them."""
    stated = observations_frame(dataset.observations)
    frames, problems = [], check_specs(dataset.dictionary)
    if problems:
        return stated.iloc[0:0], problems
    for topic in topics or (EVERYTHING,):
        frame, more = derive_topic(stated, dataset.dictionary, topic)
        frames.append(frame)
        problems += more
    derived = pd.concat(frames, ignore_index=True) if frames else stated.iloc[0:0]
    return derived, _unique(problems)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
