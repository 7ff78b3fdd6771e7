"""What a real send needs before it starts: a named sign-off (``--approved-by``) and a ledger that
remembers earlier sends (``--first-send`` for the project's first)."""

from __future__ import annotations

import re

from memo.distribute.ledger import (
    Entry,
    has_real_sends,
)

# Control characters: never in a name written to the ledger and printed by `memo ledger`.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SendRefused(RuntimeError):
    """A real send that must not start: no sign-off, or no memory of earlier sends."""


def check_approver(name: str) -> str:
    """Return the approver's name, stripped; raise SendRefused if there is none or it is unsafe."""
    cleaned = name.strip()
    if not cleaned:
        raise SendRefused(
            "a real send needs a named sign-off: pass --approved-by NAME, the person who checked "
            "this edition (in CI, the reviewer who approved the memo-mail environment)"
        )
    if _CONTROL.search(cleaned) or len(cleaned) > 200:
        raise SendRefused("--approved-by: write a name on one line, without control characters")
    return cleaned


def check_ledger_memory(entries: list[Entry], shown: str, first_send: bool) -> None:
    """Refuse a real send on a ledger that remembers no earlier send, unless it is the first one.

    A missing or empty ledger is what a lost ledger looks like (an expired artifact, a fresh
    clone): sending then would mail every recipient everything again.
    """
    remembers = has_real_sends(entries)
    if not remembers and not first_send:
        raise SendRefused(
            f"{shown} records no earlier send. If the ledger was lost, restore it first (the "
            "memo-ledger branch, docs/distribution.md); if this really is the first send of this "
            "project, pass --first-send"
        )
    if remembers and first_send:
        raise SendRefused(
            f"--first-send, but {shown} already records sends: drop --first-send "
            "(what was delivered is not sent again)"
        )
