"""Load and check config/config.yaml and config/memos.yaml: the edition and the memo definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memo.errors import DataError, Problem

SCHEMAS = Path(__file__).parent / "schemas"
CONFIG = "config/config.yaml"
MEMOS = "config/memos.yaml"


@dataclass(frozen=True)
class KeyFigure:
    indicator: str
    entity: str | None = None
    counterpart: str = ""
    period: str | None = None
    label: str = ""


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


def _read(root: Path, rel: str) -> tuple[Any, list[Problem]]:
    from memo.schema import check_against_schema

    name = Path(rel).name.replace(".yaml", ".schema.yaml")
    return check_against_schema(root / rel, rel, SCHEMAS / name)


def check(root: Path) -> list[Problem]:
    """Check both config files against their schemas and against the data and templates."""
    try:
        load_edition(root)
    except DataError as e:
        return list(e.problems)
    return []


def _memo_lines(root: Path) -> list[int]:
    """Editor line of each memo entry in memos.yaml, for error messages.

    One parse for all entries (with libyaml when present): parsing once per entry made loading an
    edition of 200 memos take 50 s.
    """
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        node = yaml.compose((root / MEMOS).read_text(encoding="utf-8"), Loader=loader)
        for key, value in node.value:
            if key.value == "memos":
                return [item.start_mark.line + 1 for item in value.value]
    except Exception:  # the schema check has already reported a broken file
        pass
    return []


def load_edition(root: Path, known_indicators: set[str] | None = None) -> Edition:
    """Load config.yaml and memos.yaml, raising DataError with every problem found."""
    cfg, problems = _read(root, CONFIG)
    memos, more = _read(root, MEMOS)
    problems += more
    if problems:
        raise DataError(problems)
    try:
        edition_date = dt.date.fromisoformat(cfg["edition"]["date"])
    except ValueError:
        what = f'"{cfg["edition"]["date"]}" is not a real date'
        line = _line_of(root, CONFIG, ["edition", "date"])
        raise DataError([Problem(CONFIG, line, "edition.date", what, "write YYYY-MM-DD")]) from None
    defs: list[MemoDef] = []
    audiences = memos["audiences"]
    if known_indicators is None:
        known_indicators = _known_indicators(root)
    seen: set[str] = set()
    lines = _memo_lines(root)
    for i, m in enumerate(memos["memos"]):
        line = lines[i] if i < len(lines) else 1
        where = f"memos[{i}]"

        def at(*key: str | int, i: int = i, line: int = line) -> int:
            # The line of the offending key, looked up only when there is a problem to report.
            return _line_of(root, MEMOS, ["memos", i, *key], line)

        if m["id"] in seen:
            problems.append(
                Problem(
                    MEMOS,
                    at("id"),
                    f"{where}.id",
                    f'duplicate memo id "{m["id"]}"',
                    "ids are unique",
                )
            )
        seen.add(m["id"])
        if m["audience"] not in audiences:
            problems.append(
                Problem(
                    MEMOS,
                    at("audience"),
                    f"{where}.audience",
                    f'unknown audience "{m["audience"]}"',
                    "known: " + ", ".join(sorted(audiences)),
                )
            )
        if not (root / "templates" / m["template"]).is_file():
            problems.append(
                Problem(
                    MEMOS,
                    at("template"),
                    f"{where}.template",
                    f'template "{m["template"]}" does not exist',
                    "templates/: "
                    + ", ".join(sorted(p.name for p in (root / "templates").glob("*.html.j2"))),
                )
            )
        for j, kf in enumerate(m["key_figures"]):
            if known_indicators and kf["indicator"] not in known_indicators:
                problems.append(
                    Problem(
                        MEMOS,
                        at("key_figures", j, "indicator"),
                        f"{where}.key_figures[{j}].indicator",
                        f'unknown indicator "{kf["indicator"]}"',
                        "see data/dictionary.yaml",
                    )
                )
        lo, hi = m["pages"]
        if lo > hi:
            problems.append(
                Problem(
                    MEMOS,
                    at("pages"),
                    f"{where}.pages",
                    f"min {lo} is above max {hi}",
                    "write [min, max]",
                )
            )
        try:
            memo_date = dt.date.fromisoformat(m.get("edition_date", cfg["edition"]["date"]))
        except ValueError:
            what = f'"{m["edition_date"]}" is not a real date'
            problems.append(
                Problem(
                    MEMOS, at("edition_date"), f"{where}.edition_date", what, "write YYYY-MM-DD"
                )
            )
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
                    )
                    for k in m["key_figures"]
                ),
                charts=tuple(m["charts"]),
                pages=(lo, hi),
                marking=m.get("marking", cfg["marking"]),
                author=m.get("author", cfg["edition"]["publisher"]),
                edition_date=memo_date,
            )
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
    )


def _line_of(root: Path, rel: str, path: list[str | int], default: int = 1) -> int:
    """Editor line of the key at ``path`` in a config file (parsed again: only for problems)."""
    from memo.schema import load_yaml_with_lines

    try:
        return load_yaml_with_lines(root / rel).line_of(path)
    except Exception:  # the schema check reports a file that does not parse
        return default


def _known_indicators(root: Path) -> set[str]:
    """Indicator ids of the dictionary, read without validating it (the data check does that)."""
    import yaml

    try:
        d = yaml.safe_load((root / "data/dictionary.yaml").read_text(encoding="utf-8"))
        return set(d.get("indicators", {}))
    except Exception:
        return set()
