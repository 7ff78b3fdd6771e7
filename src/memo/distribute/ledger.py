"""The delivery ledger: one JSON line per delivery attempt, appended and fsynced, never rewritten.

Each line holds ``edition``, ``memo``, ``recipient``, ``sha256`` (of the attached PDF), ``time``
(UTC, ISO 8601), ``result`` (one of :data:`RESULTS`) and, for failures, ``detail``. Lines of a real
send also hold the ``message_id``, the edition's ``input_digest`` and ``manifest_sha256``, and who
signed the send off (``approved_by``). A memo counts as delivered to a recipient when a ``sent``
line with the PDF's current sha256 exists; an ``uncertain`` line (the connection dropped after the
server took the whole message, before it confirmed) counts as possibly delivered: it is sent again
only when asked.

The only repair ever made: a last line without its newline (a write cut short by a crash) is
dropped when the ledger is next opened for writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from memo.core.problems import DataError, Problem

SENT = "sent"
FAILED_PERMANENT = "failed-permanent"
FAILED_TRANSIENT = "failed-transient"
DRY_RUN = "dry-run"
UNCERTAIN = "uncertain"
RESULTS = (SENT, UNCERTAIN, FAILED_PERMANENT, FAILED_TRANSIENT, DRY_RUN)
# Results of a real attempt: a ledger holding none of them has no memory of any send.
REAL_RESULTS = (SENT, UNCERTAIN, FAILED_PERMANENT, FAILED_TRANSIENT)
# Optional fields, absent from lines written before they existed; read as "".
OPTIONAL = ("detail", "message_id", "input_digest", "manifest_sha256", "approved_by")


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: what was attempted, for whom, with which PDF, and how it ended."""

    edition: str
    memo: str
    recipient: str
    sha256: str
    time: str
    result: str
    detail: str = ""
    message_id: str = ""
    input_digest: str = ""
    manifest_sha256: str = ""
    approved_by: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """The delivery this line is about: (memo, recipient address in lower case)."""
        return (self.memo, self.recipient.lower())


def utc_now() -> str:
    """Return the current UTC time as ISO 8601 with a ``Z``, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_ledger(path: Path, display_path: str | None = None) -> list[Entry]:
    """Read every complete line of the ledger at ``path`` (none if it does not exist yet).

    A last line without a newline is a write cut short and is ignored; any other line that is not a
    ledger record raises :class:`DataError` with its line number.
    """
    shown = display_path or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    lines.pop()  # the text after the last newline: empty, or a torn write
    entries: list[Entry] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(_entry_from_json(json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(
                Problem(
                    shown,
                    number,
                    "",
                    f"not a ledger record ({exc})",
                    "the ledger is append-only: restore the line from a backup or remove it",
                )
            )
    if problems:
        raise DataError(problems)
    return entries


def _entry_from_json(record: object) -> Entry:
    """Return the :class:`Entry` held by a decoded JSON line; raise ``ValueError`` if none."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    fields = ("edition", "memo", "recipient", "sha256", "time", "result")
    missing = [f for f in fields if not isinstance(record.get(f), str)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if record["result"] not in RESULTS:
        raise ValueError(f"unknown result {record['result']!r}")
    extra = {f: str(record.get(f) or "") for f in OPTIONAL}
    return Entry(**{f: record[f] for f in fields}, **extra)


class LedgerWriter:
    """An open ledger: holds an exclusive lock so two sends never interleave, appends with fsync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def __enter__(self) -> LedgerWriter:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Open the ledger for appending, lock it, and drop a torn last line; raise if locked."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the run, closed in close()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RuntimeError(
                f"{self.path} is locked: another `memo send` is running on this ledger"
            ) from None
        self._file = handle
        self._drop_torn_tail()
        if created:
            _fsync_dir(self.path.parent)

    def _drop_torn_tail(self) -> None:
        """Cut the ledger back to its last newline if a crash left half a line after it."""
        assert self._file is not None
        size = os.fstat(self._file.fileno()).st_size
        if size == 0:
            return
        with open(self.path, "rb") as reader:
            data = reader.read()
        if data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        print(
            f"{self.path}: dropping an incomplete last line (a write cut short): "
            f"{data[keep:][:80]!r}",
            file=sys.stderr,
        )
        os.truncate(self.path, keep)
        os.fsync(self._file.fileno())

    def append(self, entry: Entry) -> None:
        """Append ``entry`` as one JSON line and fsync it before returning."""
        if self._file is None:
            raise RuntimeError("ledger is not open")
        # Optional fields only when set: dry-run and failure lines stay as short as before.
        record = {k: v for k, v in asdict(entry).items() if v or k not in OPTIONAL[1:]}
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        self._file.write(line.encode("utf-8"))
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Release the lock and close the file."""
        if self._file is not None:
            self._file.close()  # closing releases the flock
            self._file = None


def _fsync_dir(folder: Path) -> None:
    """Fsync a folder so that a file just created in it survives a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def delivered(entries: Iterable[Entry]) -> dict[tuple[str, str], Entry]:
    """Return what each (memo, recipient) may already have: its last ``sent`` or ``uncertain`` line.

    A ``sent`` line is never undone by a later ``uncertain`` one for the same PDF (a resend that
    dropped does not make the first copy less delivered).
    """
    last: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.result == SENT:
            last[entry.key] = entry
        elif entry.result == UNCERTAIN:
            prior = last.get(entry.key)
            if not (prior and prior.result == SENT and prior.sha256 == entry.sha256):
                last[entry.key] = entry
    return last


def has_real_sends(entries: Iterable[Entry]) -> bool:
    """True when the ledger remembers at least one real attempt (anything but a dry run)."""
    return any(e.result in REAL_RESULTS for e in entries)


def summarize(entries: list[Entry], display_path: str) -> str:
    """Return a readable summary: counts per edition and memo, who signed each send off, then
    deliveries that may have arrived (uncertain) and those still outstanding."""
    if not entries:
        return f"{display_path}: no deliveries recorded yet\n"
    out = [
        f"{display_path}: {len(entries)} records, {entries[0].time} to {entries[-1].time}",
        "",
    ]
    counts: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    recipients: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    # edition -> {(approver, manifest sha256, input digest)}, in the order first seen
    sign_offs: dict[str, dict[tuple[str, str, str], None]] = defaultdict(dict)
    for e in entries:
        counts[(e.edition, e.memo, e.sha256)][e.result] += 1
        if e.result == SENT:
            recipients[(e.edition, e.memo, e.sha256)].add(e.recipient.lower())
        if e.result in REAL_RESULTS and e.approved_by:
            sign_offs[e.edition][(e.approved_by, e.manifest_sha256, e.input_digest)] = None
    edition = None
    for (ed, memo, sha), counter in counts.items():
        if ed != edition:
            out.append(f"edition {ed}")
            for who, manifest, inputs in sign_offs.get(ed, {}):
                out.append(
                    f"  signed off by {who} (manifest {manifest[:12] or '?'}, "
                    f"inputs {inputs[:12] or '?'})"
                )
            edition = ed
        tally = ", ".join(f"{counter[r]} {r}" for r in RESULTS if counter[r])
        people = len(recipients[(ed, memo, sha)])
        out.append(f"  {memo} (pdf {sha[:12]}): {tally}; delivered to {people} recipient(s)")

    # Latest outcome of each (memo, recipient, pdf): a failure not followed by a success is open.
    latest: dict[tuple[str, str, str], Entry] = {}
    for e in entries:
        if e.result != DRY_RUN:
            latest[(e.memo, e.recipient.lower(), e.sha256)] = e
    open_failures = [e for e in latest.values() if e.result not in (SENT, UNCERTAIN)]
    uncertain = [e for e in latest.values() if e.result == UNCERTAIN]
    out.append("")
    if uncertain:
        out.append(
            f"uncertain ({len(uncertain)}): the server took the whole message, then the "
            "connection dropped before it confirmed; it may have arrived. Ask the recipient or "
            "the mail server's log, then resend with --resend-uncertain (same Message-ID) if not."
        )
        for e in uncertain:
            out.append(f"  {e.memo} -> {e.recipient}: uncertain at {e.time}: {e.message_id}")
    if open_failures:
        out.append(f"not delivered ({len(open_failures)}): last attempt failed")
        for e in open_failures:
            out.append(f"  {e.memo} -> {e.recipient}: {e.result} at {e.time}: {e.detail}")
    elif uncertain:
        out.append("not delivered: none failed")
    else:
        out.append("not delivered: none (every attempted delivery has succeeded)")
    return "\n".join(out) + "\n"


def cli_ledger(args: argparse.Namespace) -> int:
    """Print the summary of the delivery ledger (``memo ledger``)."""
    root = Path(getattr(args, "root", ".") or ".")
    shown = args.ledger
    path = Path(shown) if Path(shown).is_absolute() else root / shown
    try:
        entries = read_ledger(path, shown)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.write(summarize(entries, shown))
    return 0
