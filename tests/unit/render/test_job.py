"""memo.render.job: the render stage reads the figure table rule derive wrote (never
data/indicators.csv), gives each memo its topic's figures, and writes HTML, figure record and
metadata; errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import pytest

from memo.render import webfont
from memo.render.html import Rendered
from memo.render.job import cli_render, figure_record, prepare, render_memos
from unit.support import INDICATORS, SOURCES, TARIFF_TEMPLATE, derived, line_of, make_project


def args(root: Path, *memos: str, out: str = "build/memos") -> argparse.Namespace:
    return argparse.Namespace(root=str(root), memos=list(memos), out=out, html_only=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    extra = "us_tariff_rate_pct,CHN,,2025-08-06,55,,,,percent,fn01,\n"  # outside the topic
    return derived(
        make_project(tmp_path_factory.mktemp("job") / "p", indicators=INDICATORS + extra)
    )


def test_each_memo_sees_its_topics_figures_only(built: Path) -> None:
    prepared = prepare(built, pdf=False)
    memo, language = prepared.edition.memo("tariff-brief-en")
    book = prepared.book(memo, language, built / "templates")
    assert "CHN" not in {o.entity for o in book.figures()}
    assert {o.topic for o in book.dataset.derived} == {"us-india"}
    # The table holds China's row all the same: rule derive read every row, the render none.
    assert "CHN" in {o.entity for o in prepared.figures}


def test_the_render_reads_no_indicators_csv(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "data/indicators.csv").write_text("not even a header", encoding="utf-8")
    render_memos(copy, ["tariff-brief-en"], tmp_path / "out", pdf=False)
    assert (tmp_path / "out/tariff-brief-en.html").is_file()


def test_render_memos_writes_html_record_and_metadata(built: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    render_memos(built, ["tariff-brief-en", "trade-brief-ko"], out, pdf=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "tariff-brief-en.figures.json",
        "tariff-brief-en.html",
        "tariff-brief-en.meta.json",
        "trade-brief-ko.figures.json",
        "trade-brief-ko.html",
        "trade-brief-ko.meta.json",
    ]
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["[1/2] tariff-brief-en", "[2/2] trade-brief-ko"]
    meta = json.loads((out / "trade-brief-ko.meta.json").read_text(encoding="utf-8"))
    assert (meta["language"], meta["id"]) == ("ko", "trade-brief-ko")
    # The Korean page carries the part of the Korean font it draws, within the budget.
    assert 0 < meta["webfont_bytes"] <= webfont.BUDGET
    assert '<style id="embedded-fonts">' in (out / "trade-brief-ko.html").read_text("utf-8")
    assert '<style id="embedded-fonts">' not in (out / "tariff-brief-en.html").read_text("utf-8")


def test_the_figure_record_names_every_printed_figure_its_row_and_its_notes(
    built: Path, tmp_path: Path
) -> None:
    prepared = prepare(built, pdf=False)
    out = tmp_path / "out"
    render_memos(built, ["tariff-brief-en"], out, pdf=False, prepared=prepared)
    record = json.loads((out / "tariff-brief-en.figures.json").read_text(encoding="utf-8"))
    assert record["memo"] == "tariff-brief-en" and record["language"] == "en"
    rate = next(
        f
        for f in record["figures"]
        if f["indicator"] == "us_tariff_rate_pct" and f["context"] == "text"
    )
    assert (rate["text"], rate["row"], rate["sources"]) == (
        "50%",
        "data/indicators.csv:3",
        ["fn01"],
    )
    rank = next(f for f in record["figures"] if f["indicator"] == "us_tariff_rank")
    assert rank["row"].startswith("build/derived/figures.csv:") and rank["method"]
    assert set(rank["inputs"]) == {
        "data/indicators.csv:3",
        "data/indicators.csv:4",
        "data/indicators.csv:5",
    }
    assert [n["number"] for n in record["notes"]] == list(range(1, len(record["notes"]) + 1))
    for note in record["notes"]:
        assert bool(note["source"]) != bool(note["derived"])
    assert record["notes"][0]["citation"]["publisher"] == "CNBC"
    assert record["stale"] == []
    # Every figure printed in the prose and tables is in the record.
    html = (out / "tariff-brief-en.html").read_text(encoding="utf-8")
    printed = set(re.findall(r'<span class="fig">(.*?)</span>', html))
    assert printed <= {f["text"] for f in record["figures"]}


def test_figure_record_lists_the_events_a_memo_dates(built: Path, tmp_path: Path) -> None:
    prepared = prepare(built, pdf=False)
    memo, language = prepared.edition.memo("tariff-brief-en")
    book = prepared.book(memo, language, built / "templates")
    book.event("tariff_order")
    record = figure_record(Rendered("x", "", book, {}))
    assert record["events"] == [{"id": "tariff_order", "date": "2025-08-06", "source": "fn01"}]


def test_cli_render_without_figures_says_to_run_derive(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path / "p")
    assert cli_render(args(root, "tariff-brief-en")) == 1
    assert capsys.readouterr().err == (
        f"error: {root / 'build/derived/figures.csv'} is missing: run memo derive first\n"
    )


def test_cli_render_of_an_unknown_memo(built: Path, capsys) -> None:
    assert cli_render(args(built, "tariff-brief-fr")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: \"no memo 'tariff-brief-fr' in config/memos.yaml (known: ")


def test_cli_render_with_bad_reference_files_writes_nothing(
    built: Path, tmp_path: Path, capsys
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "data/sources.csv").write_text(
        SOURCES + "fn01,1,,Again,CNBC,2025,,\n", encoding="utf-8"
    )
    assert cli_render(args(copy, "tariff-brief-en", out=str(tmp_path / "out"))) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/sources.csv:5: id: duplicate id 'fn01', first used on line 3 (give each row its own id)",
        "1 problem; no memo was written",
    ]
    assert not (tmp_path / "out").exists()


def test_cli_render_of_a_broken_template_is_one_line(built: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    template = copy / "templates/tariff_brief.html.j2"
    template.write_text(
        template.read_text().replace('"us_tariff_rank"', '"no_rank"'), encoding="utf-8"
    )
    assert cli_render(args(copy, "tariff-brief-en", out=str(tmp_path / "out"))) == 1
    (line,) = capsys.readouterr().err.splitlines()
    # The bottom line's paragraph, where the rank is looked up.
    at = line_of(TARIFF_TEMPLATE, '  <p id="bottom-line">')
    assert line.startswith(f"error: memo tariff-brief-en: templates/tariff_brief.html.j2:{at}: ")
    assert "no_rank" in line


def test_a_memo_whose_figures_changed_opens_with_what_is_new(built: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    render_memos(built, ["tariff-brief-en", "trade-brief-en"], before, pdf=False)
    # The next edition: India's rate cut from 50% to 45%, which ends its tie with Brazil.
    after = tmp_path / "p"
    shutil.copytree(built, after)
    rows = (after / "data/indicators.csv").read_text(encoding="utf-8")
    cut = rows.replace(
        "us_tariff_rate_pct,IND,,2025-08-06,50,", "us_tariff_rate_pct,IND,,2025-08-06,45,"
    )
    assert cut != rows
    (after / "data/indicators.csv").write_text(cut, encoding="utf-8")
    derived(after)
    out = tmp_path / "out"
    for oid in ("tariff-brief-en", "trade-brief-en"):
        render_memos(after, [oid], out, pdf=False, previous=before / f"{oid}.figures.json")
    html = (out / "tariff-brief-en.html").read_text(encoding="utf-8")
    box = re.search(r'<section class="whats-new".*?</section>', html, re.S).group(0)
    items = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", box, re.S)]
    # Each item ends with its note: the tariff's source (fn01, note 1, the box cites first) and
    # the ranking's derivation.
    assert items == [
        "US tariff rate for India fell from 50% to 45%.\xa0[1]",
        "India is now the second-highest US tariff rate on any country, no longer tied with "
        "Brazil.\xa0[2]",
    ]
    assert "Changes since the previous edition:" in box
    assert html.index('<section class="whats-new"') < html.index('id="bottom-line"'), "at the top"
    record = json.loads((out / "tariff-brief-en.figures.json").read_text(encoding="utf-8"))
    assert record["whats_new"] == {
        "since": "before",
        "since_date": "2025-09-15",
        "items": [item.removesuffix(f"\xa0[{n}]") for n, item in enumerate(items, 1)],
    }
    assert record["notes"][0]["citation"]["publisher"] == "CNBC"
    standing = next(w for w in record["wording"] if w["helper"] == "standing")
    assert (standing["rank"], standing["peers"]) == (2, [])
    meta = json.loads((out / "tariff-brief-en.meta.json").read_text(encoding="utf-8"))
    assert meta["whats_new"] == 2
    # The trade brief shows no tariff: no box, and nothing in its record.
    trade = (out / "trade-brief-en.html").read_text(encoding="utf-8")
    assert '<section class="whats-new"' not in trade
    assert "whats_new" not in json.loads(
        (out / "trade-brief-en.figures.json").read_text(encoding="utf-8")
    )


def test_previous_names_the_record_of_one_memo(built: Path, tmp_path: Path, capsys) -> None:
    two = args(built, "tariff-brief-en", "trade-brief-en", out=str(tmp_path / "o"))
    two.previous = "x.figures.json"
    assert cli_render(two) == 1
    assert capsys.readouterr().err == (
        "error: --previous is the record of one memo: name exactly one memo to render\n"
    )
    one = args(built, "tariff-brief-en", out=str(tmp_path / "o"))
    one.previous = "missing.figures.json"
    assert cli_render(one) == 1
    assert capsys.readouterr().err == (
        f"error: {built / 'missing.figures.json'}: cannot read the earlier edition's record: "
        "No such file or directory\n"
    )


def test_the_input_key_of_one_memo_is_kept_in_its_meta_record(
    built: Path, tmp_path: Path, capsys
) -> None:
    one = args(built, "tariff-brief-en", out=str(tmp_path / "o"))
    one.input_key = "a" * 64
    assert cli_render(one) == 0
    meta = json.loads((tmp_path / "o/tariff-brief-en.meta.json").read_text(encoding="utf-8"))
    assert meta["input_key"] == "a" * 64
    two = args(built, "tariff-brief-en", "trade-brief-en", out=str(tmp_path / "p"))
    two.input_key = "a" * 64
    assert cli_render(two) == 1
    assert capsys.readouterr().err.endswith(
        "error: --input-key is the key of one memo: name exactly one memo to render\n"
    )
    assert not (tmp_path / "p").exists()


def test_the_box_says_since_which_edition_when_it_has_another_date(
    built: Path, tmp_path: Path
) -> None:
    before = tmp_path / "2025-09-08-0a1b2c3d4e5f"
    render_memos(built, ["tariff-brief-en"], before, pdf=False)
    record_path = before / "tariff-brief-en.figures.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    # That edition said 55%: a figure the data no longer give (the record is drawn, not rendered).
    for f in record["figures"]:
        if (f["indicator"], f["entity"], f["period"]) == (
            "us_tariff_rate_pct",
            "IND",
            "2025-08-06",
        ):
            f.update(value=55, text="55%")
    record_path.write_text(json.dumps(record | {"edition_date": "2025-09-08"}), encoding="utf-8")
    out = tmp_path / "out"
    render_memos(built, ["tariff-brief-en"], out, pdf=False, previous=record_path)
    html = (out / "tariff-brief-en.html").read_text(encoding="utf-8")
    assert "<p>Changes since the edition of 8 September 2025:</p>" in html
    assert "US tariff rate for India fell from 55% to 50%." in html
    since = json.loads((out / "tariff-brief-en.figures.json").read_text(encoding="utf-8"))
    assert since["whats_new"]["since"] == "2025-09-08-0a1b2c3d4e5f"


def test_a_korean_font_that_cannot_be_cut_is_a_problem_at_its_line_of_print_css(
    built: Path, tmp_path: Path, capsys
) -> None:
    """A damaged font file (here, cut short) stops the render as a problem at the line of
    templates/print.css that names it, not as a traceback; the memo is not written."""
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, symlinks=True)  # assets/ stays a link: only read through it
    font = (copy / "assets/fonts/NanumGothic.ttf").read_bytes()
    (copy / "templates/cut-short.ttf").write_bytes(font[: len(font) // 2])
    css = copy / "templates/print.css"
    text = css.read_text(encoding="utf-8")
    named = "url(../assets/fonts/NanumGothic.ttf)"
    assert text.count(named) == 1
    css.write_text(text.replace(named, "url(cut-short.ttf)"), encoding="utf-8")
    # The English memo has no Korean: it is rendered and written before the Korean one stops.
    out = tmp_path / "out"
    assert cli_render(args(copy, "tariff-brief-en", "trade-brief-ko", out=str(out))) == 1
    *progress, problem, summary = capsys.readouterr().err.splitlines()
    at = line_of(text, '@font-face { font-family: "Memo Korean"; src:')
    assert problem.startswith(
        f"templates/print.css:{at}: src: cut-short.ttf cannot be cut for the HTML pages ("
    )
    assert problem.endswith(
        "(restore the font file, or name another TrueType or OpenType font here)"
    )
    assert summary == "1 problem; only tariff-brief-en written"
    assert {p.name.split(".")[0] for p in out.iterdir()} == {"tariff-brief-en"}
    # Alone, as a build's render job renders it: nothing written.
    assert cli_render(args(copy, "trade-brief-ko", out=str(tmp_path / "alone"))) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 problem; no memo was written"
    assert not (tmp_path / "alone").exists()
