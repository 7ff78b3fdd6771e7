"""memo.render.messages: every reader-visible message, from templates, code and data, with a note
for the translator saying what it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.render.messages import code_messages, data_messages, extract, template_messages
from unit.support import DICTIONARY, TARIFF_TEMPLATE, line_of, make_project


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("messages") / "p")


def test_template_messages(small: Path) -> None:
    found = {m[0]: m for m in template_messages(small)}
    assert "Bottom line" in found  # _() in a template
    message = "The United States charges %(rate)s on Indian goods, %(standing)s."
    line = line_of(TARIFF_TEMPLATE, '  <p id="bottom-line">')
    assert found[message][1:3] == ("templates/tariff_brief.html.j2", line)  # a {% trans %} block
    assert "Notes and sources" in found  # the shared base template


def test_code_messages_come_from_the_package_with_notes_for_translators(small: Path) -> None:
    found = {m[0]: m for m in code_messages(small)}
    assert {"Note {n}", "about {x}", "rose from {old} in {y0} to {new} in {y1}"} <= set(found)
    assert "the {superlative} {subject}" in found  # Wording._fmt
    assert found["{n}-fold"][1].endswith("memo/render/wording.py")


def test_data_messages_are_what_a_reader_sees_of_data_and_config(small: Path) -> None:
    found = {m[0]: m for m in data_messages(small)}
    assert found["US tariff rate"][1:] == (
        "data/dictionary.yaml",
        line_of(DICTIONARY, "    label: US tariff rate"),
        ["label of indicator us_tariff_rate_pct (key figures, derivation notes)"],
    )
    assert {
        "Countries ranked by the US tariff rate, highest first.",  # derivation
        "highest",
        "US tariff rate on any country",  # rank words
        "{n}%",  # unit format
        "World",  # an entity that is no country
        "Executive order adds a 25 point tariff",  # event title
        "For official use",
        "Policy Memo Unit",
        "Officials",
        "US tariff rates by country",
        "Bar chart of US tariff rates: {listing}.",
        "Tariffs on India",
        "US-India trade",
    } <= set(found)
    assert "India" not in found  # countries are named by Babel in each language
    assert found["Tariffs on India"][3] == ["title of memo tariff-brief"]


def test_extract_gathers_all_three_without_repeats(small: Path) -> None:
    catalog = extract(small)
    ids = [m.id for m in catalog if m.id]
    assert len(ids) == len(set(ids))
    assert {"Bottom line", "Note {n}", "Tariffs on India"} <= set(ids)
    # A message found in two places lists both.
    bottom = catalog.get("Bottom line")
    assert {loc[0] for loc in bottom.locations} >= {
        "templates/tariff_brief.html.j2",
        "templates/trade_brief.html.j2",
    }


def test_code_messages_are_read_again_when_a_module_changes(tmp_path: Path, monkeypatch) -> None:
    """Read once per process (a preview or render server lives long), but never stale."""
    from memo.render import messages

    package = tmp_path / "memo"
    (package / "render").mkdir(parents=True)
    module = package / "render" / "words.py"
    (package / "plain.py").write_text("x = 1\n", encoding="utf-8")  # no call of a keyword
    module.write_text('_("Hello")\n', encoding="utf-8")
    monkeypatch.setattr(messages, "CODE_DIR", package)
    assert [m[:3] for m in code_messages(tmp_path)] == [("Hello", "memo/render/words.py", 1)]
    module.write_text('\n_("Hello, again")\n', encoding="utf-8")
    assert [m[:3] for m in code_messages(tmp_path)] == [("Hello, again", "memo/render/words.py", 2)]
