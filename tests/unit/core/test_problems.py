"""memo.core.problems: a problem prints like a compiler message; all problems travel together."""

from __future__ import annotations

from memo.core.problems import DataError, Problem, format_problems


def test_problem_prints_like_a_compiler_message() -> None:
    p = Problem("data/indicators.csv", 17, "value", '"about 50" is not a number', "write 50")
    assert str(p) == 'data/indicators.csv:17: value: "about 50" is not a number (write 50)'


def test_problem_without_column_or_hint_prints_only_what_it_has() -> None:
    assert (
        str(Problem("data/x.csv", 3, "id", "id is required")) == "data/x.csv:3: id: id is required"
    )
    assert str(Problem("config/x.csv", 1, "", "from a check")) == "config/x.csv:1: from a check"


def test_format_problems_sorts_by_path_then_line_keeping_order_within_a_line() -> None:
    found = [
        Problem("data/b.csv", 2, "x", "b2"),
        Problem("data/a.csv", 9, "x", "a9"),
        Problem("data/a.csv", 3, "y", "a3 second check"),
        Problem("data/a.csv", 3, "x", "a3 first check"),
    ]
    assert format_problems(found).splitlines() == [
        "data/a.csv:3: y: a3 second check",
        "data/a.csv:3: x: a3 first check",
        "data/a.csv:9: x: a9",
        "data/b.csv:2: x: b2",
    ]


def test_data_error_carries_every_problem_and_prints_them_all() -> None:
    found = [Problem("data/b.csv", 2, "x", "b2"), Problem("data/a.csv", 9, "x", "a9")]
    error = DataError(iter(found))
    assert error.problems == found
    assert str(error) == "data/a.csv:9: x: a9\ndata/b.csv:2: x: b2"
