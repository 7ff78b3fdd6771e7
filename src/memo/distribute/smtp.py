"""SMTP delivery with retries: settings from the environment, transient and permanent failures.

Settings come only from environment variables (``MEMO_SMTP_HOST``, ``MEMO_SMTP_PORT``,
``MEMO_SMTP_USER``, ``MEMO_SMTP_PASSWORD``, ``MEMO_SMTP_STARTTLS``), never from files. The
password is kept out of every message, ``repr`` and log line this module produces.

Failures are sorted by what retrying can do:
- transient: connection refused or dropped, time-outs, 4xx replies; retried with backoff;
- permanent: 5xx replies, a rejected address; recorded, never retried in the same run;
- fatal: the server can never accept anything from us (authentication refused, no STARTTLS);
  the run stops, since every other message would fail the same way;
- uncertain: the server received the whole message (the final ``.`` of DATA went out) and the
  connection then dropped or timed out before its reply. The message may have been delivered, so
  it is never retried: the caller records it and a later run resends it only when asked.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class SettingsError(ValueError):
    """The MEMO_SMTP_* environment variables are missing or malformed."""


class DeliveryError(Exception):
    """A message was not delivered; ``permanent`` says whether retrying could help."""

    def __init__(
        self,
        detail: str,
        permanent: bool,
        fatal: bool = False,
        unreachable: bool = False,
        uncertain: bool = False,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.fatal = fatal
        self.unreachable = unreachable  # no session could be opened: not this message's fault
        self.uncertain = uncertain  # the whole message went out, no reply came: maybe delivered


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect. The password never appears in ``repr``."""

    host: str
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    timeout: float = 60.0

    def describe(self) -> str:
        """Return a one-line description safe to print: no password, not even its length."""
        login = f" as {self.user}" if self.user else ""
        tls = "STARTTLS" if self.starttls else "no TLS"
        return f"{self.host}:{self.port} ({tls}){login}"


def settings_from_env(env: Mapping[str, str]) -> SmtpSettings:
    """Read settings from the ``MEMO_SMTP_*`` variables; raise SettingsError if unusable."""
    host = env.get("MEMO_SMTP_HOST", "").strip()
    if not host:
        raise SettingsError("MEMO_SMTP_HOST is not set (the SMTP server to send through)")
    starttls_text = env.get("MEMO_SMTP_STARTTLS", "true").strip().lower()
    if starttls_text not in TRUE | FALSE:
        raise SettingsError(f"MEMO_SMTP_STARTTLS is {starttls_text!r}: write true or false")
    starttls = starttls_text in TRUE
    port_text = env.get("MEMO_SMTP_PORT", "").strip() or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"MEMO_SMTP_PORT is {port_text!r}: write a port number such as 587")
    user = env.get("MEMO_SMTP_USER", "")
    password = env.get("MEMO_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise SettingsError("set both MEMO_SMTP_USER and MEMO_SMTP_PASSWORD, or neither")
    if password and not starttls and host not in LOOPBACK:
        raise SettingsError(
            f"refusing to send the SMTP password unencrypted to {host}: set MEMO_SMTP_STARTTLS=true"
        )
    return SmtpSettings(host, int(port_text), user, password, starttls)


@dataclass(frozen=True)
class Backoff:
    """Retry policy: ``retries`` more attempts after the first, waiting ``delay * factor**n``."""

    retries: int = 4
    delay: float = 2.0
    factor: float = 2.0
    max_delay: float = 120.0

    def delays(self) -> list[float]:
        """Return the waits before each retry, in order."""
        return [min(self.delay * self.factor**n, self.max_delay) for n in range(self.retries)]


def classify(exc: BaseException) -> DeliveryError:
    """Turn an smtplib or socket exception into a :class:`DeliveryError` saying if it may pass."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(f"authentication refused ({exc.smtp_code})", True, fatal=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"server does not support {exc}", True, fatal=True)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(f"TLS failed: {exc.reason or exc}", True, fatal=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _reply_error(code, text, "recipient refused")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_error(exc.smtp_code, exc.smtp_error, "server replied")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"connection dropped: {exc}", False)
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryError("connection refused", False)
    if isinstance(exc, socket.timeout | TimeoutError):
        return DeliveryError("timed out", False)
    if isinstance(exc, OSError | smtplib.SMTPException):
        return DeliveryError(f"{type(exc).__name__}: {exc}", False)
    raise exc


def _reply_error(code: int, text: bytes | str, what: str) -> DeliveryError:
    """Return the error for an SMTP reply: 4xx transient, anything else permanent."""
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    message = " ".join(message.split())
    return DeliveryError(f"{what}: {code} {message}", permanent=not 400 <= code < 500)


class _SMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that notes when the end of a message's DATA has been handed to the socket.

    After that point only the server's final reply is missing, and a message whose reply never
    comes may have been delivered. The standard library's ``data`` sends the command, reads the
    354, then sends the whole body ending in ``CRLF.CRLF`` in one ``send``: that call is the mark.
    """

    data_sent = False
    _in_data = False

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.data_sent, self._in_data = False, True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: bytes | str) -> None:
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = True  # sendall returned: the server has the whole message


class Mailer:
    """One SMTP session reused across messages, reopened after any failure."""

    def __init__(
        self,
        settings: SmtpSettings,
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str, float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.backoff = backoff
        self.sleep = sleep
        self.on_retry = on_retry
        self._smtp: _SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> _SMTP:
        """Return the open session, connecting, securing and logging in if needed."""
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp = _SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password)
        except BaseException:
            _close_quietly(smtp)
            raise
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        """Say QUIT if the session is open; ignore a server that already left."""
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                _close_quietly(smtp)

    def send_once(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Hand ``message`` to the server for ``recipient`` once; raise DeliveryError on failure."""
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            err = classify(exc)
            err.unreachable = not err.permanent
            raise err from exc
        smtp.data_sent = False  # set again by this transaction only
        try:
            smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except (OSError, smtplib.SMTPException) as exc:
            # Start the next attempt on a fresh connection: after an error mid-transaction the
            # server's state is unknown.
            if self._smtp is not None:
                _close_quietly(self._smtp)
                self._smtp = None
            err = classify(exc)
            if smtp.data_sent and not isinstance(exc, smtplib.SMTPResponseException):
                # No reply to a complete message: it may be in the recipient's mailbox already.
                err = DeliveryError(
                    f"no reply after the whole message was sent ({err.detail}): "
                    "it may have been delivered",
                    permanent=False,
                    uncertain=True,
                )
            raise err from exc

    def send(self, message: EmailMessage, sender: str, recipient: str) -> int:
        """Send, retrying transient failures; return the attempts used or raise the last error."""
        waits = self.backoff.delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                self.send_once(message, sender, recipient)
                return attempt
            except DeliveryError as err:
                if err.permanent or err.uncertain or attempt > len(waits):
                    raise
                wait = waits[attempt - 1]
                if self.on_retry:
                    self.on_retry(err.detail, wait)
                self.sleep(wait)


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """Close the socket without a QUIT exchange."""
    try:
        smtp.close()
    except OSError:
        pass
