"""Load and check config/config.yaml and config/memos.yaml: the edition, its topics, its charts
and the memo definitions. Each file is parsed once (with the line of every key, for messages)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from memo.core.periods import DEFAULT_SPAN, PERIOD_FORMS, normal_period, period_error
from memo.core.problems import DataError, Problem
from memo.core.records import EVERYTHING, Topic
from memo.ingest.edition import MEMOS, ChartSpec, Edition, KeyFigure, MemoDef
from memo.ingest.yamlfile import YamlDoc

SCHEMAS = Path(__file__).parent / "schemas"
CONFIG = "config/config.yaml"


def _read(root: Path, rel: str) -> tuple[YamlDoc | None, list[Problem]]:
    from memo.ingest.schema import check_yaml

    name = Path(rel).name.replace(".yaml", ".schema.yaml")
    return check_yaml(root / rel, rel, SCHEMAS / name)


def check(root: Path) -> list[Problem]:
    """Check both config files against their schemas and against the data and templates."""
    try:
        load_edition(root)
    except DataError as e:
        return list(e.problems)
    return []


def load_edition(
    root: Path,
    known_indicators: set[str] | None = None,
    span: tuple[int, int] | None = None,
    known_entities: set[str] | None = None,
) -> Edition:
    """Load config.yaml and memos.yaml, raising DataError with every problem found.

    ``known_indicators``, ``span`` (the years periods may lie in) and ``known_entities`` come from
    the dictionary; when not given, it is read for them without being checked (the data check
    does that)."""
    cfg_doc, problems = _read(root, CONFIG)
    memos_doc, more = _read(root, MEMOS)
    problems += more
    if problems or cfg_doc is None or memos_doc is None:
        raise DataError(problems)
    cfg = cfg_doc.data
    if known_indicators is None or span is None or known_entities is None:
        facts = _dictionary_facts(root)
        known_indicators = facts[0] if known_indicators is None else known_indicators
        span = facts[1] if span is None else span
        known_entities = facts[2] if known_entities is None else known_entities
    edition_date = _date(cfg["edition"]["date"], span)
    if isinstance(edition_date, str):
        line = cfg_doc.line_of(["edition", "date"])
        raise DataError(
            [Problem(CONFIG, line, "edition.date", edition_date, _date_hint(edition_date))]
        )
    topics = _topics(memos_doc, span, known_entities, problems)
    charts = _charts(memos_doc, known_indicators, problems)
    defs = _memos(
        root, memos_doc, cfg, edition_date, topics, charts, known_indicators, span, problems
    )
    if problems:
        raise DataError(problems)
    return Edition(
        date=edition_date,
        publisher=cfg["edition"]["publisher"],
        max_age_days=cfg["freshness"]["max_age_days"],
        marking=cfg["marking"],
        base_url=cfg.get("base_url", ""),
        memos=tuple(defs),
        translations_pending=(cfg.get("translations") or {}).get("pending", "fail"),
        keep_editions=(cfg.get("editions") or {}).get("keep", 3),
        keep_records=(cfg.get("editions") or {}).get("keep_records", 52),
        topics=tuple(topics.values()),
        charts=tuple(charts.values()),
    )


def _date(text: str, span: tuple[int, int]) -> dt.date | str:
    """An edition date (YYYY-MM-DD, the schema's pattern) within the years of ``span``, or why not."""
    error = period_error(text, quarters=False, span=span)
    return error or dt.date.fromisoformat(text)


def _date_hint(error: str) -> str:
    from memo.ingest.hints import period_hint

    return (
        period_hint("", "YYYY-MM-DD", error) if "outside the years" in error else "write YYYY-MM-DD"
    )


def _period_problem(text: str, span: tuple[int, int]) -> tuple[str, str]:
    """(problem, hint) of a period in the config, or ("", "") when it is a period within ``span``."""
    from memo.ingest.hints import period_hint

    error = period_error(text, span=span)
    if not error:
        return "", ""
    return error, period_hint(text, PERIOD_FORMS, error)


def _topics(
    doc: YamlDoc, span: tuple[int, int], known_entities: set[str], problems: list[Problem]
) -> dict[str, Topic]:
    """The topics memos are about; none declared means one topic covering everything. Each
    entity a topic names must be in the dictionary: a misspelt code would silently leave that
    entity's figures out of every memo of the topic."""
    out: dict[str, Topic] = {}
    for tid, t in (doc.data.get("topics") or {}).items():
        for k, code in enumerate(t.get("entities") or () if known_entities else ()):
            if code not in known_entities:
                problems.append(
                    Problem(
                        MEMOS,
                        doc.line_of(["topics", tid, "entities", k]),
                        f"topics.{tid}.entities[{k}]",
                        f"unknown entity code '{code}'",
                        _suggest(code, known_entities, "add it to data/dictionary.yaml entities:"),
                    )
                )
        periods = {k: normal_period(str(v)) for k, v in (t.get("periods") or {}).items() if v}
        for key, value in periods.items():
            error, hint = _period_problem(value, span)
            if error:
                problems.append(
                    Problem(
                        MEMOS,
                        doc.line_of(["topics", tid, "periods", key]),
                        f"topics.{tid}.periods.{key}",
                        error,
                        hint,
                    )
                )
        entities = t.get("entities")
        out[tid] = Topic(
            id=tid,
            entities=frozenset(entities) if entities is not None else None,
            start=periods.get("from", ""),
            end=periods.get("to", ""),
            line=doc.line_of(["topics", tid]),
        )
    return out


def _charts(
    doc: YamlDoc, known_indicators: set[str], problems: list[Problem]
) -> dict[str, ChartSpec]:
    """The charts memos may show; their kinds and parameters are checked by memo.render.charts."""
    out: dict[str, ChartSpec] = {}
    for cid, c in (doc.data.get("charts") or {}).items():
        params = {k: v for k, v in c.items() if k not in ("kind", "title", "caption", "alt")}
        # Periods in their normal form, like every period read (2025-q2 is 2025-Q2).
        if isinstance(params.get("period"), str):
            params["period"] = normal_period(params["period"])
        if isinstance(params.get("periods"), list):
            params["periods"] = [
                normal_period(p) if isinstance(p, str) else p for p in params["periods"]
            ]
        spec = ChartSpec(
            id=cid,
            kind=c["kind"],
            params=params,
            title=c["title"],
            caption=c.get("caption", ""),
            alt=c.get("alt", ""),
            line=doc.line_of(["charts", cid]),
            lines={str(k): doc.line_of(["charts", cid, k]) for k in c},
        )
        for key in [k for k in spec.params if k.startswith("indicator")]:
            name = spec.params[key]
            if known_indicators and name not in known_indicators:
                problems.append(
                    Problem(
                        MEMOS,
                        doc.line_of(["charts", cid, key]),
                        f"charts.{cid}.{key}",
                        f'unknown indicator "{name}"',
                        _suggest(str(name), known_indicators, "see data/dictionary.yaml"),
                    )
                )
        out[cid] = spec
    return out


def _suggest(word: str, known: set[str], fallback: str) -> str:
    from memo.ingest.hints import choices

    return choices(word, sorted(known), fallback=fallback)


def _memos(
    root: Path,
    doc: YamlDoc,
    cfg: dict[str, Any],
    edition_date: dt.date,
    topics: dict[str, Topic],
    charts: dict[str, ChartSpec],
    known_indicators: set[str],
    span: tuple[int, int],
    problems: list[Problem],
) -> list[MemoDef]:
    memos = doc.data
    audiences = memos["audiences"]
    defs: list[MemoDef] = []
    seen: set[str] = set()
    for i, m in enumerate(memos["memos"]):
        where = f"memos[{i}]"

        def add(key: list[str | int], what: str, hint: str, i: int = i, where: str = where) -> None:
            name = where + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key)
            problems.append(Problem(MEMOS, doc.line_of(["memos", i, *key]), name, what, hint))

        if m["id"] in seen:
            add(["id"], f'duplicate memo id "{m["id"]}"', "ids are unique")
        seen.add(m["id"])
        if m["audience"] not in audiences:
            add(
                ["audience"],
                f'unknown audience "{m["audience"]}"',
                "known: " + ", ".join(sorted(audiences)),
            )
        if not (root / "templates" / m["template"]).is_file():
            add(
                ["template"],
                f'template "{m["template"]}" does not exist',
                "templates/: "
                + ", ".join(sorted(p.name for p in (root / "templates").glob("*.html.j2"))),
            )
        topic = EVERYTHING
        if "topic" in m:
            if m["topic"] in topics:
                topic = topics[m["topic"]]
            else:
                add(
                    ["topic"],
                    f'unknown topic "{m["topic"]}"',
                    _suggest(m["topic"], set(topics), "declare it under topics:"),
                )
        elif topics:
            add(["id"], "memo names no topic", "known topics: " + ", ".join(sorted(topics)))
        specs = []
        for j, cid in enumerate(m["charts"]):
            if cid in charts:
                specs.append(charts[cid])
            else:
                add(
                    ["charts", j],
                    f'unknown chart "{cid}"',
                    _suggest(cid, set(charts), "declare it under charts:"),
                )
        for j, kf in enumerate(m["key_figures"]):
            if known_indicators and kf["indicator"] not in known_indicators:
                add(
                    ["key_figures", j, "indicator"],
                    f'unknown indicator "{kf["indicator"]}"',
                    _suggest(kf["indicator"], known_indicators, "see data/dictionary.yaml"),
                )
            if kf.get("period"):
                kf["period"] = normal_period(kf["period"])
                error, hint = _period_problem(kf["period"], span)
                if error:
                    add(["key_figures", j, "period"], error, hint)
        lo, hi = m["pages"]
        if lo > hi:
            add(["pages"], f"min {lo} is above max {hi}", "write [min, max]")
        memo_date = _date(m.get("edition_date", cfg["edition"]["date"]), span)
        if isinstance(memo_date, str):
            add(["edition_date"], memo_date, _date_hint(memo_date))
            memo_date = edition_date
        defs.append(
            MemoDef(
                id=m["id"],
                audience=m["audience"],
                audience_label=audiences.get(m["audience"], {}).get("label", m["audience"]),
                title=m["title"],
                subtitle=m.get("subtitle", ""),
                description=m.get("description", ""),
                keywords=tuple(m.get("keywords", ())),
                template=m["template"],
                languages=tuple(m["languages"]),
                sections=tuple(m["sections"]),
                key_figures=tuple(
                    KeyFigure(
                        indicator=k["indicator"],
                        entity=k.get("entity"),
                        counterpart=k.get("counterpart", ""),
                        period=k.get("period"),
                        label=k.get("label", ""),
                        line=doc.line_of(["memos", i, "key_figures", j]),
                    )
                    for j, k in enumerate(m["key_figures"])
                ),
                charts=tuple(m["charts"]),
                pages=(lo, hi),
                marking=m.get("marking", cfg["marking"]),
                author=m.get("author", cfg["edition"]["publisher"]),
                edition_date=memo_date,
                topic=topic,
                chart_specs=tuple(specs),
                paper=m.get("paper") or audiences.get(m["audience"], {}).get("paper") or "A4",
                line=doc.line_of(["memos", i]),
            )
        )
    return defs


def _dictionary_facts(root: Path) -> tuple[set[str], tuple[int, int], set[str]]:
    """Indicator ids of the dictionary, the years periods may lie in and the entity codes, read
    without validating it (the data check does that); none and the default span when it cannot
    be read."""
    from memo.ingest.dictionary import DICTIONARY, span
    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        data = load_yaml_with_lines(root / DICTIONARY, DICTIONARY).data
    except Exception:
        return set(), DEFAULT_SPAN, set()

    def ids(key: str) -> set[str]:
        section = data.get(key) if isinstance(data, dict) else None
        return set(section) if isinstance(section, dict) else set()

    return ids("indicators"), span(data), ids("entities")
