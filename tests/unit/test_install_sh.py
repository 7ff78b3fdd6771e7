"""install.sh's check that skips pip on a rerun: run as install.sh runs it, on drawn environments
(a memo distribution made here, in a folder of its own, beside this test run's packages).

The whole command, with pip and without, runs in tests/e2e/test_install.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def check_script() -> str:
    """The Python that install.sh feeds its environment's interpreter (its ``<<'PY'`` heredoc)."""
    text = (REPO / "install.sh").read_text(encoding="utf-8")
    start = text.index("<<'PY'")
    start = text.index("\n", start) + 1
    return text[start : text.index("\nPY\n", start)]


def draw_memo(site: Path, project: Path, requires: list[str], editable: bool = True) -> None:
    """An installed memo as pip leaves it: METADATA with its requirements, direct_url.json."""
    info = site / "memo-0.1.0.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", "Name: memo", "Version: 0.1.0"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = {"url": project.as_uri(), "dir_info": {"editable": editable}}
    (info / "direct_url.json").write_text(json.dumps(url), encoding="utf-8")


def up_to_date(site: Path, kind: str, project: Path) -> bool:
    """Exit status 0 of install.sh's check, with ``site`` first on the path."""
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); sys.argv[1:] = {[kind, str(project)]!r}\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + check_script()], capture_output=True, text=True, timeout=60
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def test_met_requirements_and_theirs_skip_pip(tmp_path, project):
    # jinja2 needs MarkupSafe: the walk goes on to requirements of requirements.
    draw_memo(tmp_path / "site", project, ["jinja2>=3", "pytest>=1; extra == 'test'"])
    assert up_to_date(tmp_path / "site", "base", project)
    assert up_to_date(tmp_path / "site", "test", project)


@pytest.mark.parametrize(
    ("requires", "kind"),
    [
        (["pyyaml>=999"], "base"),  # installed, but too old for the requirement
        (["no-such-distribution-here"], "base"),  # not installed at all
        (["no-such-distribution-here; extra == 'test'"], "test"),  # a test tool missing
    ],
    ids=["too-old", "missing", "missing-test-tool"],
)
def test_an_unmet_requirement_runs_pip(tmp_path, project, requires, kind):
    draw_memo(tmp_path / "site", project, requires)
    assert not up_to_date(tmp_path / "site", kind, project)


def test_a_missing_test_tool_does_not_hold_up_the_build_install(tmp_path, project):
    draw_memo(tmp_path / "site", project, ["no-such-distribution-here; extra == 'test'"])
    assert up_to_date(tmp_path / "site", "base", project)


def test_memo_installed_from_another_folder_or_not_editable_runs_pip(tmp_path, project):
    draw_memo(tmp_path / "elsewhere", tmp_path / "other-checkout", ["jinja2>=3"])
    assert not up_to_date(tmp_path / "elsewhere", "base", project)
    draw_memo(tmp_path / "copied", project, ["jinja2>=3"], editable=False)
    assert not up_to_date(tmp_path / "copied", "base", project)
