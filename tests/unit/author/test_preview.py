"""memo.author.preview: the page a preview serves, re-rendered in-process from what changed;
problems with file and line; the script only in the served page. (The server is
test_preview_server.py; the browser side tests/e2e/test_preview.py.)"""

from __future__ import annotations

from memo.author.preview import changed_files, changed_kinds, error_page, inject, snapshot
from memo.core.problems import Problem
from unit.support import INDICATORS, TARIFF_TEMPLATE, line_of


def test_the_served_page_is_the_memo_with_the_script_and_the_memo_html_is_not(preview):
    page = preview.page
    assert page.problems == [] and page.version == 1
    assert page.memo_html is not None and "memo-preview" not in page.memo_html
    assert page.html == inject(page.memo_html)
    script = page.html.index('<script id="memo-preview">')
    assert page.html.index("</main>") < script < page.html.rindex("</body>")
    assert '<p id="bottom-line">The United States charges' in page.html


def test_a_template_change_renders_a_new_version(preview, project):
    template = project / "templates/tariff_brief.html.j2"
    template.write_text(TARIFF_TEMPLATE.replace("charges", "now charges"), encoding="utf-8")
    preview.refresh({"templates/tariff_brief.html.j2"})
    assert preview.page.version == 2
    assert "The United States now charges" in preview.page.memo_html


def test_a_broken_template_shows_its_line_then_recovers(preview, project):
    template = project / "templates/tariff_brief.html.j2"
    broken = TARIFF_TEMPLATE.replace('"us_tariff_rank", "IND"', '"us_tariff_rank", "INX"')
    template.write_text(broken, encoding="utf-8")
    page = preview.render()
    line = line_of(broken, '  <p id="bottom-line">')
    assert page.memo_html is None
    assert [(p.path, p.line) for p in page.problems] == [("templates/tariff_brief.html.j2", line)]
    assert f"templates/tariff_brief.html.j2:{line}</span>" in page.html
    assert "no figure for indicator &quot;us_tariff_rank&quot; (entity=INX)" in page.html
    template.write_text(TARIFF_TEMPLATE, encoding="utf-8")
    assert preview.render().memo_html is not None


def test_bad_data_are_read_derived_and_shown_then_fixed(preview, project):
    data = project / "data/indicators.csv"
    bad = INDICATORS.replace(
        "us_tariff_rate_pct,IND,,2025-08-06,50,", "us_tariff_rate_pct,IND,,2025-08-06,fifty,"
    )
    data.write_text(bad, encoding="utf-8")
    preview.refresh({"data/indicators.csv"})
    line = line_of(bad, "us_tariff_rate_pct,IND,,2025-08-06,")
    assert [str(p) for p in preview.page.problems] == [
        f'data/indicators.csv:{line}: value: "fifty" is not a number (write a plain number such '
        "as 212.3)"
    ]
    data.write_text(INDICATORS.replace("2025-08-06,50,", "2025-08-06,55,", 1), encoding="utf-8")
    preview.refresh({"data/indicators.csv"})
    assert preview.page.problems == []
    assert '<span class="fig">55%</span>' in preview.page.memo_html


def test_changes_are_classified_by_what_they_reload(project):
    before = snapshot(project)
    assert "templates/tariff_brief.html.j2" in before and "data/indicators.csv" in before
    after = dict(before)
    after["templates/locale/ko/LC_MESSAGES/memo.po"] = (1, 2, 3)
    after["data/indicators.csv"] = (0, 0, 0)
    del after["templates/tariff_brief.html.j2"]
    changed = changed_files(before, after)
    assert changed == {
        "templates/locale/ko/LC_MESSAGES/memo.po",
        "data/indicators.csv",
        "templates/tariff_brief.html.j2",
    }
    assert changed_kinds(changed) == {"catalogue", "data", "templates"}
    assert changed_files(before, dict(before)) == set()


def test_a_data_edit_reads_the_tables_again_but_not_the_dictionary_or_config(preview, project):
    dictionary, edition = preview._dictionary, preview._edition
    data = project / "data/indicators.csv"
    data.write_text(INDICATORS.replace("2025-08-06,50,", "2025-08-06,55,", 1), encoding="utf-8")
    preview.refresh({"data/indicators.csv"})
    assert preview._dictionary is dictionary and preview._edition is edition
    assert '<span class="fig">55%</span>' in preview.page.memo_html
    preview.refresh({"config/memos.yaml"})
    assert preview._dictionary is dictionary and preview._edition is not edition
    preview.refresh({"data/dictionary.yaml"})
    assert preview._dictionary is not dictionary


def test_an_error_page_escapes_what_it_lists():
    page = error_page("x-en", [Problem("data/a.csv", 3, "note", "<b>bad</b>", "fix")])
    assert '<span class="where">data/a.csv:3</span>: note: &lt;b&gt;bad&lt;/b&gt; (fix)' in page


def test_the_preview_shows_what_the_build_publishes(preview, project):
    from memo.derive.frame import observations_frame
    from memo.derive.run import derive_project
    from memo.derive.store import write_figures
    from memo.ingest.project import check_project
    from memo.render.job import render_memos

    loaded, problems = check_project(project)
    assert problems == []
    derived, _ = derive_project(loaded)
    figures = project / "build/derived/figures.csv"
    write_figures(observations_frame(loaded.dataset.observations), derived, figures)
    render_memos(project, ["tariff-brief-en"], project / "build/memos", pdf=False)
    built = (project / "build/memos/tariff-brief-en.html").read_text(encoding="utf-8")
    assert preview.page.memo_html == built
    # A Korean memo's page carries the font it draws, in the preview as in the build.
    from memo.author.preview import Preview

    korean = Preview(project, "trade-brief-ko")
    korean.load()
    korean.render()
    render_memos(project, ["trade-brief-ko"], project / "build/memos", pdf=False)
    built = (project / "build/memos/trade-brief-ko.html").read_text(encoding="utf-8")
    assert 'id="embedded-fonts"' in built and korean.page.html == inject(built)


def test_a_print_css_change_reaches_the_next_pdf(preview, project):
    """The PDF renderer reads print.css (and the fonts it names) when it is made: after a save of
    print.css the next PDF is made with the new one."""
    import io

    import pypdf

    def first_page(pdf: bytes) -> str:
        return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert "Draft for review" not in first_page(preview.pdf())
    css = project / "templates/print.css"
    line = '\n@page { @bottom-center { content: "Draft for review"; } }\n'
    css.write_text(css.read_text(encoding="utf-8") + line, encoding="utf-8")
    preview.refresh({"templates/print.css"})
    assert "Draft for review" in first_page(preview.pdf())


def test_a_korean_font_that_cannot_be_cut_is_shown_at_its_line_of_print_css(project):
    from memo.author.preview import Preview

    css = project / "templates/print.css"
    text = css.read_text(encoding="utf-8")
    (project / "templates/empty.ttf").write_bytes(b"")
    css.write_text(text.replace("../assets/fonts/NanumGothicBold.ttf", "empty.ttf"), "utf-8")
    preview = Preview(project, "trade-brief-ko")
    preview.load()
    page = preview.render()
    at = line_of(text, '@font-face { font-family: "Memo Korean"; font-weight: bold;')
    assert page.memo_html is None
    assert [(p.path, p.line, p.column) for p in page.problems] == [
        ("templates/print.css", at, "src")
    ]
    assert "empty.ttf is not a font whose characters can be read" in page.html
    css.write_text(text, encoding="utf-8")
    preview.refresh({"templates/print.css"})
    # The page served is the memo's page as the build writes it: with the Korean font it draws
    # (the PDF is printed from the memo's HTML without it, print.css naming the font files).
    served = preview.page
    assert served.problems == [] and 'id="embedded-fonts"' in served.html
    assert 'id="embedded-fonts"' not in served.memo_html
