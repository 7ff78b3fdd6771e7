"""Translation catalogues: gettext messages read from templates/locale/<lang>/LC_MESSAGES/memo.po.

English is the source language and needs no catalogue. The .po file is compiled in memory by Babel,
so translators edit one text file and nothing compiled is committed.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "memo"


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
