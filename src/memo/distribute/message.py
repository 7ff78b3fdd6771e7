"""Build the e-mail that carries a recipient's memos of an edition: one message, every PDF.

The subject carries the marking and the publisher ("[For official use] Policy Memo Unit: ..."); the
body names the edition date in words, each memo with its bottom line and, when ``base_url`` is set,
its web edition and the index.

Messages use ``email.policy.SMTP`` (CRLF line ends, RFC 2047 encoded words for non-ASCII headers,
RFC 2231 parameters for non-ASCII attachment names). Every value that reaches a header is passed
through :func:`header_text` or checked by :func:`check_address`, so a title or a name holding a line
break can never add a header of its own (header injection).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr

# Headers are folded only past RFC 5322's 998-character line limit: Python's folding of a long
# non-ASCII header can put the space between two words outside the encoded words, where a reader
# drops it ("한미 관세" arrives as "한미관세"), and a subject with marking, publisher and a Korean
# title is long enough to be folded.
POLICY = SMTP.clone(max_line_length=998)
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: never in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Characters that file systems or mail clients refuse in a file name.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|]')
# A plain address: ASCII local part and a dotted domain. Deliberately stricter than RFC 5322.
ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)

# Body wording per language; a language not listed gets English. {date} is the edition date in
# words, {count} the number of memos.
BODY_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Dear {name},",
        "intro_one": "Please find attached the memo of the edition of {date}:",
        "intro_many": "Please find attached the {count} memos of the edition of {date}:",
        "subject_many": "{count} memos of {date}",
        "bottom_line": "Bottom line",
        "changes": "What has changed since the edition you received ({edition}):",
        "attached_one": "The memo is attached as a PDF ({files}).",
        "attached_many": "The memos are attached as PDFs: {files}.",
        "online": "Read it online",
        "index": "All memos of this edition",
        "closing": "This message was sent automatically; reply to reach the memo team.",
    },
    "ko": {
        "greeting": "{name} 님께,",
        "intro_one": "{date}자 정책 메모를 보내 드립니다:",
        "intro_many": "{date}자 정책 메모 {count}건을 보내 드립니다:",
        "subject_many": "{date}자 메모 {count}건",
        "bottom_line": "핵심 결론",
        "changes": "받으신 {edition}판 이후 달라진 점:",
        "attached_one": "메모는 PDF 파일({files})로 첨부되어 있습니다.",
        "attached_many": "메모는 PDF 파일로 첨부되어 있습니다: {files}.",
        "online": "온라인으로 읽기",
        "index": "이번 호의 모든 메모",
        "closing": "이 메일은 자동으로 발송되었습니다. 회신하시면 메모 담당자에게 전달됩니다.",
    },
}


@dataclass(frozen=True)
class Enclosure:
    """One memo a message carries: its PDF, its words, and its web edition ("" for none)."""

    memo_id: str
    title: str
    bottom_line: str
    language: str
    pdf: bytes
    pdf_sha256: str
    link: str = ""
    # What changed since the edition the reader received (sentences in the memo's language) and
    # that edition's date; empty for a reader who gets the memo for the first time.
    changes: tuple[str, ...] = ()
    since: str = ""


@dataclass(frozen=True)
class Letter:
    """What one message says: the memos of an edition for one recipient, in the recipient's
    language (``language``), with the edition date in words, the marking and the publisher."""

    edition: str
    language: str
    recipient_name: str
    recipient_email: str
    memos: tuple[Enclosure, ...]
    edition_date_text: str = ""
    marking: str = ""
    publisher: str = ""
    index_link: str = ""

    def words(self) -> dict[str, str]:
        return BODY_TEXT.get(self.language, BODY_TEXT["en"])

    @property
    def date(self) -> str:
        return self.edition_date_text or self.edition


def header_text(value: str, limit: int = 200) -> str:
    """Return ``value`` made safe for a header: control characters and line breaks become spaces.

    An RFC 2047 encoded word typed into the text (``=?utf-8?q?=0D=0ABcc:...?=``) is broken up with a
    space: Python's header parser (and mail programs) would decode it, line breaks included, and
    the message would be written with a header of the attacker's choosing.
    """
    cleaned = " ".join(_CONTROL.sub(" ", value).split()).replace("=?", "= ?")
    return cleaned[:limit].rstrip()


def check_address(address: str) -> str:
    """Return ``address`` if it is a plain ``name@domain`` address; raise ``ValueError`` if not."""
    if not ADDRESS.match(address) or len(address) > 254:
        raise ValueError(f"{address!r} is not an e-mail address (write it as name@domain)")
    return address


def parse_sender(value: str) -> tuple[str, str]:
    """Split a sender such as ``Memo team <memos@example.org>`` into a checked (name, address)."""
    if _CONTROL.search(value):
        raise ValueError("the sender contains a line break or control character")
    name, address = parseaddr(value)
    return header_text(name), check_address(address)


def attachment_name(title: str, edition: str) -> str:
    """Return the PDF file name a reader sees: title and edition (``한미 관세 2025-09-15.pdf``)."""
    stem = _UNSAFE_FILENAME.sub(" ", header_text(title, limit=120))
    stem = " ".join(stem.split()).strip(". ") or "memo"
    return f"{stem} {edition}.pdf" if edition else f"{stem}.pdf"


def message_id(letter: Letter, domain: str) -> str:
    """Return a Message-ID fixed by the memos, their PDFs and the recipient, so that a repeated
    send is recognisable."""
    who = hashlib.sha256(letter.recipient_email.lower().encode()).hexdigest()[:16]
    what = hashlib.sha256(
        " ".join(f"{m.memo_id}:{m.pdf_sha256}" for m in letter.memos).encode()
    ).hexdigest()[:16]
    first = letter.memos[0].memo_id if letter.memos else "memo"
    return f"<{first}.{what}.{who}@{domain}>"


def subject(letter: Letter) -> str:
    """The subject: marking and publisher, then the memo's title or how many memos of which date."""
    words = letter.words()
    if len(letter.memos) == 1:
        what = letter.memos[0].title
    else:
        what = words["subject_many"].format(count=len(letter.memos), date=letter.date)
    who = f"{letter.publisher}: " if letter.publisher else ""
    mark = f"[{letter.marking}] " if letter.marking else ""
    return header_text(mark + who + what)


def filenames(letter: Letter) -> list[str]:
    """The PDF file names a reader sees, one per memo, each distinct."""
    names: list[str] = []
    for m in letter.memos:
        name = attachment_name(m.title, letter.edition)
        if name in names:
            name = attachment_name(f"{m.title} {m.memo_id}", letter.edition)
        names.append(name)
    return names


def body_text(letter: Letter) -> str:
    """Return the plain-text body: greeting, the date in words, each memo (title, bottom line,
    link), the attachments and the index link."""
    words = letter.words()
    name = header_text(letter.recipient_name) or letter.recipient_email
    many = len(letter.memos) > 1
    intro = words["intro_many" if many else "intro_one"]
    lines = [
        words["greeting"].format(name=name),
        "",
        intro.format(date=letter.date, count=len(letter.memos)),
        "",
    ]
    for m in letter.memos:
        lines.append(f"    {m.title}")
        if m.bottom_line:
            lines.append(f"    {words['bottom_line']}: {m.bottom_line}")
        if m.link:
            lines.append(f"    {words['online']}: {m.link}")
        if m.changes:
            lines.append("    " + words["changes"].format(edition=m.since))
            lines += [f"      - {change}" for change in m.changes]
        lines.append("")
    files = ", ".join(filenames(letter))
    lines.append(words["attached_many" if many else "attached_one"].format(files=files))
    if letter.index_link:
        lines.append(f"{words['index']}: {letter.index_link}")
    lines += ["", "-- ", words["closing"], ""]
    return "\n".join(lines)


def body_html(letter: Letter) -> str:
    """Return the HTML body: the same content as :func:`body_text`, every value escaped."""
    words = letter.words()
    esc = html.escape
    name = header_text(letter.recipient_name) or letter.recipient_email
    many = len(letter.memos) > 1
    intro = words["intro_many" if many else "intro_one"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(letter.language)}"><head><meta charset="utf-8">',
        f"<title>{esc(subject(letter))}</title></head><body>",
        f"<p>{esc(words['greeting'].format(name=name))}</p>",
        f"<p>{esc(intro.format(date=letter.date, count=len(letter.memos)))}</p>",
    ]
    for m in letter.memos:
        parts.append(f'<h1 lang="{esc(m.language)}">{esc(m.title)}</h1>')
        if m.bottom_line:
            label = esc(words["bottom_line"])
            parts.append(
                f'<p><strong>{label}:</strong> <span lang="{esc(m.language)}">'
                f"{esc(m.bottom_line)}</span></p>"
            )
        if m.link:
            parts.append(f'<p><a href="{esc(m.link, quote=True)}">{esc(words["online"])}</a></p>')
        if m.changes:
            parts.append(f"<p>{esc(words['changes'].format(edition=m.since))}</p>")
            parts.append(
                f'<ul lang="{esc(m.language)}">'
                + "".join(f"<li>{esc(c)}</li>" for c in m.changes)
                + "</ul>"
            )
    files = ", ".join(filenames(letter))
    parts.append(
        f"<p>{esc(words['attached_many' if many else 'attached_one'].format(files=files))}</p>"
    )
    if letter.index_link:
        parts.append(
            f'<p><a href="{esc(letter.index_link, quote=True)}">{esc(words["index"])}</a></p>'
        )
    parts += [f"<p><small>{esc(words['closing'])}</small></p>", "</body></html>", ""]
    return "\n".join(parts)


def build_message(
    letter: Letter,
    sender: str,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """Build the message for ``letter``: text and HTML bodies and every memo's PDF attached.

    ``sender`` is ``"Name <address>"`` or a bare address. Raises ``ValueError`` if the sender or the
    recipient address is not a plain address, or the letter carries no memo; names and titles are
    sanitised, never trusted.
    """
    if not letter.memos:
        raise ValueError("a message carries at least one memo")
    sender_name, sender_address = parse_sender(sender)
    recipient_address = check_address(letter.recipient_email)
    domain = sender_address.rpartition("@")[2]
    when = now or dt.datetime.now(dt.UTC)

    msg = EmailMessage(policy=POLICY)
    # formataddr quotes names with specials and RFC 2047-encodes non-ASCII ones; Address() then
    # checks the result parses back to exactly one mailbox.
    msg["From"] = formataddr((sender_name, sender_address))
    msg["To"] = formataddr((header_text(letter.recipient_name), recipient_address))
    msg["Subject"] = subject(letter)
    msg["Date"] = format_datetime(when.astimezone(dt.UTC), usegmt=True)
    msg["Message-ID"] = message_id(letter, domain)
    msg["X-Memo-Id"] = header_text(" ".join(m.memo_id for m in letter.memos), limit=900)
    msg["X-Memo-Edition"] = header_text(letter.edition)
    msg["X-Memo-SHA256"] = " ".join(m.pdf_sha256 for m in letter.memos)
    _check_single_mailbox(msg, "To", recipient_address)

    msg.set_content(body_text(letter), cte="quoted-printable")
    msg.add_alternative(body_html(letter), subtype="html", cte="quoted-printable")
    for m, filename in zip(letter.memos, filenames(letter), strict=True):
        msg.add_attachment(m.pdf, maintype="application", subtype="pdf", filename=filename)
    # Set last: set_content() and add_attachment() move Content-* headers into the body parts.
    msg["Content-Language"] = header_text(letter.language, limit=35)
    return msg


def _check_single_mailbox(msg: EmailMessage, header: str, address: str) -> None:
    """Raise ``ValueError`` unless ``header`` names exactly the one mailbox ``address``."""
    addresses: tuple[Address, ...] = msg[header].addresses
    if len(addresses) != 1 or addresses[0].addr_spec.lower() != address.lower():
        raise ValueError(f"{header} does not name exactly {address}")
