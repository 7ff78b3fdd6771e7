"""memo.workflow.digest matches rows to memos on ids in their normal form, as rule derive reads
them: a row whose entity is typed full-width is the same entity's row, and editing it reruns the
memos that show it."""

from __future__ import annotations

from pathlib import Path

from memo.workflow import digest as memo_digest
from unit.support import INDICATORS


def digest(root: Path, memo: str = "tariff-brief-en") -> str:
    return memo_digest.data_digest(str(root), memo)


def edit(root: Path, old: str, new: str) -> None:
    path = root / "data/indicators.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_row_with_a_full_width_entity_counts_for_the_memos_that_show_it(make_project) -> None:
    # The tariff brief ranks every country's tariff: Pakistan's row, typed in full-width letters
    # from an East Asian keyboard, is one of its rows.
    row = "us_tariff_rate_pct,ＰＡＫ,,2025-08-06,19,,,,percent,fn01,\n"
    root = make_project(indicators=INDICATORS + row)
    before = digest(root)
    edit(root, "ＰＡＫ,,2025-08-06,19", "ＰＡＫ,,2025-08-06,18")
    assert digest(root) != before


def test_a_row_outside_the_memos_topic_still_changes_nothing(make_project) -> None:
    # The normal form does not widen what a memo shows: China is outside the topic, however typed.
    row = "us_tariff_rate_pct,ＣＨＮ,,2025-08-06,30,,,,percent,fn01,\n"
    root = make_project(indicators=INDICATORS + row)
    before = digest(root)
    edit(root, "ＣＨＮ,,2025-08-06,30", "ＣＨＮ,,2025-08-06,31")
    assert digest(root) == before
