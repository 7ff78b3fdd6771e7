"""What a send did: the deliveries by outcome (sent, written for review, already delivered,
unchanged, changed, failed, uncertain, held, not attempted), its exit status and its closing
summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from memo.distribute.ledger import Entry
from memo.distribute.published import Delivery


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
    # dropped after the whole message went out in this run: (delivery, detail)
    uncertain: list[tuple[Delivery, str]] = field(default_factory=list)
    # uncertain in an earlier run and not resent (no resend_uncertain)
    held: list[tuple[Delivery, Entry]] = field(default_factory=list)
    not_attempted: list[Delivery] = field(default_factory=list)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing failed or dropped in this run and nothing was left unattempted.

        Deliveries held back on purpose (changed, uncertain from an earlier run) are listed in the
        report but do not fail the run: they wait for an explicit --resend-* option.
        """
        return not (self.failed or self.uncertain or self.not_attempted or self.stopped)


def format_report(report: Report, outbox_display: str) -> str:
    """Return the closing summary: counts, then the changed, failed, uncertain and unattempted
    deliveries."""
    mode = "dry run" if report.dry_run else "sent"
    lines = [f"memo send ({mode}), edition {report.edition or '?'}:"]
    if report.dry_run:
        where = f"{outbox_display.rstrip('/')}/{report.edition}/"
        lines.append(f"  {len(report.written)} message(s) written to {where} for review")
    else:
        lines.append(f"  {len(report.sent)} sent")
    lines.append(f"  {len(report.already)} already delivered")

    def listed(items: list, heading: str, line: Callable[..., str]) -> None:
        if items:
            lines.append(f"  {len(items)} {heading}")
            lines.extend(f"    {line(*item)}" for item in items)

    listed(
        report.unchanged,
        "unchanged since the edition the recipient has, not sent (use --all):",
        lambda d, prior: f"{d.memo.id} -> {d.recipient.email}: delivered {prior.time}",
    )
    listed(
        report.changed,
        "changed, not sent: the edition the recipient has is no longer kept, so what changed is "
        "unknown (use --all):",
        lambda d, prior: (
            f"{d.memo.id} -> {d.recipient.email}: delivered {prior.time} "
            f"(pdf {prior.sha256[:12]}), now pdf {d.memo.sha256[:12]}"
        ),
    )
    listed(
        report.failed,
        "failed:",
        lambda d, result, detail: f"{d.memo.id} -> {d.recipient.email}: {result}: {detail}",
    )
    listed(
        report.uncertain,
        "uncertain: the connection dropped after the whole message went out, so it may have "
        "arrived; not retried (memo ledger lists them):",
        lambda d, detail: f"{d.memo.id} -> {d.recipient.email}: {detail}",
    )
    listed(
        report.held,
        "uncertain from an earlier run, not sent again (check, then use --resend-uncertain):",
        lambda d, prior: f"{d.memo.id} -> {d.recipient.email}: uncertain since {prior.time}",
    )
    if report.stopped:
        lines.append(f"  stopped: {report.stopped}")
    if report.not_attempted:
        lines.append(f"  {len(report.not_attempted)} not attempted (run again to send them)")
    if report.dry_run and report.written:
        lines.append("  nothing was sent: review the .eml files, then run again with --send")
    return "\n".join(lines) + "\n"
