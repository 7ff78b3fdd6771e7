"""memo.workflow.digest: a memo's digest follows exactly the data it can show, so editing one
figure reruns only the memos that show it; its key adds its templates and its catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.workflow import digest
from unit.support import CONFIG, DICTIONARY, INDICATORS, MEMOS, SOURCES, make_project

MEMO_IDS = ("tariff-brief-en", "trade-brief-en", "trade-brief-ko")
TARIFF = {"tariff-brief-en"}
TRADE = {"trade-brief-en", "trade-brief-ko"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("digest") / "base")


def digests(root: Path) -> dict[str, str]:
    return {m: digest.data_digest(str(root), m) for m in MEMO_IDS}


def changed(base: Path, tmp_path: Path, **replace: str) -> set[str]:
    """The memos whose digest differs in a copy of the project with files replaced."""
    variant = make_project(tmp_path / "variant", **replace)
    before, after = digests(base), digests(variant)
    return {m for m in MEMO_IDS if before[m] != after[m]}


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def test_a_broken_memos_yaml_has_no_digest(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", memos="memos: [\n")
    assert digest.data_digest(str(root), "tariff-brief-en") == "unknown"
    assert digest.memo_key(str(root), "tariff-brief-en") == "unknown"


def test_dependencies_are_read_from_template_key_figures_charts_and_derivations(base: Path) -> None:
    deps = digest.dependencies(str(base), "tariff-brief-en")
    # fact("us_tariff_rate_pct", "IND", ...) and the key figures; say.standing reads the whole
    # ranking, whose inputs are every tariff row; the chart draws every tariff row too.
    assert ("us_tariff_rate_pct", "IND", "") in deps["lookups"]
    assert ("us_tariff_rank", "IND", "") in deps["lookups"]
    assert deps["wide"] == {"us_tariff_rank", "us_tariff_rate_pct"}
    assert deps["indicators"] == {"us_tariff_rank", "us_tariff_rate_pct"}
    assert deps["sources"] == {"fn01"}
    assert deps["topic"]["entities"] == ["USA", "IND", "BRA", "PAK", "RUS", "WLD"]
    trade = digest.dependencies(str(base), "trade-brief-en")
    assert trade["indicators"] == {
        "bilateral_trade_multiple",
        "bilateral_trade_usd_bn",
        "crude_import_share_pct",
    }
    assert ("bilateral_trade_multiple", "USA", "IND") in trade["lookups"]
    assert trade["sources"] == {"fn09", "article"}


def test_the_indicators_a_chart_draws_come_from_its_spec(base: Path, tmp_path: Path) -> None:
    memos = edit(MEMOS, "    charts: [tariffs]\n", "    charts: [tariffs, oil]\n")
    variant = make_project(tmp_path / "v", memos=memos)
    assert "crude_import_share_pct" in digest.dependencies(str(variant), "tariff-brief-en")["wide"]
    assert "crude_import_share_pct" not in digest.dependencies(str(base), "tariff-brief-en")["wide"]


@pytest.mark.parametrize(
    ("case", "replace", "expected"),
    [
        # A row a memo shows: its memos rebuild, the others do not.
        ("trade-2024", {"indicators": edit(INDICATORS, ",2024,212.3,", ",2024,215.0,")}, TRADE),
        # Pakistan's rate is not printed by the tariff brief, but ranks India and is drawn.
        ("pakistan-rate", {"indicators": edit(INDICATORS, "PAK,,2025-07,19,", "PAK,,2025-07,21,")}, TARIFF),
        # The base year of the trade multiple (a derived figure's input).
        ("trade-2000", {"indicators": edit(INDICATORS, ",2000,20,", ",2000,21,")}, TRADE),
        # A new row of a country outside the memos' topic changes nothing they show.
        ("outside-topic", {"indicators": INDICATORS + "us_tariff_rate_pct,CHN,,2025-08-06,55,,,,percent,fn01,\n"}, set()),
        # An entity added to the dictionary for another topic: no memo of this one rebuilds.
        ("new-entity", {"dictionary": edit(DICTIONARY, "  WLD: {name", "  JPN: {name: Japan, alpha2: JP}\n  WLD: {name")}, set()),
        # An indicator added to the dictionary for another topic: no memo rebuilds.
        ("new-indicator", {"dictionary": DICTIONARY + "  fdi_into_usd_bn:\n    label: Foreign direct investment\n    unit: usd_bn\n    description: Inward investment.\n    derived: false\n"}, set()),
        # An indicator's label: the memos showing it.
        ("indicator-label", {"dictionary": edit(DICTIONARY, "label: Bilateral trade\n", "label: Two-way trade\n")}, TRADE),
        ("rate-label", {"dictionary": edit(DICTIONARY, "label: US tariff rate\n", "label: US tariff\n")}, TARIFF),
        # A source's title is printed in the notes of the memos citing it.
        ("source-title", {"sources": edit(SOURCES, "Trade facts", "Trade facts, revised")}, TRADE),
        # A spreadsheet re-saving the file with padding changes no figure.
        ("padding", {"indicators": INDICATORS.replace("\n", ",,\n") + ",,,,,,,,,,\n\n"}, set()),
        # One memo's definition: that memo (in every language) only.
        ("memo-title", {"memos": edit(MEMOS, '"US-India trade"', '"US–India trade"')}, TRADE),
        # The audience's label is printed on its memos, its paper size is their PDFs'.
        ("audience-label", {"memos": edit(MEMOS, "label: Officials", "label: Government officials")}, set(MEMO_IDS)),
        ("audience-paper", {"memos": edit(MEMOS, "label: Officials\n", "label: Officials\n    paper: letter\n")}, set(MEMO_IDS)),
        ("new-audience", {"memos": edit(MEMOS, "audiences:\n", "audiences:\n  press:\n    label: Press\n")}, set()),
        # The edition config: every memo; how many editions are kept, and comments: none.
        ("config", {"config": edit(CONFIG, "max_age_days: 730", "max_age_days: 365")}, set(MEMO_IDS)),
        ("retention", {"config": CONFIG + "editions: {keep: 5, keep_records: 10}\nbase_url: https://example.org/memos/\n# reviewed\n"}, set()),
        # A chart's declaration: the memos drawing it.
        ("chart", {"memos": edit(MEMOS, "highlight: IND", "highlight: BRA")}, TARIFF),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_a_digest_changes_only_for_the_memos_showing_an_edit(
    base: Path, tmp_path: Path, case: str, replace: dict, expected: set
) -> None:
    assert changed(base, tmp_path, **replace) == expected


def test_the_digest_is_the_same_for_the_same_files(base: Path, tmp_path: Path) -> None:
    assert digests(make_project(tmp_path / "again")) == digests(base)


def test_shows_matches_constant_lookups_and_whole_series() -> None:
    deps = {
        "indicators": {"a", "b"},
        "wide": {"b"},
        "lookups": {("a", "IND", "")},
        "topic": {"entities": ["IND", "USA"]},
    }
    assert digest.shows(deps, ("a", "IND", "", "2024"))
    assert not digest.shows(deps, ("a", "USA", "", "2024"))  # another entity of a looked-up figure
    assert digest.shows(deps, ("b", "USA", "IND", "2024"))  # any row of a whole series
    assert not digest.shows(deps, ("b", "CHN", "", "2024"))  # outside the topic
    assert not digest.shows(deps, ("c", "IND", "", "2024"))


def test_a_memos_key_follows_its_data_its_templates_and_its_catalogue(
    base: Path, tmp_path: Path
) -> None:
    from unit.support import TARIFF_TEMPLATE

    def keys(root: Path) -> dict[str, str]:
        return {m: digest.memo_key(str(root), m) for m in MEMO_IDS}

    before = keys(base)
    assert len(set(before.values())) == len(MEMO_IDS)
    assert keys(make_project(tmp_path / "same")) == before
    # Its own template: that memo only (the data digest does not see templates).
    other = make_project(tmp_path / "t", tariff_brief=TARIFF_TEMPLATE + "<!-- reworded -->\n")
    assert {m for m, k in keys(other).items() if k != before[m]} == {"tariff-brief-en"}
    assert digest.data_digest(str(other), "tariff-brief-en") == digests(base)["tariff-brief-en"]
    # The Korean catalogue: the Korean edition only.
    po = other / "templates/locale/ko/LC_MESSAGES/memo.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert {m for m, k in keys(other).items() if k != before[m]} == {
        "tariff-brief-en",
        "trade-brief-ko",
    }
    assert digest.memo_key(str(base), "no-such-memo") == "unknown"


def test_the_cached_digest_follows_its_files(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    first = digest.cached_data_digest(str(root), "tariff-brief-en")
    assert first == digest.data_digest(str(root), "tariff-brief-en")
    rows = (root / "data/indicators.csv").read_text(encoding="utf-8")
    (root / "data/indicators.csv").write_text(
        edit(
            rows, "us_tariff_rate_pct,IND,,2025-08-06,50,", "us_tariff_rate_pct,IND,,2025-08-06,45,"
        ),
        encoding="utf-8",
    )
    again = digest.cached_data_digest(str(root), "tariff-brief-en")
    assert again != first and again == digest.data_digest(str(root), "tariff-brief-en")


def test_where_a_memos_rows_are_reruns_it_without_changing_what_it_shows(
    base: Path, tmp_path: Path
) -> None:
    """A row inserted above the rows a memo shows moves their lines, which its figure record
    names: its row locations change (rule render reruns), its data digest and key do not (its
    "What's new" box compares with the same edition). A row added at the end moves nothing."""
    header, first, rest = INDICATORS.split("\n", 2)
    outside = "us_tariff_rate_pct,CHN,,2025-08-06,55,,,,percent,fn01"  # outside the topic
    above = make_project(tmp_path / "above", indicators=f"{header}\n{outside}\n{first}\n{rest}")
    after = make_project(tmp_path / "after", indicators=INDICATORS + outside + "\n")
    for m in MEMO_IDS:
        assert digest.data_digest(str(above), m) == digest.data_digest(str(base), m)
        assert digest.memo_key(str(above), m) == digest.memo_key(str(base), m)
        assert digest.row_locations(str(above), m) != digest.row_locations(str(base), m)
        assert digest.row_locations(str(after), m) == digest.row_locations(str(base), m)
    # Cached like the digest: computed again once a file changes.
    root = make_project(tmp_path / "p")
    first_seen = digest.cached_row_locations(str(root), "tariff-brief-en")
    (root / "data/indicators.csv").write_text(f"{header}\n{outside}\n{first}\n{rest}")
    assert digest.cached_row_locations(str(root), "tariff-brief-en") != first_seen


def test_an_indicator_shown_only_through_a_figure_derived_from_it_counts(tmp_path: Path) -> None:
    """Trade's growth is derived from trade, whose label its note prints ("Computed from ..."):
    with trade itself no longer a key figure, a new label for it still renders the memo again."""
    key_figure = (
        '{indicator: bilateral_trade_usd_bn, entity: USA, counterpart: IND, period: "2024"}'
    )
    memos = edit(
        MEMOS,
        key_figure,
        '{indicator: crude_import_share_pct, entity: IND, counterpart: RUS, period: "2025"}',
    )
    before = make_project(tmp_path / "before", memos=memos)
    relabelled = edit(DICTIONARY, "label: Bilateral trade\n", "label: Two-way trade\n")
    after = make_project(tmp_path / "after", memos=memos, dictionary=relabelled)
    deps = digest.dependencies(str(before), "trade-brief-en")
    assert "bilateral_trade_usd_bn" not in {lookup[0] for lookup in deps["lookups"]}
    assert "bilateral_trade_usd_bn" in deps["indicators"]  # the input of bilateral_trade_multiple
    for m in ("trade-brief-en", "trade-brief-ko"):
        assert digest.data_digest(str(after), m) != digest.data_digest(str(before), m)
    assert digest.data_digest(str(after), "tariff-brief-en") == digest.data_digest(
        str(before), "tariff-brief-en"
    )


def test_a_table_is_read_as_rule_derive_reads_it(base: Path, tmp_path: Path) -> None:
    """Lines ended by CR alone ("CSV (Macintosh)") are rows like any others: a changed figure
    there renders the memos showing it. A record that cannot be read at all (a cell past the CSV
    reader's limit) changes every memo's digest: rule derive reports it, and no memo is kept as if
    the data were unchanged."""
    cr = make_project(tmp_path / "cr", indicators=INDICATORS.replace("\n", "\r"))
    assert digests(cr) == digests(base)
    assert {m: digest.row_locations(str(cr), m) for m in MEMO_IDS} == {
        m: digest.row_locations(str(base), m) for m in MEMO_IDS
    }
    changed_cr = make_project(
        tmp_path / "cr2",
        indicators=edit(INDICATORS, ",2024,212.3,", ",2024,215.0,").replace("\n", "\r"),
    )
    assert {m for m in MEMO_IDS if digests(changed_cr)[m] != digests(base)[m]} == TRADE
    huge = "x" * 200_000
    unreadable = make_project(
        tmp_path / "huge", indicators=INDICATORS + f'gdp,CHN,,2024,1,,,,usd_bn,fn01,"{huge}"\n'
    )
    assert all(digests(unreadable)[m] != digests(base)[m] for m in MEMO_IDS)


def test_a_memos_derived_figures_moving_in_the_figure_table_reruns_it(tmp_path: Path) -> None:
    """Its record cites a derived figure by its line in build/derived/figures.csv: one derived
    figure more before them (another indicator's, a new country's rank) moves them all, and the
    memo is rendered again to say so; what it shows is the same."""
    import csv
    import io

    from unit.support import derived

    root = derived(make_project(tmp_path / "p"))
    rows_before = {m: digest.row_locations(str(root), m) for m in MEMO_IDS}
    data_before = digests(root)
    table = root / "build/derived/figures.csv"
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8"))))
    header, first = rows[0], rows[1]
    assert first[header.index("path")] == "build/derived/figures.csv"
    extra = [*first]
    extra[header.index("indicator")] = "another_derived_figure"
    moved = [header, extra, *rows[1:]]
    for i, row in enumerate(moved[1:], start=2):
        if row[header.index("path")] == "build/derived/figures.csv":
            row[header.index("line")] = str(i)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(moved)
    table.write_text(out.getvalue(), encoding="utf-8")
    assert digests(root) == data_before
    assert all(digest.row_locations(str(root), m) != rows_before[m] for m in MEMO_IDS)
