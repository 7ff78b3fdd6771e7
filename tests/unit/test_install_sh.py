"""install.sh's check that skips pip on a rerun: run as install.sh runs it (``python -I -``, the
script on standard input), on drawn projects and environments (a ``pyproject.toml``, and a memo
distribution made here, in a folder of its own, beside this test run's packages).

The stamp's part, in the shell, and the whole command, with pip and without, run in
tests/e2e/test_install.py.
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


def draw(
    tmp_path: Path,
    requires: list[str],
    test: tuple[str, ...] | list[str] = (),
    source: Path | None = None,
) -> tuple[Path, Path]:
    """A project asking for ``requires`` (and ``test`` for its test extra), and a folder holding
    memo installed as pip leaves it (editable, from ``source``: the project unless given)."""
    project = tmp_path / "project"
    project.mkdir()
    quoted = ", ".join(json.dumps(r) for r in requires)
    tools = ", ".join(json.dumps(r) for r in test)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "memo"\ndependencies = [{quoted}]\n'
        f"[project.optional-dependencies]\ntest = [{tools}]\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    info = site / "memo-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: memo\nVersion: 0.1.0\n", "utf-8")
    url = {"url": (source or project).resolve().as_uri(), "dir_info": {"editable": True}}
    (info / "direct_url.json").write_text(json.dumps(url), encoding="utf-8")
    return project, site


def up_to_date(site: Path, kind: str, project: Path) -> bool:
    """install.sh's check with ``site`` first on the path: True when it says pip need not run."""
    done = subprocess.run(
        [sys.executable, "-I", "-", kind, str(project)],
        input=f"import sys; sys.path.insert(0, {str(site)!r})\n" + check_script(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # "Run pip" is the check's own answer (exit 1), never a crash: it prints nothing.
    assert done.returncode in (0, 1) and done.stderr == "", done.stderr
    return done.returncode == 0


def test_met_requirements_and_theirs_skip_pip(tmp_path):
    # jinja2 needs MarkupSafe: the walk goes on to requirements of requirements.
    project, site = draw(tmp_path, ["jinja2>=3"], test=["pytest>=1"])
    assert up_to_date(site, "base", project)
    assert up_to_date(site, "test", project)


@pytest.mark.parametrize(
    ("requires", "test", "kind"),
    [
        (["pyyaml>=999"], [], "base"),  # installed, but too old for the requirement
        (["pyyaml>=1", "pyyaml>=999"], [], "base"),  # met once, not the second time
        (["no-such-distribution-here"], [], "base"),  # not installed at all
        ([], ["no-such-distribution-here"], "test"),  # a test tool missing
    ],
    ids=["too-old", "too-old-the-second-time", "missing", "missing-test-tool"],
)
def test_an_unmet_requirement_runs_pip(tmp_path, requires, test, kind):
    project, site = draw(tmp_path, requires, test=test)
    assert not up_to_date(site, kind, project)


def test_a_missing_test_tool_does_not_hold_up_the_build_install(tmp_path):
    project, site = draw(tmp_path, ["jinja2>=3"], test=["no-such-distribution-here"])
    assert up_to_date(site, "base", project)


def test_memo_installed_from_another_folder_runs_pip(tmp_path):
    project, site = draw(tmp_path, ["jinja2>=3"], source=tmp_path / "other-checkout")
    assert not up_to_date(site, "base", project)


def test_the_project_reached_through_a_link_is_the_same_folder(tmp_path):
    project, site = draw(tmp_path, ["jinja2>=3"])
    link = tmp_path / "link"
    link.symlink_to(project)
    assert up_to_date(site, "base", link)
