"""memo.distribute.report: a send's outcome by delivery, its exit status and closing summary."""

from __future__ import annotations

from pathlib import Path

from memo.distribute.ledger import SENT, UNCERTAIN, Entry
from memo.distribute.published import Delivery, PublishedMemo
from memo.distribute.recipients import Recipient
from memo.distribute.report import Report, format_report


def delivery(memo_id: str, email: str) -> Delivery:
    memo = PublishedMemo(memo_id, "m", "a", "en", "T", "", "", Path("x.pdf"), "b" * 64)
    return Delivery(memo, Recipient("N", email, "X", ("a",), "en"))


def prior(result: str) -> Entry:
    return Entry("2025-09-08", "m-en", "a@x.org", "a" * 64, "2025-09-08T06:00:00Z", result)


def test_held_back_deliveries_are_listed_but_only_failures_fail_the_run() -> None:
    report = Report(edition="2025-09-15", dry_run=False)
    report.sent.append(delivery("m-en", "a@x.org"))
    report.unchanged.append((delivery("m-en", "b@x.org"), prior(SENT)))
    report.held.append((delivery("m-en", "c@x.org"), prior(UNCERTAIN)))
    assert report.ok
    text = format_report(report, "outbox")
    assert text.startswith(
        "memo send (sent), edition 2025-09-15:\n  1 sent\n  0 already delivered\n"
    )
    assert "  1 unchanged since the edition the recipient has, not sent (use --all):\n" in text
    assert "    m-en -> b@x.org: delivered 2025-09-08T06:00:00Z\n" in text
    assert "    m-en -> c@x.org: uncertain since 2025-09-08T06:00:00Z\n" in text
    report.uncertain.append((delivery("m-en", "d@x.org"), "connection dropped"))
    assert not report.ok
    assert "    m-en -> d@x.org: connection dropped\n" in format_report(report, "outbox")


def test_a_dry_run_says_where_the_messages_are_and_that_nothing_was_sent() -> None:
    report = Report(edition="2025-09-15", written=[Path("outbox/2025-09-15/a@x.org.eml")])
    text = format_report(report, "outbox/")
    assert "  1 message(s) written to outbox/2025-09-15/ for review\n" in text
    assert text.endswith("  nothing was sent: review the .eml files, then run again with --send\n")
