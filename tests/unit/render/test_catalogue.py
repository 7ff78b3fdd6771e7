"""memo.render.catalogue (``memo catalogue``): the gettext template kept up to date, each language's
catalogue merged keeping its translations; a language need only translate what its memos show.
The project's own catalogue is checked too: complete, with every placeholder kept."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from memo.render import catalogue, i18n
from memo.render.messages import extract
from unit.support import REPO, make_project

LANGUAGES = catalogue.languages(REPO)
PERCENT = re.compile(r"%\((\w+)\)s")
BRACES = re.compile(r"\{(\w*)\}")
TRADE = "Trade grew %(fold)s; Russia's share of India's crude imports %(oil)s."
TARIFF = "The United States charges %(rate)s on Indian goods, %(standing)s."


@pytest.fixture(autouse=True, scope="module")
def code_messages_once():
    """The package's own messages, read once: each run extracts them again otherwise."""
    from memo.render import messages as extractor

    real, cache = extractor.code_messages, {}

    def once(root: Path):
        key = Path(root).resolve() == REPO
        if key not in cache:
            cache[key] = list(real(root))
        return iter(cache[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extractor, "code_messages", once)
        yield


def messages(cat) -> dict:
    return {m.id: m for m in cat if m.id}


def read(path: Path):
    with path.open("rb") as f:
        return read_po(f, domain=i18n.DOMAIN)


# ---- the command on the small project ----------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small project, its own messages not yet translated into Korean."""
    return make_project(tmp_path / "p", korean=False)


def test_run_writes_the_template_and_keeps_existing_translations(small: Path, capsys) -> None:
    korean_before = messages(catalogue.read_catalogue(small, "ko"))["Bottom line"].string
    assert catalogue.run(small) == 0
    pot = messages(read(small / catalogue.TEMPLATE_PATH))
    assert {TRADE, TARIFF, "Tariffs on India", "Bottom line"} <= set(pot)
    ko = catalogue.read_catalogue(small, "ko")
    assert messages(ko)["Bottom line"].string == korean_before
    # A new message waits for a translator (at most a fuzzy suggestion, which memos do not use).
    assert TRADE in catalogue.missing(ko)
    err = capsys.readouterr().err
    assert "ko: " in err and "messages without a confirmed translation" in err


def test_a_language_translates_only_what_its_memos_show(small: Path) -> None:
    template = extract(small)
    needed = catalogue.required(small, template, "ko")
    # trade-brief is built in Korean: its template, title and chart; tariff-brief is English only.
    assert {TRADE, "US-India trade", "Russia's share of India's crude imports"} <= needed
    assert "Bottom line" in needed
    assert TARIFF not in needed
    assert "Tariffs on India" not in needed
    assert "US tariff rates by country" not in needed  # the chart of the English memo only
    assert catalogue.required(small, template, "ja") == set()  # no memo in Japanese


def test_an_audience_read_only_in_english_needs_no_korean_label(small: Path) -> None:
    memos = small / "config/memos.yaml"
    text = memos.read_text(encoding="utf-8")
    text = text.replace(
        "    label: Officials\n", "    label: Officials\n  desk:\n    label: Arcadia desk\n", 1
    ).replace(
        "  - id: tariff-brief\n    audience: officials", "  - id: tariff-brief\n    audience: desk"
    )
    memos.write_text(text, encoding="utf-8")
    needed = catalogue.required(small, extract(small), "ko")
    assert "Officials" in needed  # the audience of trade-brief, built in Korean
    assert "Arcadia desk" not in needed  # only tariff-brief's, English only


def test_check_changes_nothing_and_names_what_is_missing(small: Path, capsys) -> None:
    pot = small / catalogue.TEMPLATE_PATH
    before = pot.read_bytes()
    assert catalogue.run(small, check=True) == 1
    assert pot.read_bytes() == before
    err = capsys.readouterr().err
    assert f"{catalogue.TEMPLATE_PATH}: new message {TRADE!r} (run `memo catalogue`)" in err
    assert f"templates/locale/ko/LC_MESSAGES/memo.po: no translation for {TRADE!r}" in err
    assert f"no translation for {TARIFF!r}" not in err


def test_a_new_language_starts_with_every_message(small: Path) -> None:
    assert catalogue.run(small, add=["ja"]) == 0
    ja = catalogue.read_catalogue(small, "ja")
    assert set(messages(ja)) == set(messages(read(small / catalogue.TEMPLATE_PATH)))
    assert catalogue.languages(small) == ["ja", "ko"]


def test_the_command_line(small: Path) -> None:
    args = argparse.Namespace(root=str(small), add_language=None, check=False)
    assert catalogue.cli_catalogue(args) == 0
    assert catalogue.main(["--root", str(small), "--check"]) == 1  # Korean lacks the new messages


def test_a_run_with_nothing_new_rewrites_nothing(small: Path) -> None:
    catalogue.run(small)
    pot = small / catalogue.TEMPLATE_PATH
    stamp = pot.stat().st_mtime_ns
    catalogue.run(small)
    assert pot.stat().st_mtime_ns == stamp


# ---- memo validate: a language edition never shows a message without a confirmed translation ---


def validate_catalogue(root: Path) -> list[str]:
    from memo.ingest.project import check_project

    project, problems = check_project(root)
    assert problems == [] and project is not None
    return [str(p) for p in catalogue.check(root, project)]


def test_validate_names_a_changed_english_message_where_it_is_written(tmp_path: Path) -> None:
    from unit.support import TRADE_TEMPLATE, line_of

    root = make_project(tmp_path / "p")
    assert validate_catalogue(root) == []
    changed = TRADE_TEMPLATE.replace("imports {{ oil }}.", "imports {{ oil }}, and more.")
    (root / "templates/trade_brief.html.j2").write_text(changed, encoding="utf-8")
    line = line_of(changed, '  <p id="bottom-line">')
    assert validate_catalogue(root) == [
        f"templates/trade_brief.html.j2:{line}: message: no confirmed Korean translation of "
        f"{TRADE.replace('.', ', and more.')!r} (update templates/locale/ko/LC_MESSAGES/memo.po: "
        "run memo catalogue, translate it, remove its fuzzy mark)"
    ]


def test_validate_names_every_message_of_a_new_korean_memo(small: Path) -> None:
    found = validate_catalogue(small)
    assert any(
        "templates/trade_brief.html.j2:5: message: " in p and "Trade grew" in p for p in found
    )
    assert any(p.startswith("config/memos.yaml:") and "'US-India trade'" in p for p in found)
    assert not any("Tariffs on India" in p for p in found)  # an English-only memo's title


def test_another_topics_words_need_no_korean(tmp_path: Path) -> None:
    """An English-only memo on a new topic brings entities and indicators no Korean memo shows."""
    from unit.support import DICTIONARY, INDICATORS

    dictionary = DICTIONARY.replace(
        "  WLD: {name: World, kind: world}\n",
        "  WLD: {name: World, kind: world}\n  XAA: {name: Arcadia, kind: region}\n",
    ) + (
        "  fdi_usd_bn:\n    label: Direct investment\n    unit: usd_bn\n"
        "    description: Investment from the entity into the counterpart.\n"
    )
    rows = INDICATORS + "fdi_usd_bn,XAA,,2024,12.5,,,,usd_bn,fn01,\n"
    root = make_project(tmp_path / "p", dictionary=dictionary, indicators=rows)
    assert validate_catalogue(root) == []
    # Without the project, as memo catalogue --check reads it, they are still listed to translate.
    template = extract(root)
    assert {"Arcadia", "Direct investment"} <= catalogue.required(root, template, "ko")
    # Once the Korean memo's topic takes them in, they need Korean.
    memos = root / "config/memos.yaml"
    memos.write_text(
        memos.read_text(encoding="utf-8").replace("RUS, WLD]", "RUS, WLD, XAA]"), encoding="utf-8"
    )
    found = validate_catalogue(root)
    assert [p.split(": ", 2)[2].split(" (")[0] for p in found] == [
        "no confirmed Korean translation of 'Arcadia'",
        "no confirmed Korean translation of 'Direct investment'",
    ]


def test_translations_pending_mark_warns_instead(small: Path, capsys) -> None:
    config = small / "config/config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "translations:\n  pending: mark\n", encoding="utf-8"
    )
    assert validate_catalogue(small) == []
    err = capsys.readouterr().err
    assert "warning: templates/trade_brief.html.j2:5: message: no confirmed Korean" in err
    assert "(published as 'translation pending')" in err


# ---- the project's catalogues ------------------------------------------------------------------


def test_there_is_a_korean_catalogue() -> None:
    assert "ko" in LANGUAGES


def test_the_projects_catalogues_are_up_to_date_and_complete(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for part in ("templates", "data", "config"):
        shutil.copytree(REPO / part, root / part)
    assert catalogue.run(root, check=True) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang: str) -> None:
    problems = []
    for m in catalogue.read_catalogue(REPO, lang):
        if not m.id or not m.string:
            continue
        # Every figure of a sentence is kept; a word may be left out where the language does not
        # need it (no superlative after a Korean rank: "3위"), but none may be made up.
        if sorted(PERCENT.findall(m.id)) != sorted(PERCENT.findall(m.string)):
            problems.append(f"{m.id!r}: {PERCENT.findall(m.id)} -> {PERCENT.findall(m.string)}")
        if not set(BRACES.findall(m.string)) <= set(BRACES.findall(m.id)):
            problems.append(f"{m.id!r}: {BRACES.findall(m.id)} -> {BRACES.findall(m.string)}")
        try:
            if any(path.startswith("templates/") for path, _ in m.locations):
                # Jinja's new-style gettext always %-formats, even without variables.
                m.string % {n: "x" for n in PERCENT.findall(m.id)}
            if BRACES.search(m.id):
                m.string.format(**{n: "x" for n in BRACES.findall(m.id)})
        except (KeyError, ValueError, TypeError, IndexError) as e:
            problems.append(f"{m.id!r}: translation does not format ({e})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_gives_every_translation(lang: str) -> None:
    trans = i18n.translations(REPO / "templates", lang)
    wrong = [
        m.id
        for m in catalogue.read_catalogue(REPO, lang)
        if m.id and m.string and not m.fuzzy and trans.gettext(m.id) != m.string
    ]
    assert not wrong


def test_a_changed_message_is_missing_with_or_without_a_fuzzy_suggestion(small: Path) -> None:
    """memo catalogue suggests the old translation of a changed message (fuzzy); the check skips
    that search and finds the same messages missing."""
    po = small / "templates/locale/ko/LC_MESSAGES/memo.po"
    po.write_text(
        po.read_text(encoding="utf-8")
        + f'\nmsgid "{TARIFF.replace("charges", "charged")}"\nmsgstr "미국은 %(rate)s를 부과했다."\n',
        encoding="utf-8",
    )
    template = extract(small)
    suggested = catalogue.merged(small, template, "ko")
    plain = catalogue.merged(small, template, "ko", fuzzy_matching=False)
    assert messages(suggested)[TARIFF].fuzzy and messages(suggested)[TARIFF].string
    assert not messages(plain)[TARIFF].string
    assert TARIFF in catalogue.missing(plain)
    assert catalogue.missing(suggested) == catalogue.missing(plain)
