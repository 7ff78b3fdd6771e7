"""Translation catalogues: gettext messages read from templates/locale/<lang>/LC_MESSAGES/memo.po.

English is the source language and needs no catalogue. The .po file is compiled in memory by Babel,
so translators edit one text file and nothing compiled is committed.

A language edition never shows a message silently in English: :class:`Checked` hands out the
catalogue's translations and notes every message a memo asks for that has no confirmed (translated,
not fuzzy) entry, so that the render can stop and name it (memo.render.html).
"""

from __future__ import annotations

import gettext
import io
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "memo"
# Placeholders ("{n}", "%(rate)s"): what is left of a message without them, if no letter, needs no
# translation ("{n}%").
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)s")


def catalogue_path(templates: Path, language: str) -> Path:
    """Where a language's catalogue lives."""
    return templates / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def translations(templates: Path, language: str) -> gettext.NullTranslations:
    """Return gettext translations for ``language`` (identity for English)."""
    path = catalogue_path(templates, language)
    if language == "en" or not path.is_file():
        if language != "en":
            raise FileNotFoundError(f"{path}: no translation catalogue for language {language!r}")
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@lru_cache(maxsize=8)
def confirmed(templates: Path, language: str) -> frozenset[str]:
    """Message ids the language's catalogue translates, not fuzzy (all of them for English)."""
    path = catalogue_path(templates, language)
    if language == "en" or not path.is_file():
        return frozenset()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    out = set()
    for m in catalog:
        msgid = m.id[0] if isinstance(m.id, tuple | list) else m.id
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if msgid and all(strings) and not m.fuzzy:
            out.add(msgid)
    return frozenset(out)


def shorten(message: str, limit: int = 90) -> str:
    """A message as an error quotes it: its first words, on one line."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def needs_translation(message: str) -> bool:
    """Whether a message has words to translate (not only placeholders and signs)."""
    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", message))


class Checked:
    """A language's translations for one render, noting each message used without a confirmed
    translation (``pending``, in the order first met). English needs none."""

    def __init__(self, templates: Path, language: str) -> None:
        self.language = language
        self.translations = translations(templates, language)
        self.confirmed = confirmed(templates, language)
        self.pending: list[str] = []

    def _note(self, message: str) -> None:
        if (
            self.language != "en"
            and message
            and message not in self.confirmed
            and message not in self.pending
            and needs_translation(message)
        ):
            self.pending.append(message)

    def gettext(self, message: str) -> str:
        self._note(message)
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._note(singular)
        return self.translations.ngettext(singular, plural, n)
