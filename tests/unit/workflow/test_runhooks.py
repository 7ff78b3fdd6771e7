"""memo.workflow.runhooks: the summary a build ends with (one line per memo: built, unchanged,
failed with its error, not built; pages) and what the screen shows."""

from __future__ import annotations

import io
import json
import logging
import os
import time
from types import SimpleNamespace

import pytest

from memo.workflow import runhooks


def write(path, text: str, at: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (at, at))


def test_the_summary_says_what_became_of_each_memo(project):
    start = time.time()
    before, during = start - 100, start + 1
    memos = project / "build/memos"
    logs = project / "build/logs"
    # tariff-brief-en: rendered in this run; trade-brief-en: from an earlier run;
    # trade-brief-ko: its render ran and failed.
    write(memos / "tariff-brief-en.meta.json", json.dumps({"pages": 2}), during)
    write(logs / "render-tariff-brief-en.log", "[1/1] tariff-brief-en: 0.3 s\n", during)
    write(memos / "trade-brief-en.meta.json", json.dumps({"pages": 1}), before)
    write(logs / "render-trade-brief-en.log", "[1/1] trade-brief-en: 0.3 s\n", before)
    write(
        logs / "render-trade-brief-ko.log",
        "starting\nerror: memo trade-brief-ko: templates/trade_brief.html.j2:5: no figure\n",
        during,
    )
    text = runhooks.summary(str(project), start, failed=True, snakemake_log="x.log")
    assert text.splitlines() == [
        "memos:",
        "  tariff-brief-en  built      2 pages",
        "  trade-brief-en   unchanged  1 page",
        "  trade-brief-ko   failed     error: memo trade-brief-ko: "
        "templates/trade_brief.html.j2:5: no figure "
        f"(log: {project}/build/logs/render-trade-brief-ko.log)",
        "build failed: 3 memos, 1 built, 1 unchanged, 1 failed; Snakemake's log: x.log",
    ]


def test_a_failed_derive_says_nothing_was_rendered(project):
    start = time.time()
    write(project / "build/logs/derive.log", "data/indicators.csv:3: value: …\n", start + 1)
    last = runhooks.summary(str(project), start, failed=True).splitlines()[-1]
    assert last == (
        "build failed: 3 memos, 3 not built; nothing was rendered: the problems are listed "
        f"above ({project}/build/logs/derive.log)"
    )


def test_a_run_with_nothing_to_do_has_every_memo_unchanged(project):
    write(project / "build/memos/tariff-brief-en.meta.json", '{"pages": 1}', time.time() - 5)
    lines = runhooks.summary(str(project), None).splitlines()
    assert lines[1] == "  tariff-brief-en  unchanged  1 page"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "stream", "mode"),
    [
        ("", Terminal(), "summary"),
        ("", io.StringIO(), "detail"),
        ("detail", Terminal(), "detail"),
        ("summary", io.StringIO(), "summary"),
    ],
)
def test_the_screen_shows_a_summary_at_a_terminal_unless_told(monkeypatch, env, stream, mode):
    monkeypatch.setenv(runhooks.ENV_OUTPUT, env)
    assert runhooks.output_mode(stream) == mode


def test_quiet_screen_raises_snakemakes_screen_handler_to_errors(monkeypatch):
    logger = logging.getLogger("snakemake.logging")
    handler = logging.StreamHandler(io.StringIO())
    handler.name = "DefaultStreamHandler"
    logger.addHandler(handler)
    try:
        monkeypatch.setenv(runhooks.ENV_OUTPUT, "summary")
        assert not runhooks.quiet_screen(SimpleNamespace(dryrun=True))
        assert handler.level == logging.NOTSET
        assert runhooks.quiet_screen(SimpleNamespace(dryrun=False))
        assert handler.level == logging.ERROR
        handler.setLevel(logging.NOTSET)
        monkeypatch.setenv(runhooks.ENV_OUTPUT, "detail")
        assert not runhooks.quiet_screen(SimpleNamespace(dryrun=False))
        assert handler.level == logging.NOTSET
    finally:
        logger.removeHandler(handler)
