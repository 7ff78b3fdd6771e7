"""memo.distribute.smtp: settings from the environment, failures sorted, backoff."""

from __future__ import annotations

import smtplib

import pytest

from memo.distribute.smtp import Backoff, SettingsError, classify, settings_from_env

# ------------------------------------------------------------------------------------------------
# SMTP settings and failure classes


def test_settings_come_from_the_environment_and_hide_the_password() -> None:
    s = settings_from_env(
        {
            "MEMO_SMTP_HOST": "smtp.example.org",
            "MEMO_SMTP_PORT": "2525",
            "MEMO_SMTP_USER": "memo-bot",
            "MEMO_SMTP_PASSWORD": "hunter2-secret",
        }
    )
    assert (s.host, s.port, s.user, s.starttls) == ("smtp.example.org", 2525, "memo-bot", True)
    assert "hunter2-secret" not in repr(s) and "hunter2-secret" not in s.describe()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MEMO_SMTP_HOST is not set"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_PORT": "smtp"}, "MEMO_SMTP_PORT"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_STARTTLS": "maybe"}, "MEMO_SMTP_STARTTLS"),
        ({"MEMO_SMTP_HOST": "h", "MEMO_SMTP_USER": "u"}, "both"),
        (
            {
                "MEMO_SMTP_HOST": "smtp.example.org",
                "MEMO_SMTP_STARTTLS": "false",
                "MEMO_SMTP_USER": "u",
                "MEMO_SMTP_PASSWORD": "topsecret",
            },
            "unencrypted",
        ),
    ],
)
def test_unusable_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        settings_from_env(env)
    assert "topsecret" not in str(caught.value)


def test_failures_are_sorted_into_transient_and_permanent() -> None:
    assert not classify(smtplib.SMTPDataError(451, b"try later")).permanent
    assert classify(smtplib.SMTPDataError(554, b"rejected")).permanent
    refused = smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")})
    assert classify(refused).permanent and "550" in classify(refused).detail
    assert not classify(ConnectionRefusedError()).permanent
    assert not classify(smtplib.SMTPServerDisconnected("gone")).permanent
    assert classify(smtplib.SMTPAuthenticationError(535, b"bad")).fatal


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert Backoff(retries=4, delay=1, factor=2, max_delay=5).delays() == [1, 2, 4, 5]
