"""memo.render.i18n: a language's catalogue, compiled in memory from its .po file."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.render.i18n import (
    Checked,
    catalogue_path,
    confirmed,
    needs_translation,
    shorten,
    translations,
)
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


# ---- which messages an edition uses without a confirmed translation ----------------------------


def test_confirmed_messages_are_translated_and_not_fuzzy(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(catalogue_path(templates, "ja"), PO)
    assert confirmed(templates, "ja") == frozenset({"Bottom line"})
    assert confirmed(templates, "en") == frozenset()


def test_checked_notes_each_message_used_without_a_confirmed_translation(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(catalogue_path(templates, "ja"), PO)
    checked = Checked(templates, "ja")
    assert checked.gettext("Bottom line") == "要点"
    assert checked.gettext("Key figures") == "Key figures"  # fuzzy
    assert checked.gettext("Charts") == "Charts"  # empty
    assert checked.gettext("A new sentence.") == "A new sentence."  # not in the catalogue
    checked.gettext("Charts")  # noted once
    assert checked.ngettext("A new sentence.", "New sentences.", 2) == "New sentences."
    # Placeholders and signs alone need no translation.
    checked.gettext("{n}%")
    checked.gettext("")
    assert checked.pending == ["Key figures", "Charts", "A new sentence."]


def test_english_needs_no_translation() -> None:
    checked = Checked(REPO / "templates", "en")
    checked.gettext("Anything at all")
    assert checked.pending == []


def test_what_needs_translation_and_how_an_error_quotes_it() -> None:
    assert needs_translation("Figure {n}") and needs_translation("%(rate)s a year")
    assert not needs_translation("{n}%") and not needs_translation("%(a)s – %(b)s")
    assert shorten("One  two\nthree") == "One two three"
    assert shorten("x" * 100, limit=10) == "xxxxxxxxx…"
