"""Publish an edition to reports/ atomically: the index, the manifest and every memo appear together.

``reports`` is a symbolic link to ``.reports/<edition>/``. A new edition is written whole into its own
folder, flushed to disk, and then the link is replaced in one rename, so a reader (or a killed build)
sees either the previous edition or the new one, never a mix.
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

KEEP_EDITIONS = 3
EXTS = ("html", "pdf", "figures.json")
# What an edition is built from besides the code; ``input_digest`` in the manifest is the SHA-256
# of their SHA-256s, and the delivery ledger records it beside the manifest's own digest.
EDITION_INPUTS = ("data", "config/config.yaml", "config/memos.yaml", "templates", "assets")
BASE_URL = re.compile(r"^https?://[^\s\"'<>]+$")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def render_index(root: Path, metas: list[dict[str, Any]], edition_date: str) -> str:
    """The index page: every memo with audience, language, pages, edition date and links, and the
    subset of the Korean font its Korean titles need."""
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
        css=Markup((root / "templates" / "memo.css").read_text(encoding="utf-8")),
        screen_css=Markup((root / "templates" / "screen.css").read_text(encoding="utf-8")),
    )
    # Titles in Korean: the index carries the subset of the bundled Korean font they use.
    return webfont.embed(page, "en", root / "templates", cache=root / webfont.CACHE)[0]


def edition_inputs(root: Path) -> dict[str, str]:
    """Return the SHA-256 of every file in :data:`EDITION_INPUTS`, by project-relative path."""
    found: dict[str, str] = {}
    for part in EDITION_INPUTS:
        top = root / part
        files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for f in files:
            rel = f.relative_to(root)
            if f.is_file() and not any(s.startswith(".") or s == "__pycache__" for s in rel.parts):
                found[rel.as_posix()] = sha256(f)
    return dict(sorted(found.items()))


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


def publish(root: Path, memos_dir: Path, reports: Path) -> dict[str, Any]:
    """Assemble the edition from build/memos and swap it into ``reports``; return the manifest."""
    edition = load_edition(root)
    ids = edition.output_ids()
    metas = []
    for oid in ids:
        meta_path = memos_dir / f"{oid}.meta.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{meta_path}: memo {oid} was not rendered (run snakemake)")
        metas.append(json.loads(meta_path.read_text(encoding="utf-8")))
    index_html = render_index(root, metas, edition.date.isoformat())

    files: dict[str, str] = {}
    for oid in ids:
        for ext in EXTS:
            files[f"{oid}.{ext}"] = sha256(memos_dir / f"{oid}.{ext}")
    inputs = edition_inputs(root)
    input_digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    base_url = published_base_url(root, edition.base_url)
    # The same memos are the same edition, whatever inputs gave them (a spreadsheet re-saving the
    # data, a note no memo shows): the folder then keeps the manifest, and the input record, of the
    # first build that made them. A new base URL changes where e-mails link: a new edition.
    digest = hashlib.sha256(
        json.dumps(files, sort_keys=True).encode()
        + index_html.encode()
        + (json.dumps(base_url).encode() if base_url else b"")
    ).hexdigest()
    store = reports.parent / ".reports"
    target = store / f"{edition.date.isoformat()}-{digest[:12]}"
    staging = store / f".staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in files:
        shutil.copy2(memos_dir / name, staging / name)
    (staging / "index.html").write_text(index_html, encoding="utf-8")
    files["index.html"] = sha256(staging / "index.html")
    manifest = {
        "edition": edition.date.isoformat(),
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
    if target.exists():
        shutil.rmtree(staging)
        # The edition is already there: what is published is its manifest, not this one.
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    else:
        os.replace(staging, target)
    swap_link(reports, target)
    prune(store, keep={target.name})
    return manifest


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


def prune(store: Path, keep: set[str]) -> None:
    """Remove old editions and leftovers of killed runs, keeping the newest few."""
    # Folders moved aside by swap_link (previous-<pid>) were made by hand: never removed here.
    editions = sorted(
        (p for p in store.iterdir() if p.is_dir() and not p.name.startswith((".", "previous-"))),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in editions[KEEP_EDITIONS:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in store.glob(".staging-*"):
        try:
            pid = int(leftover.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(leftover, ignore_errors=True)
        except PermissionError:
            pass


def cli_publish(args: Any) -> int:
    """``memo publish``: swap the rendered edition into reports/."""
    root = Path(args.root)
    reports = root / args.reports
    before = os.readlink(reports) if reports.is_symlink() else None
    try:
        manifest = publish(root, root / args.memos_dir, reports)
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
    print(
        f"published {len(manifest['memos'])} memos to {args.reports}/ (edition {manifest['edition']})",
        file=sys.stderr,
    )
    return 0
