"""memo.cli: one entry point, one subcommand per step, each module imported only when it runs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from memo.cli import COMMANDS, build_parser, main
from unit.support import HEADER


def test_every_subcommand_has_a_function_that_exists() -> None:
    parser = build_parser()
    for name, (module, function, help_text) in COMMANDS.items():
        assert callable(getattr(importlib.import_module(module), function)), name
        assert help_text
        assert parser.parse_args(["--root", "/p", name]).command == name


def test_arguments_and_defaults() -> None:
    args = build_parser().parse_args(["render", "a-en", "b-ko", "--html-only"])
    assert (args.memos, args.out, args.html_only, args.root) == (
        ["a-en", "b-ko"],
        "build/memos",
        True,
        ".",
    )
    send = build_parser().parse_args(["send"])
    assert (send.send, send.retries, send.recipients) == (False, 4, "config/recipients.csv")


def test_an_unknown_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])
    assert raised.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_main_runs_the_subcommand_and_returns_its_status(make_project, capsys) -> None:
    root = make_project()
    assert main(["--root", str(root), "validate"]) == 0
    broken = make_project(
        indicators=HEADER + "us_tariff_rate_pct,IND,,2025-07,x,,,,percent,fn01,\n"
    )
    assert main(["--root", str(broken), "validate"]) == 1
    assert 'data/indicators.csv:2: value: "x" is not a number' in capsys.readouterr().err


def test_memo_validate_does_not_pay_for_the_renderer() -> None:
    """``memo validate`` imports its module and every stage check it runs; none is the renderer."""
    code = (
        "import sys, importlib; from memo.cli import COMMANDS; "
        "v = importlib.import_module(COMMANDS['validate'][0]); v.stage_checks(); "
        "print('weasyprint' in sys.modules, 'jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_diff_and_the_editions_flags() -> None:
    parse = build_parser().parse_args
    d = parse(["diff"])
    assert (d.old, d.new, d.json, d.html, d.memos_dir, d.reports) == (
        None,
        None,
        False,
        None,
        "build/memos",
        "reports",
    )
    d = parse(["diff", "2025-09-15-a", "build", "--json", "--html", "c.html"])
    assert (d.old, d.new, d.json, d.html) == ("2025-09-15-a", "build", True, "c.html")
    assert parse(["send", "--all"]).all and not parse(["send"]).all
    assert parse(["publish", "--force"]).force and not parse(["publish"]).force
    assert parse(["render", "a-en", "--previous", "p.figures.json"]).previous == "p.figures.json"
