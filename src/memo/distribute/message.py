"""Build the e-mail that carries one memo PDF to one recipient.

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

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: never in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Characters that file systems or mail clients refuse in a file name.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|]')
# A plain address: ASCII local part and a dotted domain. Deliberately stricter than RFC 5322.
ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)

# Body wording per language; a language not listed gets English.
BODY_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Dear {name},",
        "intro": "Please find attached the memo of the {edition} edition:",
        "bottom_line": "Bottom line",
        "changes": "What has changed since the edition you received ({edition}):",
        "attached": "The memo is attached as a PDF ({filename}).",
        "online": "Read it online",
        "closing": "This message was sent automatically; reply to reach the memo team.",
    },
    "ko": {
        "greeting": "{name} 님께,",
        "intro": "{edition}판 정책 메모를 보내 드립니다:",
        "bottom_line": "핵심 결론",
        "changes": "받으신 {edition}판 이후 달라진 점:",
        "attached": "메모는 PDF 파일({filename})로 첨부되어 있습니다.",
        "online": "온라인으로 읽기",
        "closing": "이 메일은 자동으로 발송되었습니다. 회신하시면 메모 담당자에게 전달됩니다.",
    },
}


@dataclass(frozen=True)
class Letter:
    """What one message says: the memo it carries and who it goes to."""

    memo_id: str
    edition: str
    title: str
    bottom_line: str
    language: str
    recipient_name: str
    recipient_email: str
    pdf: bytes
    pdf_sha256: str
    link: str = ""
    # What changed since the edition the reader received (sentences in the memo's language) and
    # that edition's date; empty for a reader who gets the memo for the first time.
    changes: tuple[str, ...] = ()
    since: str = ""


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
    """Return a Message-ID fixed by memo, PDF and recipient, so a repeated send is recognisable."""
    who = hashlib.sha256(letter.recipient_email.lower().encode()).hexdigest()[:16]
    return f"<{letter.memo_id}.{letter.pdf_sha256[:16]}.{who}@{domain}>"


def body_text(letter: Letter, filename: str) -> str:
    """Return the plain-text body: greeting, title, bottom line, attachment note and link."""
    words = BODY_TEXT.get(letter.language, BODY_TEXT["en"])
    name = header_text(letter.recipient_name) or letter.recipient_email
    lines = [
        words["greeting"].format(name=name),
        "",
        words["intro"].format(edition=letter.edition),
        "",
        f"    {letter.title}",
        "",
    ]
    if letter.changes:
        lines.append(words["changes"].format(edition=letter.since))
        lines += [f"  - {change}" for change in letter.changes]
        lines.append("")
    if letter.bottom_line:
        lines += [f"{words['bottom_line']}: {letter.bottom_line}", ""]
    lines.append(words["attached"].format(filename=filename))
    if letter.link:
        lines.append(f"{words['online']}: {letter.link}")
    lines += ["", "-- ", words["closing"], ""]
    return "\n".join(lines)


def body_html(letter: Letter, filename: str) -> str:
    """Return the HTML body: the same content as :func:`body_text`, every value escaped."""
    words = BODY_TEXT.get(letter.language, BODY_TEXT["en"])
    esc = html.escape
    name = header_text(letter.recipient_name) or letter.recipient_email
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(letter.language)}"><head><meta charset="utf-8">',
        f"<title>{esc(letter.title)}</title></head><body>",
        f"<p>{esc(words['greeting'].format(name=name))}</p>",
        f"<p>{esc(words['intro'].format(edition=letter.edition))}</p>",
        f"<h1>{esc(letter.title)}</h1>",
    ]
    if letter.changes:
        parts.append(f"<p>{esc(words['changes'].format(edition=letter.since))}</p>")
        parts.append("<ul>" + "".join(f"<li>{esc(c)}</li>" for c in letter.changes) + "</ul>")
    if letter.bottom_line:
        label = esc(words["bottom_line"])
        parts.append(f"<p><strong>{label}:</strong> {esc(letter.bottom_line)}</p>")
    parts.append(f"<p>{esc(words['attached'].format(filename=filename))}</p>")
    if letter.link:
        parts.append(f'<p><a href="{esc(letter.link, quote=True)}">{esc(words["online"])}</a></p>')
    parts += [f"<p><small>{esc(words['closing'])}</small></p>", "</body></html>", ""]
    return "\n".join(parts)


def build_message(
    letter: Letter,
    sender: str,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """Build the message for ``letter``: text and HTML bodies and the memo PDF attached.

    ``sender`` is ``"Name <address>"`` or a bare address. Raises ``ValueError`` if the sender or the
    recipient address is not a plain address; names and the title are sanitised, never trusted.
    """
    sender_name, sender_address = parse_sender(sender)
    recipient_address = check_address(letter.recipient_email)
    domain = sender_address.rpartition("@")[2]
    filename = attachment_name(letter.title, letter.edition)
    when = now or dt.datetime.now(dt.UTC)

    msg = EmailMessage(policy=SMTP)
    # formataddr quotes names with specials and RFC 2047-encodes non-ASCII ones; Address() then
    # checks the result parses back to exactly one mailbox.
    msg["From"] = formataddr((sender_name, sender_address))
    msg["To"] = formataddr((header_text(letter.recipient_name), recipient_address))
    msg["Subject"] = header_text(letter.title)
    msg["Date"] = format_datetime(when.astimezone(dt.UTC), usegmt=True)
    msg["Message-ID"] = message_id(letter, domain)
    msg["X-Memo-Id"] = header_text(letter.memo_id)
    msg["X-Memo-Edition"] = header_text(letter.edition)
    msg["X-Memo-SHA256"] = letter.pdf_sha256
    _check_single_mailbox(msg, "To", recipient_address)

    msg.set_content(body_text(letter, filename), cte="quoted-printable")
    msg.add_alternative(body_html(letter, filename), subtype="html", cte="quoted-printable")
    msg.add_attachment(letter.pdf, maintype="application", subtype="pdf", filename=filename)
    # Set last: set_content() and add_attachment() move Content-* headers into the body parts.
    msg["Content-Language"] = header_text(letter.language, limit=35)
    return msg


def _check_single_mailbox(msg: EmailMessage, header: str, address: str) -> None:
    """Raise ``ValueError`` unless ``header`` names exactly the one mailbox ``address``."""
    addresses: tuple[Address, ...] = msg[header].addresses
    if len(addresses) != 1 or addresses[0].addr_spec.lower() != address.lower():
        raise ValueError(f"{header} does not name exactly {address}")
