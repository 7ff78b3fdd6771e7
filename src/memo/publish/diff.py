"""``memo diff [OLD] [NEW]``: what changed between two editions, memo by memo, figure by figure and
statement by statement; as text, as JSON, and as the ``changes.html`` page of each edition.

An edition is a folder of figure records (``<memo>.figures.json``): a published one under
``.reports/`` (named by its folder, or any unique beginning of it), ``reports`` (the one published
now) or ``build`` (the memos rendered last, ``build/memos``). By default NEW is the build and OLD the
published edition before it: the one published now, or, when the build is the one published now,
the edition before that. Each memo's two records are compared by :mod:`memo.render.changes`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memo.publish import editions as store_mod
from memo.render.changes import (
    ADDED,
    PEERS,
    RANK,
    REMOVED,
    SOURCE,
    TIE_BROKEN,
    TIE_MADE,
    WORDING,
    Change,
    compare,
)

BUILD = "build"
CURRENT = "reports"


class DiffError(RuntimeError):
    """An edition named on the command line cannot be found or read."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a folder of figure records, its name, date and memos."""

    name: str
    path: Path
    date: str
    ids: tuple[str, ...]

    @classmethod
    def folder(cls, path: Path, date: str, ids: list[str] | None = None, name: str = "") -> Side:
        """A folder of records; its memos are ``ids`` (default: every record in it)."""
        found = ids if ids is not None else sorted(_record_ids(path))
        return cls(name or path.name, path, date, tuple(found))

    @classmethod
    def edition(cls, store: Path, name: str) -> Side:
        """A published edition, its memos as its manifest lists them."""
        data = store_mod.manifest(store, name)
        if data is None:
            raise DiffError(f"{store / name}: no manifest.json (not a published edition)")
        ids = [m["id"] for m in data.get("memos") or () if isinstance(m, dict) and "id" in m]
        return cls(name, store / name, str(data.get("edition") or ""), tuple(ids))

    def record(self, output_id: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.path / f"{output_id}.figures.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def _record_ids(path: Path) -> list[str]:
    return [p.name[: -len(".figures.json")] for p in path.glob("*.figures.json")]


@dataclass
class EditionDiff:
    """What differs between two editions: memos added and removed, and each memo's changes."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[Change]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    # Memos of both editions whose older record is no longer kept (or was never written).
    unknown: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def compare_sides(old: Side, new: Side) -> EditionDiff:
    """Compare every memo of two editions."""
    out = EditionDiff()
    for oid in new.ids:
        if oid not in old.ids:
            out.added.append(oid)
            continue
        before, after = old.record(oid), new.record(oid)
        if before is None or after is None:
            out.unknown.append(oid)
            continue
        changes = compare(before, after)
        if changes:
            out.changed[oid] = changes
        else:
            out.unchanged.append(oid)
    out.removed = [oid for oid in old.ids if oid not in new.ids]
    return out


# ---- naming editions on the command line -------------------------------------------------------


def resolve(root: Path, name: str, memos_dir: Path, reports: Path) -> Side:
    """The edition a command-line argument names (see the module docstring)."""
    store = reports.parent / store_mod.STORE
    if name == BUILD:
        return build_side(root, memos_dir)
    if name == CURRENT:
        current = store_mod.current(reports)
        if current is None:
            raise DiffError(f"{reports}: nothing published yet")
        return Side.edition(store, current)
    path = Path(name) if Path(name).is_absolute() else root / name
    if path.is_dir():
        if (path / store_mod.MANIFEST).is_file():
            return Side.edition(path.parent, path.name)
        return Side.folder(path, "")
    kept = store_mod.editions(store)
    hits = [e for e in kept if e == name] or [e for e in kept if e.startswith(name)]
    if len(hits) == 1:
        return Side.edition(store, hits[0])
    listing = ", ".join(kept) or "none"
    what = "is ambiguous" if hits else "is not a kept edition, a folder, build or reports"
    raise DiffError(f"{name!r} {what} (editions kept under {store_mod.STORE}/: {listing})")


def build_side(root: Path, memos_dir: Path) -> Side:
    """The memos rendered last (build/memos), as the config lists them when it can be read."""
    date, ids = "", None
    try:
        from memo.ingest.config import load_edition

        edition = load_edition(root)
        date, ids = edition.date.isoformat(), edition.output_ids()
    except Exception:  # a broken config: compare whatever records the folder holds
        pass
    if ids is not None:
        ids = [oid for oid in ids if (memos_dir / f"{oid}.figures.json").is_file()]
    return Side.folder(memos_dir, date, ids, name=BUILD)


def _is_published(side: Side, manifest: dict[str, Any]) -> bool:
    """Whether a folder holds exactly the records of a published edition."""
    files = manifest.get("files") or {}
    listed = {m.get("id") for m in manifest.get("memos") or () if isinstance(m, dict)}
    if set(side.ids) != listed:
        return False
    for oid in side.ids:
        path = side.path / f"{oid}.figures.json"
        if files.get(path.name) != hashlib.sha256(path.read_bytes()).hexdigest():
            return False
    return True


def defaults(root: Path, memos_dir: Path, reports: Path) -> tuple[Side | None, Side]:
    """OLD and NEW when not given: the build (else the published edition), and the published
    edition before it (None when there is none)."""
    store = reports.parent / store_mod.STORE
    current = store_mod.current(reports)
    build = build_side(root, memos_dir)
    if not build.ids:
        if current is None:
            raise DiffError("nothing built (build/memos) and nothing published: run snakemake")
        new = Side.edition(store, current)
        earlier = store_mod.before(store, current)
        return (Side.edition(store, earlier) if earlier else None), new
    if current is None:
        return None, build
    published = store_mod.manifest(store, current) or {}
    if _is_published(build, published):
        earlier = store_mod.before(store, current)
        return (Side.edition(store, earlier) if earlier else None), build
    return Side.edition(store, current), build


# ---- output ------------------------------------------------------------------------------------


def _figure_words(c: Change) -> str:
    f = c.new or c.old or {}
    who = "/".join(x for x in (c.entity, c.counterpart) if x)
    period = f.get("period", "")
    if c.kind == WORDING:
        return f"say.{c.helper}({c.indicator}, {who})"
    return f"{f.get('label') or c.indicator} ({c.indicator} {who} {period})"


def _detail(c: Change) -> str:
    old, new = c.old or {}, c.new or {}
    parts = [a for a in c.aspects if a not in (RANK, SOURCE, TIE_BROKEN, TIE_MADE, PEERS)]
    if RANK in c.aspects:
        parts.append(f"rank {old.get('rank')} → {new.get('rank')}")
    if TIE_BROKEN in c.aspects:
        parts.append("no longer tied with " + ", ".join(old.get("peer_names") or ()))
    if TIE_MADE in c.aspects:
        parts.append("now tied with " + ", ".join(new.get("peer_names") or ()))
    if PEERS in c.aspects:
        was, now = ", ".join(old.get("peer_names") or ()), ", ".join(new.get("peer_names") or ())
        parts.append(f"tied with {now}, not {was}")
    if SOURCE in c.aspects:
        was, now = ", ".join(old.get("sources") or ()), ", ".join(new.get("sources") or ())
        parts.append(f"source {was} → {now}")
    return "; ".join(parts)


def kind_words(c: Change) -> str:
    """How a change is named in the listing: "figure changed", "derived removed", "wording"."""
    if c.kind == WORDING:
        return "wording"
    return f"{'derived' if c.derived else 'figure'} {c.kind}"


def change_line(c: Change) -> str:
    """One change as a line of the listing."""
    old, new = (c.old or {}).get("text"), (c.new or {}).get("text")
    if c.kind == ADDED or (c.kind == WORDING and c.old is None):
        values = f"{new}"
    elif c.kind == REMOVED or (c.kind == WORDING and c.new is None):
        values = f"{old}"
    else:
        values = f"{old} → {new}" if old != new else f"{new}"
    if c.kind == WORDING:
        values = " → ".join(f"“{t}”" for t in (old, new) if t is not None)
    detail = _detail(c)
    return f"{kind_words(c):<16} {_figure_words(c)}: {values}" + (f" [{detail}]" if detail else "")


def _label(side: Side | None) -> str:
    if side is None:
        return "(none)"
    return f"{side.name}" + (f" ({side.date})" if side.date else "")


def format_text(d: EditionDiff | None, old: Side | None, new: Side) -> str:
    """The readable listing printed by ``memo diff``."""
    lines = [f"memo diff: {_label(old)} → {_label(new)}"]
    if d is None:
        lines.append("no earlier edition to compare with: every memo is new")
        return "\n".join(lines) + "\n"
    if d.empty:
        lines.append("no changes")
    for oid in d.added:
        lines.append(f"memo added: {oid}")
    for oid in d.removed:
        lines.append(f"memo removed: {oid}")
    for oid, changes in d.changed.items():
        lines.append(f"{oid}: {len(changes)} change{'' if len(changes) == 1 else 's'}")
        lines.extend(f"  {change_line(c)}" for c in changes)
    if d.unchanged:
        lines.append(f"unchanged: {', '.join(d.unchanged)}")
    if d.unknown:
        lines.append(f"not compared (no earlier record kept): {', '.join(d.unknown)}")
    return "\n".join(lines) + "\n"


def as_json(d: EditionDiff | None, old: Side | None, new: Side) -> dict[str, Any]:
    """The comparison as JSON (``memo diff --json``)."""

    def side(s: Side | None) -> dict[str, Any] | None:
        return None if s is None else {"edition": s.name, "date": s.date, "memos": list(s.ids)}

    memos: dict[str, Any] | None = None
    if d is not None:
        memos = {
            "added": d.added,
            "removed": d.removed,
            "changed": {oid: [c.as_dict() for c in cs] for oid, cs in d.changed.items()},
            "unchanged": d.unchanged,
            "not_compared": d.unknown,
        }
    return {"old": side(old), "new": side(new), "memos": memos}


def render_html(root: Path, d: EditionDiff | None, old: Side | None, new: Side) -> str:
    """The ``changes.html`` page of an edition (``templates/changes.html.j2``)."""
    from markupsafe import Markup

    from memo.render.html import environment

    env = environment(root / "templates")
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    memos = []
    if d is not None:
        for oid, changes in d.changed.items():
            rows = [
                {
                    "kind": kind_words(c),
                    "what": _figure_words(c),
                    "old": (c.old or {}).get("text") or "",
                    "new": (c.new or {}).get("text") or "",
                    "detail": _detail(c),
                }
                for c in changes
            ]
            memos.append({"id": oid, "rows": rows})
    return env.get_template("changes.html.j2").render(
        old=old,
        new=new,
        diff=d,
        memos=memos,
        css=Markup((root / "templates" / "memo.css").read_text(encoding="utf-8")),
        screen_css=Markup((root / "templates" / "screen.css").read_text(encoding="utf-8")),
    )


def cli_diff(args: argparse.Namespace) -> int:
    """``memo diff``: print what changed between two editions (0), or why it cannot (1)."""
    root = Path(args.root)
    memos_dir, reports = root / args.memos_dir, root / args.reports
    try:
        if args.new is not None:
            new = resolve(root, args.new, memos_dir, reports)
            old = resolve(root, args.old, memos_dir, reports)
        elif args.old is not None:
            old, new = resolve(root, args.old, memos_dir, reports), build_side(root, memos_dir)
            if not new.ids:
                raise DiffError("nothing built in build/memos: name the NEW edition")
        else:
            old, new = defaults(root, memos_dir, reports)
    except DiffError as e:
        print(f"memo diff: {e}", file=sys.stderr)
        return 1
    result = compare_sides(old, new) if old is not None else None
    if args.json:
        sys.stdout.write(json.dumps(as_json(result, old, new), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_text(result, old, new))
    if args.html:
        out = Path(args.html) if Path(args.html).is_absolute() else root / args.html
        out.write_text(render_html(root, result, old, new), encoding="utf-8")
    return 0
