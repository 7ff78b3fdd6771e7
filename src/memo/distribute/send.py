"""Send each recipient the memos of their audiences, once per PDF, with a ledger of every attempt.

The plan: for every recipient and every memo of their audiences, the language edition they read
(their ``language`` if the memo has it, else the memo's default language). Each delivery is then
checked against the ledger: already delivered with the same PDF (skipped), never delivered (due),
or delivered with an older PDF. Then sends follow changes: the edition that PDF came from
(memo.publish.editions.received) has the figure record of what the reader has, and the memo goes
out again only when its figures or data-dependent words changed since (memo.render.changes), with
those changes in the message. A memo whose PDF changed but whose figures did not, or whose earlier
record is no longer kept, is sent only with ``send_all``. A recipient's due memos go out together,
in one message carrying every PDF (memo.distribute.message); the ledger still has a line per memo.

Dry run (the default) writes each message as an ``.eml`` file under ``outbox/<edition>/``. A real
send writes the ledger lines right after the server accepts the message; a crash between the two
(a few milliseconds) is the only way a recipient can get a memo twice. A message the server took
whole but never confirmed (the connection dropped) is recorded as ``uncertain`` for each of its
memos and sent again only with ``resend_uncertain``; the same memos to the same recipient make the
same Message-ID, so a resend is recognisable as one.

Before a real send: the published folder must match its manifest byte for byte
(:mod:`memo.distribute.manifest`), someone must have signed the edition off (``approved_by``), and
the ledger must remember earlier sends, unless this is declared the first one (``first_send``): a
lost ledger must never turn into every recipient getting everything again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from memo.core.problems import DataError, Problem, format_problems
from memo.distribute.follow import ChangeFinder
from memo.distribute.ledger import (
    DRY_RUN,
    FAILED_PERMANENT,
    FAILED_TRANSIENT,
    SENT,
    UNCERTAIN,
    Entry,
    LedgerWriter,
    delivered,
    read_ledger,
    utc_now,
)
from memo.distribute.letters import by_recipient, eml_path, letter_for, read_unchanged
from memo.distribute.manifest import MANIFEST
from memo.distribute.message import Letter, build_message, parse_sender
from memo.distribute.published import Delivery, load_published, plan
from memo.distribute.recipients import load_recipients, read_memo_config
from memo.distribute.report import Report, format_report
from memo.distribute.signoff import check_approver, check_ledger_memory
from memo.distribute.smtp import (
    Backoff,
    DeliveryError,
    Mailer,
    SettingsError,
    settings_from_env,
)

DRY_RUN_SENDER = "Policy memos (dry run) <memos@example.org>"


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
    resend_uncertain: bool = False
    first_send: bool = False
    approved_by: str = ""
    base_url: str = ""  # explicit; else the manifest's, else config/config.yaml's
    sender: str = ""
    backoff: Backoff = field(default_factory=Backoff)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    sleep: Callable[[float], None] = time.sleep  # waits between retries (tests replace it)

    def path(self, value: str) -> Path:
        """Resolve ``value`` against the project root unless it is absolute."""
        p = Path(value)
        return p if p.is_absolute() else self.root / p


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


def run_send(options: SendOptions, progress_stream: TextIO = sys.stderr) -> Report:
    """Plan, check against the ledger, then write or send every message due; return the report.

    Raises DataError for problems in the recipients file or the published reports (including any
    file that differs from its manifest), SettingsError for unusable SMTP settings, and
    SendRefused for a real send without a sign-off or without a ledger; nothing is sent or
    recorded in any of these cases.
    """
    root = options.root
    approver = check_approver(options.approved_by) if options.send else ""
    config = read_memo_config(root)
    defaults = config.default_language if config else {}
    published = load_published(options.path(options.reports), options.reports)
    where = f"{options.reports.rstrip('/')}/{MANIFEST}"
    if options.send and not published.input_digest:
        hint = "published before sends recorded it: rebuild and publish (snakemake)"
        raise DataError([Problem(where, 1, "input_digest", "missing", hint)])
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
    base_url = options.base_url or published.base_url or _config_base_url(root)

    report = Report(edition=published.edition, dry_run=not options.send)
    ledger_path = options.path(options.ledger)
    if options.send:
        # Checked before the ledger is opened (opening creates it), and again under the lock.
        check_ledger_memory(
            read_ledger(ledger_path, options.ledger), options.ledger, options.first_send
        )
    changes = ChangeFinder(root, options.path(options.reports))
    with LedgerWriter(ledger_path) as ledger:
        # Read under the lock: a concurrent run cannot add lines between reading and sending.
        entries = read_ledger(ledger_path, options.ledger)
        if options.send:
            check_ledger_memory(entries, options.ledger, options.first_send)
        have = delivered(entries)
        due: list[Delivery] = []
        for d in plan(published, people, defaults):
            prior = have.get((d.memo.id, d.recipient.email.lower()))
            if prior is None:
                due.append(d)
                continue
            if prior.sha256 == d.memo.sha256:
                if prior.result == SENT:
                    report.already.append(d)
                elif options.resend_uncertain:
                    due.append(d)
                else:
                    report.held.append((d, prior))
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

        def record(d: Delivery, result: str, detail: str = "", message_id: str = "") -> None:
            real = result != DRY_RUN
            ledger.append(
                Entry(
                    published.edition,
                    d.memo.id,
                    d.recipient.email,
                    d.memo.sha256,
                    utc_now(),
                    result,
                    detail,
                    message_id=message_id,
                    input_digest=published.input_digest if real else "",
                    manifest_sha256=published.manifest_sha256 if real else "",
                    approved_by=approver,
                )
            )

        def letter(group: list[Delivery]) -> Letter:
            return letter_for(
                group,
                published.edition,
                base_url,
                lambda path: read_unchanged(
                    path, next(d.memo.sha256 for d in group if d.memo.pdf_path == path)
                ),
            )

        if settings is None:
            outbox = options.path(options.outbox)
            for group in by_recipient(due):
                target = eml_path(outbox, published.edition, group[0].recipient)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(build_message(letter(group), sender_text).as_bytes())
                shown = target.relative_to(root) if target.is_relative_to(root) else target
                for d in group:
                    record(d, DRY_RUN, str(shown))
                    progress.update(True)
                report.written.append(target)
        else:

            def on_retry(detail: str, wait: float) -> None:
                progress.note(f"send: {detail}; retrying in {wait:g} s")

            mailer = Mailer(settings, options.backoff, options.sleep, on_retry)
            with mailer:
                _deliver(due, mailer, sender_text, sender_address, letter, record, progress, report)
        progress.finish()
    return report


def _deliver(
    due: list[Delivery],
    mailer: Mailer,
    sender_text: str,
    sender_address: str,
    letter_for: Callable[[list[Delivery]], Letter],
    record: Callable[..., None],
    progress: Progress,
    report: Report,
) -> None:
    """Send each recipient's message through ``mailer``, recording every delivery in the ledger."""
    groups = by_recipient(due)
    for index, group in enumerate(groups):
        message = build_message(letter_for(group), sender_text)
        message_id = str(message["Message-ID"])
        try:
            mailer.send(message, sender_address, group[0].recipient.email)
        except DeliveryError as err:
            if err.fatal:
                # Nothing else can succeed (authentication, TLS): stop, record nothing.
                report.stopped = err.detail
                report.not_attempted.extend(d for g in groups[index:] for d in g)
                return
            if err.uncertain:
                # The server has the whole message and may have delivered it: never retried here.
                for d in group:
                    record(d, UNCERTAIN, err.detail, message_id)
                    report.uncertain.append((d, err.detail))
                    progress.update(False)
                continue
            result = FAILED_PERMANENT if err.permanent else FAILED_TRANSIENT
            for d in group:
                record(d, result, err.detail, message_id)
                report.failed.append((d, result, err.detail))
                progress.update(False)
            if err.unreachable:
                # The server could not be reached even after the retries: the rest would wait
                # out the same backoff one by one. Leave them for the next run.
                report.stopped = f"SMTP server unreachable ({err.detail})"
                report.not_attempted.extend(d for g in groups[index + 1 :] for d in g)
                return
            continue
        # The server has accepted the message: record it before anything else can go wrong.
        for d in group:
            record(d, SENT, "", message_id)
            report.sent.append(d)
            progress.update(True)


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
        resend_uncertain=bool(getattr(args, "resend_uncertain", False)),
        first_send=bool(getattr(args, "first_send", False)),
        approved_by=getattr(args, "approved_by", None) or "",
        base_url=args.base_url or env.get("MEMO_BASE_URL", ""),
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

    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        # The defensive reader: no aliases, bounded nesting, duplicate keys refused.
        data = load_yaml_with_lines(root / "config/config.yaml", "config/config.yaml").data
    except (OSError, yaml.YAMLError):
        return ""
    value = data.get("base_url") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
