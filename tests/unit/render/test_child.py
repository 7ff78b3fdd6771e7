"""memo.render.child: a request run as ``memo render`` would run it, with its exit status."""

from __future__ import annotations

import json
from pathlib import Path

from memo.render.child import run_render
from unit.support import make_project


def test_a_request_for_another_command_is_refused(capsys) -> None:
    assert run_render("argv", [b"validate"]) == 2
    assert "the render server runs render and publish, not 'validate'" in capsys.readouterr().err


def test_a_publish_request_publishes_as_memo_publish_would(tmp_path: Path, capsys) -> None:
    from unit.support import STAND_IN_IDS, write_memos

    root = make_project(tmp_path / "p")
    write_memos(root, "first")
    words = ["--root", str(root), "publish", "--memos-dir", str(root / "build/memos")]
    assert run_render("argv", [w.encode() for w in words]) == 0
    assert "published 3 memos to reports/" in capsys.readouterr().err
    manifest = json.loads((root / "reports/manifest.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in manifest["memos"]] == STAND_IN_IDS
    # A publish the command line refuses is refused here, with the same status and message.
    (root / "build/memos/trade-brief-ko.html").unlink()
    assert run_render("argv", [w.encode() for w in [*words, "--force"]]) == 1
    assert "trade-brief-ko.html" in capsys.readouterr().err


def test_a_request_with_a_bad_option_exits_like_the_command_line(capsys) -> None:
    assert run_render("argv", [b"render", b"--no-such-option"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_a_request_renders_as_memo_render_would(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path / "p")
    request = {
        "root": str(root),
        "memos": ["tariff-brief-en"],
        "out": "build/memos",
        "html_only": True,
    }
    # Without figures: the one-line error of memo render, exit status 1.
    assert run_render("json", [json.dumps(request).encode()]) == 1
    assert capsys.readouterr().err.endswith("is missing: run memo derive first\n")
