"""Problems as GitHub annotations (memo.annotations, `memo validate --format github`)."""

from __future__ import annotations

from pathlib import Path

from conftest import GOOD_INDICATORS

from memo.annotations import format_github, github_annotation
from memo.cli import main
from memo.core.problems import Problem


def test_a_problem_becomes_an_error_on_its_file_and_line() -> None:
    problem = Problem("data/indicators.csv", 17, "value", '"about 50" is not a number', "write 50")
    assert github_annotation(problem) == (
        "::error file=data/indicators.csv,line=17,title=memo validate::"
        'value: "about 50" is not a number (write 50)'
    )


def test_data_cannot_start_a_command_or_reach_the_terminal_raw() -> None:
    hostile = Problem(
        "data/we,ird:name.csv", 3, "note", "100%\n::add-mask::x\r\x1b[2J\x00", "keep\u2028it"
    )
    line = github_annotation(hostile)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x00" not in line
    assert line.startswith("::error file=data/we%2Cird%3Aname.csv,line=3,")
    assert line.endswith(r"::note: 100%25%0A::add-mask::x%0D\x1b[2J\x00 (keep\u2028it)")


def test_problems_without_a_line_name_the_file_only_and_come_sorted() -> None:
    lines = format_github(
        [Problem("data/sources.csv", 4, "url", "bad"), Problem("config/memos.yaml", 0, "", "gone")]
    ).splitlines()
    assert lines == [
        "::error file=config/memos.yaml,title=memo validate::gone",
        "::error file=data/sources.csv,line=4,title=memo validate::url: bad",
    ]


def test_validate_prints_annotations_for_a_bad_data_line(make_data_project, capsys) -> None:
    bad = GOOD_INDICATORS.replace("212.3", "about 212")
    root: Path = make_data_project(indicators=bad)
    line = bad.splitlines().index(next(x for x in bad.splitlines() if "about 212" in x)) + 1
    assert main(["--root", str(root), "validate", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    mine = [x for x in out if x.startswith("::error file=data/indicators.csv,")]
    assert mine and mine[0].startswith(f"::error file=data/indicators.csv,line={line},")
    assert '"about 212" is not a number' in mine[0]
    assert all(x.startswith("::error file=") for x in out)
