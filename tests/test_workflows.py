"""The GitHub workflows, checked offline: schema, zizmor, pinned actions, triggers, permissions."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def load(path: Path) -> dict[str, Any]:
    """Load a workflow; PyYAML reads the bare key ``on`` as True, so put it back under "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def tool(name: str) -> str:
    """The console script ``name`` of this Python's environment (the venv), else one on PATH."""
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def test_there_are_build_and_send_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"build.yml", "send.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_schema(path: Path) -> None:
    # The schema is vendored inside check-jsonschema: no network needed.
    cmd = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    # --offline: no GitHub API; --no-config and --no-ignores: no finding can be suppressed.
    cmd = [tool("zizmor"), "--offline", "--no-config", "--no-ignores", "--no-progress"]
    cmd += ["--format", "plain", *map(str, WORKFLOWS)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout, result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_commit_shas_with_a_version_comment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", text, re.M)
    assert uses
    for ref, rest in uses:
        if ref.startswith("./"):
            continue  # a workflow or action in this repository
        assert PINNED.match(ref), f"{ref} is not pinned to a full commit SHA"
        assert re.fullmatch(r"\s*#\s*v\d+\.\d+\.\d+\s*", rest), f"{ref}: add '# vX.Y.Z'"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "top level: permissions: {}"
    for name, job in workflow["jobs"].items():
        assert job.get("permissions", {}).get("contents") == "read", name
        assert set(job["permissions"].values()) <= {"read"}, f"{name} needs no write permission"
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expressions_inside_scripts(path: Path) -> None:
    # Template injection: values reach scripts through env, never pasted into the script text.
    for step in steps(load(path)):
        assert not EXPRESSION.search(step.get("run", "")), step.get("name")


def test_build_runs_on_a_schedule_and_on_demand() -> None:
    workflow = load(REPO / ".github" / "workflows" / "build.yml")
    (schedule,) = workflow["on"]["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in workflow["on"]
    runs = [s.get("run", "") for s in steps(workflow)]
    assert "bash install.sh" in runs
    assert any("pytest" in r for r in runs) and any(r.startswith("snakemake") for r in runs)
    uploads = [
        s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert any(s["with"]["path"].rstrip("/") == "reports" for s in uploads)


def test_send_is_manual_and_a_dry_run_unless_asked() -> None:
    workflow = load(REPO / ".github" / "workflows" / "send.yml")
    assert set(workflow["on"]) == {"workflow_dispatch"}
    really = workflow["on"]["workflow_dispatch"]["inputs"]["really_send"]
    assert really["type"] == "boolean" and really["default"] is False

    (send_step,) = [s for s in steps(workflow) if "memo send" in s.get("run", "")]
    assert send_step["env"]["REALLY_SEND"] == "${{ inputs.really_send }}"
    assert '"$REALLY_SEND" = "true"' in send_step["run"]
    for name in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS"):
        assert send_step["env"][f"MEMO_SMTP_{name}"] == f"${{{{ secrets.MEMO_SMTP_{name} }}}}"
    # Secrets reach only the step that sends.
    for step in steps(workflow):
        if step is not send_step:
            assert "secrets." not in str(step), step.get("name")
    for job in workflow["jobs"].values():
        assert "secrets." not in str(job.get("env", {}))

    uploaded = {
        s["with"]["name"]
        for s in steps(workflow)
        if s.get("uses", "").startswith("actions/upload-artifact")
    }
    assert {"ledger", "outbox"} <= uploaded
