"""memo.workflow.plan: what Snakemake needs at planning time: the memo editions, their entries,
and the files each rule declares as inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.workflow import plan
from unit.support import make_project

MEMO_IDS = ("tariff-brief-en", "trade-brief-en", "trade-brief-ko")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("plan") / "base")


def test_memo_editions(base: Path) -> None:
    assert plan.output_ids(str(base)) == list(MEMO_IDS)


def test_a_broken_memos_yaml_plans_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", memos="memos: [\n")
    assert plan.output_ids(str(root)) == []


def test_a_missing_input_file_is_left_to_rule_derive(tmp_path: Path) -> None:
    """Declared, a file that is not there would make Snakemake take the figures of an earlier
    build for a source file and find nothing to do; left out, derive runs and reports it."""
    root = make_project(tmp_path / "p")
    assert plan.config_files(str(root)) == ["config/config.yaml", "config/memos.yaml"]
    every = plan.data_files(str(root))
    assert "data/events.csv" in every and "data/events.csv" in plan.reference_files(str(root))
    (root / "data/events.csv").unlink()
    (root / "config/memos.yaml").unlink()
    (root / "config/memos.yaml").symlink_to(root / "nowhere.yaml")  # a link to nothing
    assert plan.data_files(str(root)) == [f for f in every if f != "data/events.csv"]
    assert "data/events.csv" not in plan.reference_files(str(root))
    assert "config/memos.yaml" not in plan.reference_files(str(root))
    assert plan.config_files(str(root)) == ["config/config.yaml"]


def test_an_editions_definition_is_its_memos_entry_and_language(base: Path) -> None:
    memo, lang = plan.definition(str(base), "trade-brief-ko")
    assert (memo["id"], lang) == ("trade-brief", "ko")
    with pytest.raises(KeyError):
        plan.definition(str(base), "trade-brief-fr")


def test_rule_derive_checks_every_template_and_markdown_section(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    section = root / "templates/trade-brief/outlook.md"
    section.parent.mkdir()
    section.write_text("Outlook.\n", encoding="utf-8")
    checked = plan.checked_templates(str(root))
    assert "templates/trade-brief/outlook.md" in checked
    assert "templates/tariff_brief.html.j2" in checked
    assert not any(f.endswith((".css", ".po")) for f in checked)


def test_memo_command_runs_memo_with_this_python() -> None:
    import sys

    assert plan.memo_command().endswith(" -m memo.cli")
    assert sys.executable in plan.memo_command()


def test_renders_start_longest_first_by_their_page_budget(tmp_path: Path) -> None:
    from unit.support import MEMOS

    root = make_project(tmp_path / "p", memos=MEMOS.replace("pages: [1, 2]", "pages: [2, 6]", 1))
    priorities = {memo: plan.render_priority(str(root), memo) for memo in MEMO_IDS}
    assert priorities == {"tariff-brief-en": 6, "trade-brief-en": 2, "trade-brief-ko": 2}
    # An entry without a usable budget, or no such memo: no priority, and planning goes on.
    broken = make_project(tmp_path / "q", memos=MEMOS.replace("pages: [1, 2]", "pages: many", 1))
    assert plan.render_priority(str(broken), "tariff-brief-en") == 0
    assert plan.render_priority(str(root), "no-such-memo-en") == 0
