"""The translation catalogue: complete, consistent with the code, and kept up to date by the extractor."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from memo import catalogue, i18n

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / catalogue.TEMPLATE_PATH
LANGUAGES = catalogue.languages(ROOT)
PERCENT = re.compile(r"%\((\w+)\)s")
BRACES = re.compile(r"\{(\w*)\}")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=i18n.DOMAIN)


def _messages(cat) -> dict[str, object]:
    return {m.id: m for m in cat if m.id}


def test_there_is_a_korean_catalogue() -> None:
    assert "ko" in LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    template = _messages(_read(POT))
    cat = _messages(catalogue.read_catalogue(ROOT, lang))
    missing = [mid for mid in template if mid not in cat or not cat[mid].string or cat[mid].fuzzy]
    assert not missing, (
        f"{len(missing)} messages without a confirmed {lang} translation "
        f"(templates/locale/{lang}/LC_MESSAGES/memo.po):\n  " + "\n  ".join(map(repr, missing))
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang: str) -> None:
    problems = []
    for m in catalogue.read_catalogue(ROOT, lang):
        if not m.id or not m.string:
            continue
        for pattern in (PERCENT, BRACES):
            if sorted(pattern.findall(m.id)) != sorted(pattern.findall(m.string)):
                problems.append(
                    f"{m.id!r}: placeholders {pattern.findall(m.id)} -> {pattern.findall(m.string)}"
                )
        names = {n: "x" for n in PERCENT.findall(m.id)}
        templated = any(path.startswith("templates/") for path, _ in m.locations)
        try:
            if templated:
                # Jinja's new-style gettext always %-formats, even without variables.
                m.string % names
            if BRACES.search(m.id):
                m.string.format(**{n: "x" for n in BRACES.findall(m.id)})
        except (KeyError, ValueError, TypeError, IndexError) as e:
            problems.append(f"{m.id!r}: translation does not format ({e})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_gives_every_translation(lang: str) -> None:
    """What render uses (compiled in memory by memo.i18n) returns the translation for each message."""
    trans = i18n.translations(ROOT / "templates", lang)
    wrong = [
        m.id
        for m in catalogue.read_catalogue(ROOT, lang)
        if m.id and trans.gettext(m.id) != m.string
    ]
    assert not wrong


def test_template_is_up_to_date() -> None:
    """The committed memo.pot holds exactly the messages the extractor finds now."""
    committed = set(_messages(_read(POT)))
    current = set(_messages(catalogue.extract(ROOT)))
    assert not current - committed, (
        f"new messages not in memo.pot (run `memo catalogue`): {sorted(current - committed)}"
    )
    assert not committed - current, (
        f"messages no longer used (run `memo catalogue`): {sorted(committed - current)}"
    )


def test_extractor_finds_messages_of_every_kind() -> None:
    ids = set(_messages(catalogue.extract(ROOT)))
    assert "Bottom line" in ids  # template _()
    assert any("%(rate)s" in i for i in ids)  # template {% trans %}
    assert {
        "Note {n}",
        "${amount}",
        "about {x}",
        "rose from {old} in {y0} to {new} in {y1}",
    } <= ids  # code
    assert "tied with {peers} for the highest US tariff rate on any country" in ids  # Wording._fmt
    assert "US tariff rate on imports" in ids  # indicator label
    assert "Trade in the latest year divided by trade in the first year." in ids  # derivation
    assert "Global Partnership on Artificial Intelligence (GPAI)" in ids  # non-country entity
    assert "Brazil" not in ids  # country names come from Babel
    assert "Pahalgam terrorist attack" in ids  # event title
    assert {
        "India's recalibration: what it means for Korea",
        "ROK foreign-policy officials",
        "For official use",
        "Indo-Pacific",
    } <= ids  # memos.yaml


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for rel in ("templates", "data", "config"):
        shutil.copytree(ROOT / rel, root / rel)
    shutil.copytree(
        ROOT / "src" / "memo", root / "src" / "memo", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def test_catalogue_command_adds_new_messages_and_keeps_translations(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    template = root / "templates" / "korea_brief.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            '<h2 id="rec-h">{{ _("Recommendations") }}</h2>',
            '<h2 id="rec-h">{{ _("Recommendations") }}</h2><p>{{ _("A brand-new sentence.") }}</p>',
        ),
        encoding="utf-8",
    )
    events = root / "data" / "events.csv"
    events.write_text(
        events.read_text(encoding="utf-8") + "new_event,2025-10,A brand-new event,article,\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "memo.catalogue", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    pot = _messages(_read(root / catalogue.TEMPLATE_PATH))
    assert {"A brand-new sentence.", "A brand-new event"} <= set(pot)
    ko = _messages(catalogue.read_catalogue(root, "ko"))
    assert ko["A brand-new sentence."].string == ""
    assert (
        ko["Bottom line"].string
        == _messages(catalogue.read_catalogue(ROOT, "ko"))["Bottom line"].string
    )
    # --check now fails and names the untranslated message.
    check = subprocess.run(
        [sys.executable, "-m", "memo.catalogue", "--root", str(root), "--check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 1
    assert "A brand-new sentence." in check.stderr


def test_catalogue_command_starts_a_new_language(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    assert catalogue.run(root, add=["ja"]) == 0
    ja = catalogue.read_catalogue(root, "ja")
    assert set(_messages(ja)) == set(_messages(_read(POT)))
    assert catalogue.languages(root) == sorted({"ja", *LANGUAGES})


def test_check_passes_on_the_project() -> None:
    assert catalogue.run(ROOT, check=True) == 0
