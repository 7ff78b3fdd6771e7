"""memo.ingest.sources: data/sources.csv and data/events.csv, every problem at its line."""

from __future__ import annotations

import pytest

from memo.core.problems import format_problems
from memo.ingest.dataset import check_dataset
from memo.ingest.sources import load_events, load_sources
from unit.support import SOURCES

DATES = "(write 2025, 2025-07 or 2025-08-06)"


def problems(root) -> list[str]:
    return format_problems(check_dataset(root)[1]).splitlines()


def test_sources_and_events_are_read_with_their_lines(project) -> None:
    sources, found = load_sources(project)
    assert found == []
    assert list(sources) == ["article", "fn01", "fn09"]
    assert (sources["fn01"].publisher, sources["fn01"].line) == ("CNBC", 3)
    events, found = load_events(project, sources)
    assert found == []
    assert (events["tariff_order"].date, events["tariff_order"].line) == ("2025-08-06", 2)


def test_source_checks(make_project) -> None:
    root = make_project(
        sources=SOURCES
        + "fn01,1,,Again,CNBC,2025-08-07,,\n"  # line 5
        + "fn20,20,,Undated,AP,08/07/2025,,\n"  # line 6
        + "fn21,21,,No scheme,AP,2025,www.example.org,\n"  # line 7
        + ",22,,No id,AP,2025,,\n"  # line 8
        + "fn23,23,,A quarter,AP,2025-Q2,,\n"  # line 9
    )
    assert problems(root) == [
        "data/sources.csv:5: id: duplicate id 'fn01', first used on line 3 "
        "(give each row its own id)",
        'data/sources.csv:6: date: "08/07/2025" is not an ISO 8601 date'
        " (write year-month-day: 2025-07-08 or 2025-08-07, whichever it means)",
        'data/sources.csv:7: url: url "www.example.org" does not start with http:// or '
        "https:// (paste the full address)",
        "data/sources.csv:8: id: id is required",
        f'data/sources.csv:9: date: "2025-Q2" is a quarter; a date is a year, month or day {DATES}',
    ]


def test_a_sources_file_missing_a_column_is_one_problem_not_one_per_citing_row(
    make_project,
) -> None:
    root = make_project(sources="id,footnote,author,publisher,date,url,note\narticle,,,,,,\n")
    assert problems(root) == [
        "data/sources.csv:1: header: missing column 'title' "
        "(header found: id, footnote, author, publisher, date, url, note)"
    ]


def test_event_checks(make_project) -> None:
    root = make_project(
        events="""\
        id,date,title,source,note
        tariff_order,2025-08-06,Executive order,fn01,
        tariff_order,2025-08-07,Again,fn01,
        summit,2025-02-30,Summit,fn01,
        visit,2025-09,Visit,fn2,
        undated,,Undated,fn01,
        untitled,2025,,fn01,
        """
    )
    assert problems(root) == [
        "data/events.csv:3: id: duplicate id 'tariff_order', first used on line 2 "
        "(give each row its own id)",
        f'data/events.csv:4: date: "2025-02-30" is not a real date {DATES}',
        "data/events.csv:5: source: unknown source 'fn2' (did you mean fn09 or fn01?)",
        f"data/events.csv:6: date: date is required {DATES}",
        "data/events.csv:7: title: title is required (in English)",
    ]


BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "ftp://example.org/x",
    " javascript:alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_source_url_that_is_not_a_web_address_is_refused(make_project, url: str) -> None:
    quoted = '"' + url.replace('"', '""') + '"'
    root = make_project(sources=SOURCES.replace("https://example.org/a", quoted))
    assert problems(root) == [
        f'data/sources.csv:3: url: url "{url.strip()}" does not start with http:// or https:// '
        "(paste the full address)"
    ]
