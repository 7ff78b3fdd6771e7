"""memo.distribute.ledger: one line per delivery attempt, appended safely; what was delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.core.problems import DataError
from memo.distribute.ledger import (
    Entry,
    LedgerWriter,
    cli_ledger,
    delivered,
    read_ledger,
    summarize,
)

# ------------------------------------------------------------------------------------------------
# Ledger


def entry(result: str = "sent", recipient: str = "a@example.org", sha: str = "1" * 64) -> Entry:
    return Entry("2025-09-15", "korea-brief-ko", recipient, sha, "2025-09-15T06:00:00Z", result)


def test_ledger_appends_lines_and_knows_what_was_delivered(tmp_path: Path) -> None:
    path = tmp_path / "ledger" / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry("failed-transient"))
        ledger.append(entry("sent"))
        ledger.append(entry("dry-run", "b@example.org"))
    entries = read_ledger(path)
    assert [e.result for e in entries] == ["failed-transient", "sent", "dry-run"]
    assert set(delivered(entries)) == {("korea-brief-ko", "a@example.org")}


def test_a_torn_last_line_is_ignored_then_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry())
    with path.open("a") as f:
        f.write('{"edition": "2025-09-15", "memo": "kor')  # a crash in the middle of a write
    assert len(read_ledger(path)) == 1
    with LedgerWriter(path) as ledger:
        ledger.append(entry(recipient="b@example.org"))
    assert "incomplete last line" in capsys.readouterr().err
    assert [e.recipient for e in read_ledger(path)] == ["a@example.org", "b@example.org"]


def test_a_broken_line_inside_the_ledger_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry())
    with path.open("a") as f:
        f.write("not json\n")
    with pytest.raises(DataError) as caught:
        read_ledger(path, "ledger/deliveries.jsonl")
    assert str(caught.value.problems[0]).startswith(
        "ledger/deliveries.jsonl:2: not a ledger record"
    )


def test_two_runs_cannot_hold_the_ledger_at_once(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.jsonl"
    with LedgerWriter(path), pytest.raises(RuntimeError, match="another `memo send`"):
        LedgerWriter(path).open()


def test_summary_counts_and_lists_open_failures(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ledger" / "deliveries.jsonl"
    with LedgerWriter(path) as ledger:
        ledger.append(entry("sent", "a@example.org"))
        ledger.append(entry("failed-transient", "b@example.org"))
        ledger.append(entry("sent", "b@example.org"))
        ledger.append(
            Entry(
                "2025-09-15",
                "korea-brief-ko",
                "c@example.org",
                "1" * 64,
                "2025-09-15T06:00:01Z",
                "failed-permanent",
                "recipient refused: 550 no such user",
            )
        )
    text = summarize(read_ledger(path), "ledger/deliveries.jsonl")
    assert "edition 2025-09-15" in text
    assert "2 sent, 1 failed-permanent, 1 failed-transient" in text
    assert "delivered to 2 recipient(s)" in text
    assert "not delivered (1)" in text
    assert "c@example.org: failed-permanent" in text and "b@example.org: failed" not in text

    class Args:
        root = str(tmp_path)
        ledger = "ledger/deliveries.jsonl"

    assert cli_ledger(Args()) == 0  # type: ignore[arg-type]
    assert capsys.readouterr().out == text
