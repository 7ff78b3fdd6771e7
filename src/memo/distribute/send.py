"""Send each recipient the memos of their audiences, once per PDF, with a ledger of every attempt.

The plan: for every recipient and every memo of their audiences, the language edition they read
(their ``language`` if the memo has it, else the memo's default language). Each delivery is then
checked against the ledger: already delivered with the same PDF (skipped), never delivered (sent),
or delivered with an older PDF. Then sends follow changes: the edition that PDF came from
(memo.publish.editions.received) has the figure record of what the reader has, and the memo goes
out again only when its figures or data-dependent words changed since (memo.render.changes), with
those changes in the message. A memo whose PDF changed but whose figures did not, or whose earlier
record is no longer kept, is sent only with ``send_all``.

Dry run (the default) writes each message as an ``.eml`` file under ``outbox/<edition>/``. A real
send writes the ledger line right after the server accepts the message; a crash between the two
(a few milliseconds) is the only way a recipient can get a memo twice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from memo.core.problems import DataError, Problem, format_problems
from memo.distribute.ledger import (
    DRY_RUN,
    FAILED_PERMANENT,
    FAILED_TRANSIENT,
    SENT,
    Entry,
    LedgerWriter,
    delivered,
    read_ledger,
    utc_now,
)
from memo.distribute.message import Letter, build_message, parse_sender
from memo.distribute.recipients import Recipient, load_recipients, read_memo_config
from memo.distribute.smtp import (
    Backoff,
    DeliveryError,
    Mailer,
    SettingsError,
    settings_from_env,
)
from memo.publish import editions as kept
from memo.render import i18n
from memo.render.changes import summary

DRY_RUN_SENDER = "Policy memos (dry run) <memos@example.org>"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PublishedMemo:
    """One language edition in reports/manifest.json, with its PDF read and hashed."""

    id: str
    memo: str  # the memo id in config/memos.yaml, shared by its language editions
    audience: str
    language: str
    title: str
    bottom_line: str
    html: str
    pdf_path: Path
    sha256: str


@dataclass(frozen=True)
class Published:
    """The published edition: its date and memos, in manifest order."""

    edition: str
    memos: tuple[PublishedMemo, ...]


@dataclass(frozen=True)
class Delivery:
    """One memo edition for one recipient; for a reader who had an earlier edition of it, what
    changed since (sentences in the memo's language) and that edition's date."""

    memo: PublishedMemo
    recipient: Recipient
    changes: tuple[str, ...] = ()
    since: str = ""


@dataclass
class SendOptions:
    """Everything a send run needs; paths are absolute or relative to ``root``."""

    root: Path
    reports: str = "reports"
    recipients: str = "config/recipients.csv"
    outbox: str = "outbox"
    ledger: str = "ledger/deliveries.jsonl"
    send: bool = False
    # Send every memo a recipient does not have in this very version, changed or not.
    send_all: bool = False
    resend_changed: bool = False  # the older name of send_all
    base_url: str = ""
    sender: str = ""
    backoff: Backoff = field(default_factory=Backoff)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    sleep: Callable[[float], None] = time.sleep  # waits between retries (tests replace it)

    def path(self, value: str) -> Path:
        """Resolve ``value`` against the project root unless it is absolute."""
        p = Path(value)
        return p if p.is_absolute() else self.root / p


@dataclass
class Report:
    """What a run did, for the closing summary and the exit code."""

    edition: str = ""
    dry_run: bool = True
    sent: list[Delivery] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    already: list[Delivery] = field(default_factory=list)
    changed: list[tuple[Delivery, Entry]] = field(default_factory=list)
    # Delivered before, and nothing a reader sees changed since: not sent.
    unchanged: list[tuple[Delivery, Entry]] = field(default_factory=list)
    # (delivery, ledger result, detail)
    failed: list[tuple[Delivery, str, str]] = field(default_factory=list)
    not_attempted: list[Delivery] = field(default_factory=list)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing was left unattempted."""
        return not (self.failed or self.not_attempted or self.stopped)


# --------------------------------------------------------------------------------------------
# Reading the published edition and planning


def load_published(reports: Path, display: str) -> Published:
    """Read ``manifest.json`` in ``reports`` and hash every PDF; raise DataError on any problem."""
    where = f"{display.rstrip('/')}/{MANIFEST}"
    try:
        manifest: Any = json.loads((reports / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            [Problem(where, 1, "file", "not found", "build and publish the memos first: snakemake")]
        ) from None
    except (OSError, ValueError) as exc:
        raise DataError([Problem(where, 1, "file", f"cannot read: {exc}")]) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("memos"), list):
        raise DataError([Problem(where, 1, "memos", "missing", "see docs/DESIGN.md")])
    edition = str(manifest.get("edition", ""))
    hashes = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    problems: list[Problem] = []
    memos: list[PublishedMemo] = []
    required = ("id", "audience", "language", "title", "pdf")
    for i, entry in enumerate(manifest["memos"]):
        if not isinstance(entry, dict):
            problems.append(Problem(where, 1, f"memos[{i}]", "is not an object"))
            continue
        missing = [k for k in required if not isinstance(entry.get(k), str) or not entry[k]]
        if missing:
            problems.append(Problem(where, 1, f"memos[{i}]", f"missing {', '.join(missing)}"))
            continue
        pdf_name = entry["pdf"]
        if Path(pdf_name).name != pdf_name:
            what = f'"{pdf_name}" is not a file name'
            problems.append(Problem(where, 1, f"memos[{i}].pdf", what))
            continue
        try:
            data = (reports / pdf_name).read_bytes()
        except OSError as exc:
            problems.append(Problem(where, 1, f"memos[{i}].pdf", f"cannot read {pdf_name}: {exc}"))
            continue
        sha = hashlib.sha256(data).hexdigest()
        if pdf_name in hashes and hashes[pdf_name] != sha:
            problems.append(
                Problem(
                    where,
                    1,
                    f"files.{pdf_name}",
                    "sha256 differs from the PDF on disk",
                    "publish again: the reports folder was changed by hand",
                )
            )
            continue
        memos.append(
            PublishedMemo(
                id=entry["id"],
                memo=memo_of(entry),
                audience=entry["audience"],
                language=entry["language"],
                title=entry["title"],
                bottom_line=str(entry.get("bottom_line") or ""),
                html=str(entry.get("html") or ""),
                pdf_path=reports / pdf_name,
                sha256=sha,
            )
        )
    if problems:
        raise DataError(problems)
    return Published(edition, tuple(memos))


def memo_of(entry: Mapping[str, Any]) -> str:
    """Return the memo a manifest entry is an edition of: ``korea-brief`` for ``korea-brief-ko``."""
    if entry.get("memo"):
        return str(entry["memo"])
    suffix = f"-{entry['language']}"
    return entry["id"][: -len(suffix)] if entry["id"].endswith(suffix) else entry["id"]


def choose_edition(
    editions: list[PublishedMemo], language: str, default_language: str | None
) -> PublishedMemo:
    """Pick the edition in ``language``, else the memo's default, else English, else the first."""
    by_language = {m.language: m for m in editions}
    for wanted in (language, default_language, "en"):
        if wanted and wanted in by_language:
            return by_language[wanted]
    return editions[0]


def plan(
    published: Published, recipients: list[Recipient], default_language: Mapping[str, str]
) -> list[Delivery]:
    """List each (memo edition, recipient) to deliver: memos in manifest order, then recipients."""
    groups: dict[tuple[str, str], list[PublishedMemo]] = {}
    for m in published.memos:
        groups.setdefault((m.audience, m.memo), []).append(m)
    deliveries: list[Delivery] = []
    for (audience, memo), editions in groups.items():
        for person in recipients:
            if audience in person.audiences:
                chosen = choose_edition(editions, person.language, default_language.get(memo))
                deliveries.append(Delivery(chosen, person))
    return deliveries


# --------------------------------------------------------------------------------------------
# Running


class Progress:
    """A progress line on stderr: sent, failed, remaining; rewritten in place on a terminal."""

    def __init__(self, total: int, verb: str, stream: TextIO = sys.stderr) -> None:
        self.total, self.verb, self.stream = total, verb, stream
        self.done = self.failed = 0
        self.tty = stream.isatty()

    def update(self, ok: bool) -> None:
        """Count one message as done or failed and show the line."""
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self.show()

    def note(self, text: str) -> None:
        """Print a line (a retry notice) without losing the progress line."""
        self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
        self.stream.flush()

    def show(self) -> None:
        """Write the progress line."""
        remaining = self.total - self.done - self.failed
        line = f"send: {self.done} {self.verb}, {self.failed} failed, {remaining} remaining"
        self.stream.write(("\r\033[K" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the in-place line on a terminal."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def eml_path(outbox: Path, edition: str, delivery: Delivery) -> Path:
    """Return where the dry run writes a message: ``outbox/<edition>/<memo>--<address>.eml``."""
    who = re.sub(r"[^A-Za-z0-9@._+-]", "_", delivery.recipient.email.lower())
    return outbox / (edition or "edition") / f"{delivery.memo.id}--{who}.eml"


def memo_link(base_url: str, memo: PublishedMemo) -> str:
    """Return the URL of the memo's HTML under ``base_url``, or "" without a base URL or HTML."""
    if not base_url or not memo.html:
        return ""
    return base_url.rstrip("/") + "/" + quote(memo.html)


def run_send(options: SendOptions, progress_stream: TextIO = sys.stderr) -> Report:
    """Plan, check against the ledger, then write or send every message due; return the report.

    Raises DataError for problems in the recipients file or the published reports, and
    SettingsError for unusable SMTP settings; nothing is sent or recorded in either case.
    """
    root = options.root
    config = read_memo_config(root)
    defaults = config.default_language if config else {}
    published = load_published(options.path(options.reports), options.reports)
    audiences = config.audiences if config else frozenset(m.audience for m in published.memos)
    people, problems = load_recipients(
        options.path(options.recipients), options.recipients, audiences
    )
    if problems:
        raise DataError(problems)

    if options.send:
        settings = settings_from_env(options.env)
        sender_text = options.sender or options.env.get("MEMO_MAIL_FROM", "")
        if not sender_text:
            raise SettingsError("no sender: set MEMO_MAIL_FROM or pass --sender")
    else:
        settings = None
        sender_text = options.sender or options.env.get("MEMO_MAIL_FROM", "") or DRY_RUN_SENDER
    try:
        sender_address = parse_sender(sender_text)[1]
    except ValueError as exc:
        raise SettingsError(f"sender: {exc}") from None

    report = Report(edition=published.edition, dry_run=not options.send)
    ledger_path = options.path(options.ledger)
    changes = ChangeFinder(root, options.path(options.reports))
    with LedgerWriter(ledger_path) as ledger:
        # Read under the lock: a concurrent run cannot add lines between reading and sending.
        have = delivered(read_ledger(ledger_path, options.ledger))
        due: list[Delivery] = []
        for d in plan(published, people, defaults):
            prior = have.get((d.memo.id, d.recipient.email.lower()))
            if prior is None:
                due.append(d)
                continue
            if prior.sha256 == d.memo.sha256:
                report.already.append(d)
                continue
            since = changes.since(d.memo, prior.sha256)
            if since is not None and since[1]:
                due.append(Delivery(d.memo, d.recipient, tuple(since[1]), since[0]))
            elif options.send_all or options.resend_changed:
                due.append(d)
            elif since is not None:
                report.unchanged.append((d, prior))
            else:
                report.changed.append((d, prior))

        progress = Progress(len(due), "sent" if options.send else "written", progress_stream)
        if due:
            progress.show()

        def record(d: Delivery, result: str, detail: str = "") -> None:
            ledger.append(
                Entry(
                    published.edition,
                    d.memo.id,
                    d.recipient.email,
                    d.memo.sha256,
                    utc_now(),
                    result,
                    detail,
                )
            )

        def letter_for(d: Delivery) -> Letter:
            return Letter(
                memo_id=d.memo.id,
                edition=published.edition,
                title=d.memo.title,
                bottom_line=d.memo.bottom_line,
                language=d.memo.language,
                recipient_name=d.recipient.name,
                recipient_email=d.recipient.email,
                pdf=d.memo.pdf_path.read_bytes(),
                pdf_sha256=d.memo.sha256,
                link=memo_link(options.base_url, d.memo),
                changes=d.changes,
                since=d.since,
            )

        if settings is None:
            outbox = options.path(options.outbox)
            for d in due:
                target = eml_path(outbox, published.edition, d)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(build_message(letter_for(d), sender_text).as_bytes())
                shown = target.relative_to(root) if target.is_relative_to(root) else target
                record(d, DRY_RUN, str(shown))
                report.written.append(target)
                progress.update(True)
        else:

            def on_retry(detail: str, wait: float) -> None:
                progress.note(f"send: {detail}; retrying in {wait:g} s")

            mailer = Mailer(settings, options.backoff, options.sleep, on_retry)
            with mailer:
                _deliver(
                    due, mailer, sender_text, sender_address, letter_for, record, progress, report
                )
        progress.finish()
    return report


class ChangeFinder:
    """What changed in a memo since the version a reader received, from the records kept under
    .reports/ (memo.publish.editions): the edition whose PDF has the SHA-256 the ledger recorded,
    its figure record of the memo, and the published one."""

    def __init__(self, root: Path, reports: Path) -> None:
        self.root = root
        self.reports = reports
        self.store = reports.parent / kept.STORE

    def since(self, memo: PublishedMemo, pdf_sha256: str) -> tuple[str, list[str]] | None:
        """(date of the edition received, sentences on what changed since: none when nothing a
        reader sees did), or None when that edition's record is not kept."""
        received = kept.received(self.store, memo.id, pdf_sha256)
        if received is None:
            return None
        old = kept.record(self.store, received, memo.id)
        try:
            new = json.loads((self.reports / f"{memo.id}.figures.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if old is None or not isinstance(new, dict):
            return None
        date = str((kept.manifest(self.store, received) or {}).get("edition") or received)
        return date, summary(old, new, self._gettext(memo.language), memo.language)

    def _gettext(self, language: str) -> Callable[[str], str]:
        try:
            return i18n.translations(self.root / "templates", language).gettext
        except FileNotFoundError:  # no catalogue for it: the sentences stay in English
            return str


def _deliver(
    due: list[Delivery],
    mailer: Mailer,
    sender_text: str,
    sender_address: str,
    letter_for: Callable[[Delivery], Letter],
    record: Callable[..., None],
    progress: Progress,
    report: Report,
) -> None:
    """Send each due delivery through ``mailer``, recording every outcome in the ledger."""
    for index, d in enumerate(due):
        message = build_message(letter_for(d), sender_text)
        try:
            mailer.send(message, sender_address, d.recipient.email)
        except DeliveryError as err:
            if err.fatal:
                # Nothing else can succeed (authentication, TLS): stop, record nothing.
                report.stopped = err.detail
                report.not_attempted.extend(due[index:])
                return
            result = FAILED_PERMANENT if err.permanent else FAILED_TRANSIENT
            record(d, result, err.detail)
            report.failed.append((d, result, err.detail))
            progress.update(False)
            if err.unreachable:
                # The server could not be reached even after the retries: the rest would wait
                # out the same backoff one by one. Leave them for the next run.
                report.stopped = f"SMTP server unreachable ({err.detail})"
                report.not_attempted.extend(due[index + 1 :])
                return
            continue
        # The server has accepted the message: record it before anything else can go wrong.
        record(d, SENT)
        report.sent.append(d)
        progress.update(True)


def format_report(report: Report, outbox_display: str) -> str:
    """Return the closing summary: counts, then the changed, failed and unattempted deliveries."""
    mode = "dry run" if report.dry_run else "sent"
    lines = [f"memo send ({mode}), edition {report.edition or '?'}:"]
    if report.dry_run:
        where = f"{outbox_display.rstrip('/')}/{report.edition}/"
        lines.append(f"  {len(report.written)} message(s) written to {where} for review")
    else:
        lines.append(f"  {len(report.sent)} sent")
    lines.append(f"  {len(report.already)} already delivered")
    if report.unchanged:
        lines.append(
            f"  {len(report.unchanged)} unchanged since the edition the recipient has, not sent "
            "(use --all):"
        )
        for d, prior in report.unchanged:
            lines.append(f"    {d.memo.id} -> {d.recipient.email}: delivered {prior.time}")
    if report.changed:
        lines.append(
            f"  {len(report.changed)} changed, not sent: the edition the recipient has is no "
            "longer kept, so what changed is unknown (use --all):"
        )
        for d, prior in report.changed:
            lines.append(
                f"    {d.memo.id} -> {d.recipient.email}: delivered {prior.time} "
                f"(pdf {prior.sha256[:12]}), now pdf {d.memo.sha256[:12]}"
            )
    if report.failed:
        lines.append(f"  {len(report.failed)} failed:")
        for d, result, detail in report.failed:
            lines.append(f"    {d.memo.id} -> {d.recipient.email}: {result}: {detail}")
    if report.stopped:
        lines.append(f"  stopped: {report.stopped}")
    if report.not_attempted:
        lines.append(f"  {len(report.not_attempted)} not attempted (run again to send them)")
    if report.dry_run and report.written:
        lines.append("  nothing was sent: review the .eml files, then run again with --send")
    return "\n".join(lines) + "\n"


def cli_send(args: argparse.Namespace) -> int:
    """Run ``memo send``: 0 when everything due went out (or was written), 1 otherwise."""
    env = dict(os.environ)
    options = SendOptions(
        root=Path(getattr(args, "root", ".") or "."),
        reports=args.reports,
        recipients=args.recipients,
        outbox=args.outbox,
        ledger=args.ledger,
        send=bool(args.send),
        send_all=bool(getattr(args, "all", False)),
        resend_changed=bool(args.resend_changed),
        base_url=args.base_url or env.get("MEMO_BASE_URL", "") or _config_base_url(Path(args.root)),
        sender=getattr(args, "sender", None) or "",
        backoff=Backoff(
            retries=getattr(args, "retries", Backoff.retries),
            delay=getattr(args, "retry_delay", Backoff.delay),
        ),
        env=env,
    )
    try:
        report = run_send(options)
    except DataError as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        return 1
    except (SettingsError, RuntimeError) as exc:
        print(f"memo send: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(format_report(report, args.outbox))
    return 0 if report.ok else 1


def _config_base_url(root: Path) -> str:
    """Return ``base_url`` from config/config.yaml, or "" if it is unset or unreadable."""
    import yaml

    try:
        data = yaml.safe_load((root / "config/config.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ""
    value = data.get("base_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
