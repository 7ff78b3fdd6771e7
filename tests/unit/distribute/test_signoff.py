"""memo.distribute.signoff: a real send starts only with a named sign-off and a ledger that
remembers earlier sends (or the explicit first send)."""

from __future__ import annotations

import pytest

from memo.distribute.ledger import DRY_RUN, SENT, Entry
from memo.distribute.signoff import SendRefused, check_approver, check_ledger_memory


def entry(result: str) -> Entry:
    return Entry("2025-09-15", "m-en", "a@b.org", "0" * 64, "2025-09-15T06:00:00Z", result)


def test_the_approver_is_named_on_one_line() -> None:
    assert check_approver("  Dana Whitfield ") == "Dana Whitfield"
    with pytest.raises(SendRefused, match="--approved-by NAME"):
        check_approver("   ")
    with pytest.raises(SendRefused, match="without control characters"):
        check_approver("Dana\nBcc: everyone@example.org")
    with pytest.raises(SendRefused, match="without control characters"):
        check_approver("x" * 201)


def test_a_ledger_without_real_sends_needs_first_send_and_only_then() -> None:
    for lost in ([], [entry(DRY_RUN)]):  # missing, or dry runs only: what a lost ledger looks like
        with pytest.raises(SendRefused, match="records no earlier send.*--first-send"):
            check_ledger_memory(lost, "ledger/deliveries.jsonl", first_send=False)
        check_ledger_memory(lost, "ledger/deliveries.jsonl", first_send=True)
    remembers = [entry(DRY_RUN), entry(SENT)]
    check_ledger_memory(remembers, "ledger/deliveries.jsonl", first_send=False)
    with pytest.raises(SendRefused, match="already records sends: drop --first-send"):
        check_ledger_memory(remembers, "ledger/deliveries.jsonl", first_send=True)
