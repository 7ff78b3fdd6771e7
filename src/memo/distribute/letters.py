"""The messages of a send: one per recipient, carrying each of their due memos (its PDF, read again
and checked against the manifest, its words, its web link and what changed since the edition the
reader has), and where a dry run writes it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from memo.distribute.message import BODY_TEXT, Enclosure, Letter
from memo.distribute.published import Delivery, PublishedMemo
from memo.distribute.recipients import Recipient
from memo.distribute.signoff import SendRefused


def eml_path(outbox: Path, edition: str, recipient: Recipient) -> Path:
    """Return where the dry run writes a recipient's message: ``outbox/<edition>/<address>.eml``."""
    who = re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient.email.lower())
    return outbox / (edition or "edition") / f"{who}.eml"


def memo_link(base_url: str, memo: PublishedMemo) -> str:
    """Return the URL of the memo's HTML under ``base_url``, or "" without a base URL or HTML."""
    if not base_url or not memo.html:
        return ""
    return base_url.rstrip("/") + "/" + quote(memo.html)


def by_recipient(due: list[Delivery]) -> list[list[Delivery]]:
    """The due deliveries as one message per recipient, in plan order."""
    groups: dict[str, list[Delivery]] = {}
    for d in due:
        groups.setdefault(d.recipient.email.lower(), []).append(d)
    return list(groups.values())


def edition_in_words(edition: str, language: str) -> str:
    """The edition date as a reader of ``language`` writes it ("15 September 2025")."""
    import datetime as dt

    from memo.render.fmt import date

    try:
        return date(dt.date.fromisoformat(edition), language)
    except ValueError:  # not an ISO date, or a language Babel does not know
        return edition


def _in_language(values: list[tuple[str, str]], language: str) -> str:
    """Of (language, text) pairs, the text in ``language``, else every distinct text."""
    mine = [text for lang, text in values if lang == language and text]
    return mine[0] if mine else " / ".join(dict.fromkeys(text for _, text in values if text))


def letter_for(
    group: list[Delivery], edition: str, base_url: str, read: Callable[[Path], bytes]
) -> Letter:
    """The message for one recipient's due memos."""
    person = group[0].recipient
    language = person.language if person.language in BODY_TEXT else "en"
    memos = [d.memo for d in group]
    return Letter(
        edition=edition,
        language=language,
        recipient_name=person.name,
        recipient_email=person.email,
        memos=tuple(
            Enclosure(
                memo_id=d.memo.id,
                title=d.memo.title,
                bottom_line=d.memo.bottom_line,
                language=d.memo.language,
                pdf=read(d.memo.pdf_path),
                pdf_sha256=d.memo.sha256,
                link=memo_link(base_url, d.memo),
                changes=d.changes,
                since=d.since,
            )
            for d in group
        ),
        edition_date_text=edition_in_words(edition, language),
        marking=_in_language([(m.language, m.marking) for m in memos], language),
        publisher=_in_language([(m.language, m.publisher) for m in memos], language),
        index_link=base_url.rstrip("/") + "/index.html" if base_url else "",
    )


def read_unchanged(path: Path, sha256: str) -> bytes:
    """The bytes of a PDF to attach, refused if they are no longer those its manifest lists."""
    pdf = path.read_bytes()
    if hashlib.sha256(pdf).hexdigest() != sha256:
        raise SendRefused(f"{path} changed during the send: rebuild, then send")
    return pdf
