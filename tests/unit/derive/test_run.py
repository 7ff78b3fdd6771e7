"""memo.derive.run (``memo derive``): check, derive every topic, check the key figures, write."""

from __future__ import annotations

import argparse

from memo.derive.run import check, cli_derive, derive_project, key_figure_problems
from memo.derive.store import read_figures
from memo.ingest.project import check_project
from unit.support import DICTIONARY, HEADER, INDICATORS, MEMOS, line_of


def loaded(root):
    project, problems = check_project(root)
    assert problems == [], [str(p) for p in problems]
    return project


def key_figure(memos: str, old: str, new: str) -> tuple[str, int]:
    text = memos.replace(old, new)
    assert text != memos
    return text, line_of(text, new.splitlines()[0])


def test_the_small_project_derives_with_no_problem(project) -> None:
    derived, problems = derive_project(loaded(project))
    assert problems == []
    assert set(derived["topic"]) == {"us-india"}
    assert set(derived["indicator"]) == {
        "us_tariff_rank",
        "us_tariff_gap_pp",
        "bilateral_trade_multiple",
        "crude_import_share_change_pp",
    }


def test_a_key_figure_with_no_row_in_its_topic_is_reported_at_its_line(make_project) -> None:
    memos, line = key_figure(
        MEMOS,
        '      - {indicator: bilateral_trade_usd_bn, entity: USA, counterpart: IND, period: "2024"}',
        '      - {indicator: bilateral_trade_usd_bn, entity: USA, counterpart: IND, period: "2023"}',
    )
    _, problems = derive_project(loaded(make_project(memos=memos)))
    assert [str(p) for p in problems] == [
        f"config/memos.yaml:{line}: memos[1].key_figures[0]: no figure "
        '"bilateral_trade_usd_bn" (entity=USA, counterpart=IND, period=2023) in topic us-india '
        "(add the row to data/indicators.csv, or fix the entity, counterpart or period)"
    ]


def test_a_row_outside_the_memos_topic_does_not_count(make_project) -> None:
    indicators = INDICATORS + "us_tariff_rate_pct,CHN,,2025-08-06,55,,,,percent,fn01,\n"
    memos, line = key_figure(
        MEMOS,
        "      - {indicator: us_tariff_rank, entity: IND}",
        "      - {indicator: us_tariff_rate_pct, entity: CHN}",
    )
    _, problems = derive_project(loaded(make_project(indicators=indicators, memos=memos)))
    assert [(p.line, p.column) for p in problems] == [(line, "memos[0].key_figures[1]")]
    assert "in topic us-india" in problems[0].problem


def test_an_ambiguous_key_figure_names_the_candidates(make_project) -> None:
    memos, line = key_figure(
        MEMOS,
        "      - {indicator: us_tariff_rank, entity: IND}",
        '      - {indicator: us_tariff_rate_pct, period: "2025-08-06"}',
    )
    project = loaded(make_project(memos=memos))
    derived, _ = derive_project(project)
    assert [str(p) for p in key_figure_problems(project, derived)] == [
        f"config/memos.yaml:{line}: memos[0].key_figures[1]: figure for "
        '"us_tariff_rate_pct" is ambiguous (IND//2025-08-06; BRA//2025-08-06): name the entity '
        "and period (name the entity, counterpart and period)"
    ]


def test_check_without_a_project_still_checks_the_derive_blocks(make_project) -> None:
    root = make_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,lots,,,,percent,fn01,\n",
        dictionary=DICTIONARY.replace("{kind: gap,", "{kind: gaps,"),
    )
    assert [p.column for p in check(root, None)] == ["indicators.us_tariff_gap_pp.derive.kind"]


def test_cli_derive_writes_the_figure_table(project, capsys) -> None:
    assert cli_derive(argparse.Namespace(root=str(project), out="build/derived")) == 0
    out = project / "build/derived/figures.csv"
    figures = read_figures(out)
    assert sum(o.is_derived for o in figures) == 11  # 2 ranks, 6 gaps, 1 multiple, 1 change
    assert sum(not o.is_derived for o in figures) == 8
    assert capsys.readouterr().err == (
        f"memo derive: 8 stated and 11 derived figures in 1 topic(s) written to {out}\n"
    )


def test_cli_derive_writes_nothing_when_a_check_fails(make_project, capsys) -> None:
    root = make_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,lots,,,,percent,fn01,\n"
    )
    assert cli_derive(argparse.Namespace(root=str(root), out="build/derived")) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith('data/indicators.csv:2: value: "lots" is not a number')
    assert err[-1] == "1 problem in data/; nothing was built"
    assert not (root / "build").exists()
