"""Publish an edition to reports/ atomically: the index, the manifest and every memo appear together.

``reports`` is a symbolic link to ``.reports/<edition>/``. A new edition is written whole into its own
folder, flushed to disk, and then the link is replaced in one rename, so a reader (or a killed build)
sees either the previous edition or the new one, never a mix.

A new edition is published only when its inputs changed (the manifest's ``input_digest``): the same
data, config and templates give readers nothing new. Earlier editions are kept as long as
``editions:`` in config/config.yaml says (memo.publish.editions), and each edition has a page of
what changed since the one before (``changes.html``, memo.publish.diff).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from markupsafe import Markup

from memo.core.problems import DataError, Problem, format_problems
from memo.ingest.config import load_edition
from memo.publish import editions as store_mod

KEEP_EDITIONS = 3
EXTS = ("html", "pdf", "figures.json")
BASE_URL = re.compile(r"^https?://[^\s\"'<>]+$")
CHANGES = "changes.html"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def render_index(
    root: Path, metas: list[dict[str, Any]], edition_date: str, changes: str = CHANGES
) -> str:
    """The index page: every memo with audience, language, pages, edition date and links, a link
    to the edition's changes, and the subset of the Korean font its Korean titles need."""
    import datetime as dt

    from babel import Locale

    from memo.render import fmt, webfont
    from memo.render.html import environment

    env = environment(root / "templates")
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    for m in metas:
        m["language_name"] = (
            Locale.parse(m["language"]).get_display_name(m["language"]).capitalize()
        )
    page = env.get_template("index.html.j2").render(
        memos=metas,
        edition_date=edition_date,
        # The index is English: its date as an English reader writes it, not ISO.
        edition_date_text=fmt.date(dt.date.fromisoformat(edition_date), "en"),
        changes=changes,
        css=Markup((root / "templates" / "memo.css").read_text(encoding="utf-8")),
        screen_css=Markup((root / "templates" / "screen.css").read_text(encoding="utf-8")),
    )
    # Titles in Korean: the index carries the subset of the bundled Korean font they use.
    return webfont.embed(page, "en", root / "templates", cache=root / webfont.CACHE)[0]


def published_base_url(root: Path, configured: str) -> str:
    """Where the edition will be published: ``MEMO_BASE_URL`` (CI sets it to the Pages site),
    else ``base_url`` in config/config.yaml. E-mails sent from this edition link there."""
    value = os.environ.get("MEMO_BASE_URL", "").strip()
    if value and not BASE_URL.match(value):
        what = f"{value!r} is not an http(s) address without spaces, quotes or angle brackets"
        raise DataError([Problem("MEMO_BASE_URL", 1, "", what, "fix the environment variable")])
    return value or configured


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# What a publish did (publish_edition).
PUBLISHED = "published"
SAME_INPUTS = "same inputs"
SAME_MEMOS = "same memos"


def publish(root: Path, memos_dir: Path, reports: Path, force: bool = False) -> dict[str, Any]:
    """Assemble the edition from build/memos and swap it into ``reports``; return the manifest
    of the edition ``reports`` then shows (:func:`publish_edition`)."""
    return publish_edition(root, memos_dir, reports, force)[0]


def publish_edition(
    root: Path, memos_dir: Path, reports: Path, force: bool = False
) -> tuple[dict[str, Any], str]:
    """Publish the rendered memos as a new edition; return its manifest and what was done.

    When the published edition was built from the same inputs (``input_digest``: data, config,
    templates, fonts), nothing is published (:data:`SAME_INPUTS`, unless ``force``): readers never
    get a copy that differs from theirs only in its build. When the memos are those of the
    published edition, it stays (:data:`SAME_MEMOS`)."""
    edition = load_edition(root)
    store = reports.parent / ".reports"
    # What the edition is built from besides the code, file by file; the manifest records it and
    # its digest, and the delivery ledger records the digest beside the manifest's own.
    inputs = store_mod.edition_inputs(root)
    input_digest = store_mod.digest_of(inputs)
    base_url = published_base_url(root, edition.base_url)
    previous = store_mod.current(reports)
    published = store_mod.manifest(store, previous) if previous else None
    # A new base URL changes where e-mails link: that is new for readers too.
    same = published and (published.get("input_digest"), published.get("base_url") or "") == (
        input_digest,
        base_url,
    )
    if same and not force:
        return published, SAME_INPUTS
    ids = edition.output_ids()
    metas = []
    for oid in ids:
        meta_path = memos_dir / f"{oid}.meta.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{meta_path}: memo {oid} was not rendered (run snakemake)")
        # The key of the inputs that decide what the memo shows, as planning computed it (rule
        # render passed it to the render, which kept it; computed here for a memo rendered by
        # hand): the next build's render compares with the last edition built from other inputs.
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        key = meta.pop("input_key", None)
        if not key:
            from memo.workflow.digest import memo_key

            key = memo_key(str(root), oid)
        metas.append(meta | {"digest": key})
    index_html = render_index(root, metas, edition.date.isoformat())

    files: dict[str, str] = {}
    for oid in ids:
        for ext in EXTS:
            files[f"{oid}.{ext}"] = sha256(memos_dir / f"{oid}.{ext}")
    # The same memos are the same edition, whatever inputs gave them (a spreadsheet re-saving the
    # data, a note no memo shows): the folder then keeps the manifest, and the input record, of the
    # first build that made them. A new base URL changes where e-mails link: a new edition.
    digest = hashlib.sha256(
        json.dumps(files, sort_keys=True).encode()
        + index_html.encode()
        + (json.dumps(base_url).encode() if base_url else b"")
    ).hexdigest()
    target = store / f"{edition.date.isoformat()}-{digest[:12]}"
    staging = store / f".staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in files:
        shutil.copy2(memos_dir / name, staging / name)
    (staging / "index.html").write_text(index_html, encoding="utf-8")
    files["index.html"] = sha256(staging / "index.html")
    # What changed since the edition readers have now (none before the first).
    since = previous if previous and previous != target.name and published else None
    (staging / CHANGES).write_text(
        changes_page(root, store, since, staging, ids, edition.date.isoformat(), target.name),
        encoding="utf-8",
    )
    files[CHANGES] = sha256(staging / CHANGES)
    manifest = {
        "edition": edition.date.isoformat(),
        "id": target.name,
        "previous": since,
        "generated_from": digest,
        "input_digest": input_digest,
        "base_url": base_url,
        "memos": [
            {
                k: m.get(k)
                for k in (
                    "id",
                    "memo",
                    "audience",
                    "audience_label",
                    "language",
                    "title",
                    "bottom_line",
                    "pages",
                    "edition_date",
                    "edition_date_text",
                    "marking",
                    "publisher",
                    "stale_figures",
                    "digest",
                    "whats_new",
                )
            }
            | {"html": f"{m['id']}.html", "pdf": f"{m['id']}.pdf"}
            for m in metas
        ],
        "files": files,
        "inputs": inputs,
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for p in staging.iterdir():
        with p.open("rb") as f:
            os.fsync(f.fileno())
    fsync_dir(staging)
    kept = store_mod.manifest(store, target.name) if target.exists() else None
    if kept is not None and all((target / name).is_file() for name in kept.get("files") or {}):
        shutil.rmtree(staging)
        # The same memos are already there: what is published is that edition, as it was.
        manifest = kept
    else:
        if target.exists():
            # An older edition with the same memos, pruned to its records (or left half-written):
            # never the one reports shows (that one is never pruned), so it is replaced whole.
            shutil.rmtree(target)
        os.replace(staging, target)
    swap_link(reports, target)
    outcome = SAME_MEMOS if target.name == previous else PUBLISHED
    if outcome == PUBLISHED:
        entry = {
            "edition": target.name,
            "date": edition.date.isoformat(),
            "input_digest": input_digest,
        }
        try:
            store_mod.append_history(store, entry)
        except OSError as e:  # published all the same: only the order of editions is unrecorded
            print(
                f"warning: {store / store_mod.HISTORY}: could not record edition {target.name} "
                f"({e.strerror or e}); it counts by its folder's time until the next publish",
                file=sys.stderr,
            )
    prune(
        store,
        keep={target.name},
        keep_files=edition.keep_editions,
        keep_records=edition.keep_records,
    )
    return manifest, outcome


def changes_page(
    root: Path, store: Path, since: str | None, staging: Path, ids: list[str], date: str, name: str
) -> str:
    """The page of what changed since edition ``since`` (memo.publish.diff)."""
    from memo.publish import diff

    new = diff.Side.folder(staging, date, ids, name)
    old = diff.Side.edition(store, since) if since else None
    return diff.render_html(root, diff.compare_sides(old, new) if old else None, old, new)


def swap_link(reports: Path, target: Path) -> None:
    """Point ``reports`` at ``target`` in one atomic rename."""
    if reports.exists() and not reports.is_symlink():
        # A plain folder (from an older layout, or made by hand): move it aside, never delete it.
        aside = reports.parent / ".reports" / f"previous-{os.getpid()}"
        os.replace(reports, aside)
    tmp = reports.parent / f".reports-link-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, reports.parent), tmp)
    os.replace(tmp, reports)
    fsync_dir(reports.parent)


def prune(
    store: Path, keep: set[str], keep_files: int = KEEP_EDITIONS, keep_records: int = KEEP_EDITIONS
) -> None:
    """Remove old editions and leftovers of killed runs: the newest ``keep_files`` stay whole, the
    records and manifests of the newest ``keep_records`` stay (memo.publish.editions.prune)."""
    # Folders moved aside by swap_link (previous-<pid>) were made by hand: never removed here.
    store_mod.prune(store, keep_files, keep_records, keep)


def cli_publish(args: Any) -> int:
    """``memo publish``: swap the rendered edition into reports/."""
    root = Path(args.root)
    reports = root / args.reports
    before = os.readlink(reports) if reports.is_symlink() else None
    try:
        manifest, outcome = publish_edition(
            root, root / args.memos_dir, reports, bool(getattr(args, "force", False))
        )
    except DataError as e:
        print(format_problems(e.problems), file=sys.stderr)
        return 1
    except OSError as e:
        import errno

        # The half-written copy of this run: remove it now (it may hold the last free space).
        staging = reports.parent / ".reports" / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        # shutil.copy2 names the source in filename and the file being written in filename2.
        where = e.filename2 or e.filename or reports.parent / ".reports"
        if e.errno == errno.ENOSPC:
            what = f"disk full while writing {where}"
        else:
            what = f"cannot write {where}: {e.strerror or e}"
        after = os.readlink(reports) if reports.is_symlink() else None
        state = (
            f"the previous edition is unchanged ({args.reports} -> {before})"
            if after == before
            else f"{args.reports} now points to {after}"
        )
        print(f"error: could not publish to {args.reports}/: {what}; {state}", file=sys.stderr)
        return 1
    if args.stamp:
        from memo.core.files import write_atomic

        write_atomic(root / args.stamp, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    if outcome == SAME_INPUTS:
        print(
            f"inputs unchanged since the published edition ({args.reports} -> {before}): "
            "nothing new published (memo publish --force publishes anyway)",
            file=sys.stderr,
        )
        return 0
    if outcome == SAME_MEMOS:
        print(
            f"the memos are those of the published edition ({args.reports} -> {before}): "
            "nothing new published",
            file=sys.stderr,
        )
        return 0
    print(
        f"published {len(manifest['memos'])} memos to {args.reports}/ (edition {manifest['edition']})",
        file=sys.stderr,
    )
    return 0
