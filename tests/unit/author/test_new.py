"""memo.author.new: ``memo new`` adds a memo's entry to config/memos.yaml as text (every comment
and line of the file kept), writes a template and a Markdown section, and the result validates and
renders; a bad request writes nothing."""

from __future__ import annotations

import argparse

import pytest

from memo.author.new import cli_new, new_memo
from memo.core.problems import DataError
from memo.ingest.validate import validate
from unit.support import MEMOS

COMMENTED = (
    "# The memos of the small project.\n"
    + MEMOS.replace("memos:\n", "# One entry per memo.\nmemos:\n  # tariffs first\n", 1)
    + "# end of the memos\n"
)


def test_the_entry_is_added_as_text_and_the_memo_validates(make_project):
    root = make_project(memos=COMMENTED)
    written = new_memo(root, "oil-note", "officials", "oil_note.html.j2", title="Oil note")
    assert written == [
        "config/memos.yaml",
        "templates/oil_note.html.j2",
        "templates/oil-note/discussion.md",
    ]
    after = (root / "config/memos.yaml").read_text(encoding="utf-8")
    # Everything that was there is still there, byte for byte, and the entry comes after it.
    assert after.startswith(COMMENTED.rstrip("\n").removesuffix("# end of the memos").rstrip("\n"))
    assert after.endswith(
        "\n  - id: oil-note\n"
        "    audience: officials\n"
        '    title: "Oil note"\n'
        "    topic: us-india\n"
        "    template: oil_note.html.j2\n"
        "    languages: [en]\n"
        "    sections: [bottom_line, discussion]\n"
        "    key_figures: []\n"
        "    charts: []\n"
        "    pages: [1, 2]\n"
        "# end of the memos\n"
    )
    project, problems = validate(root)
    assert problems == []
    assert "oil-note-en" in project.edition.output_ids()


def test_the_new_memo_renders_with_a_figure_of_its_topic(make_project):
    from memo.derive.frame import observations_frame
    from memo.derive.run import derive_project
    from memo.derive.store import write_figures
    from memo.render.job import render_memos

    root = make_project()
    new_memo(root, "oil-note", "officials", "oil_note.html.j2")
    project, problems = validate(root)
    assert problems == []
    derived, _ = derive_project(project)
    write_figures(
        observations_frame(project.dataset.observations),
        derived,
        root / "build/derived/figures.csv",
    )
    render_memos(root, ["oil-note-en"], root / "build/memos", pdf=False)
    html = (root / "build/memos/oil-note-en.html").read_text(encoding="utf-8")
    # The example figure is the topic's first stated row: the US tariff on India, 25%.
    assert '<p id="bottom-line">US tariff rate: <span class="fig">25%</span>' in html
    assert '<h2 id="discussion-h">Discussion</h2>' in html


@pytest.mark.parametrize(
    ("memo_id", "audience", "template", "problem"),
    [
        ("tariff-brief", "officials", "x.html.j2", 'a memo "tariff-brief" already exists'),
        ("Oil Note", "officials", "x.html.j2", '"Oil Note" is not a memo id'),
        (
            "oil-note",
            "oficials",
            "x.html.j2",
            'unknown audience "oficials" (did you mean officials?)',
        ),
        ("oil-note", "officials", "x.html", '"x.html" is not a template name'),
        (
            "oil-note",
            "officials",
            "tariff_brief.html.j2",
            "templates/tariff_brief.html.j2 already exists",
        ),
    ],
)
def test_a_bad_request_writes_nothing(make_project, memo_id, audience, template, problem):
    root = make_project()
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(DataError) as e:
        new_memo(root, memo_id, audience, template)
    assert problem in str(e.value)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_the_command_says_what_it_wrote(make_project, capsys):
    root = make_project()
    args = argparse.Namespace(
        root=str(root),
        id="oil-note",
        audience="officials",
        template="oil_note.html.j2",
        title=None,
        topic=None,
        languages=None,
    )
    assert cli_new(args) == 0
    err = capsys.readouterr().err
    assert "wrote templates/oil-note/discussion.md" in err and "memo preview oil-note" in err


def test_the_command_names_what_is_missing(project, capsys):
    args = argparse.Namespace(
        root=str(project), id="oil-note", audience=None, template=None, title=None, topic=None,
        languages=None,
    )  # fmt: skip
    assert cli_new(args) == 2
    assert "(missing: --audience, --template)" in capsys.readouterr().err
