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


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


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


def test_lines_written_before_sign_off_fields_existed_still_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deliveries.jsonl",
        '{"edition": "2025-06-01", "memo": "us-brief-en", "recipient": "a@example.org", '
        '"sha256": "ab12", "time": "2025-06-01T06:00:00Z", "result": "sent", "detail": ""}\n',
    )
    (old,) = read_ledger(path)
    assert old.result == "sent" and old.approved_by == old.message_id == ""
    with LedgerWriter(path) as ledger:
        ledger.append(entry("dry-run", "b@example.org"))
    # A dry-run line carries no sign-off fields, just as before.
    assert '"approved_by"' not in path.read_text(encoding="utf-8").splitlines()[1]


def test_an_uncertain_delivery_is_held_until_a_confirmed_one(tmp_path: Path) -> None:
    uncertain = Entry(
        "2025-09-15",
        "korea-brief-ko",
        "a@example.org",
        "ab12",
        "2025-09-15T06:00:00Z",
        "uncertain",
        "no reply",
        message_id="<m1@example.org>",
    )
    sent = Entry(
        "2025-09-15", "korea-brief-ko", "a@example.org", "ab12", "2025-09-15T07:00:00Z", "sent"
    )
    key = ("korea-brief-ko", "a@example.org")
    assert delivered([uncertain])[key].result == "uncertain"
    assert delivered([uncertain, sent])[key].result == "sent"
    # A later drop does not undo a confirmed delivery of the same PDF.
    assert delivered([sent, uncertain])[key].result == "sent"
    summary = summarize([uncertain], "ledger/deliveries.jsonl")
    assert "uncertain (1)" in summary and "<m1@example.org>" in summary
    assert "every attempted delivery has succeeded" not in summary
