"""memo.render.i18n: a language's catalogue, compiled in memory from its .po file."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.render.i18n import catalogue_path, translations
from unit.support import REPO, write

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Bottom line"
msgstr "要点"

#, fuzzy
msgid "Key figures"
msgstr "主な数字"

msgid "Charts"
msgstr ""
"""


def test_english_is_the_source_language() -> None:
    assert translations(REPO / "templates", "en").gettext("Bottom line") == "Bottom line"


def test_korean_comes_from_the_projects_catalogue() -> None:
    assert translations(REPO / "templates", "ko").gettext("about {x}") == "약 {x}"


def test_only_confirmed_translations_are_used(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(catalogue_path(templates, "ja"), PO)
    ja = translations(templates, "ja")
    assert ja.gettext("Bottom line") == "要点"
    assert ja.gettext("Key figures") == "Key figures"  # fuzzy: waits for a translator
    assert ja.gettext("Charts") == "Charts"  # not translated yet


def test_a_language_without_a_catalogue_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        translations(tmp_path / "templates", "fr")
    assert str(raised.value) == (
        f"{tmp_path / 'templates/locale/fr/LC_MESSAGES/memo.po'}: no translation catalogue for "
        "language 'fr'"
    )
