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

REPO = Path(__file__).resolve().parents[2]
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
    """A command installed with the test extras: beside this Python (a venv need not be active)."""
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    path = path or shutil.which(name)
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


# The only write permissions anywhere, each on the one job that needs it.
WRITES = {
    ("build.yml", "deploy"): {"pages": "write", "id-token": "write"},  # the Pages deployment
    ("send.yml", "send"): {"contents": "write", "actions": "read"},  # commit the ledger branch
}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "top level: permissions: {}"
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        if (path.name, name) in WRITES:
            assert granted == WRITES[(path.name, name)], name
        else:
            assert granted.get("contents") == "read", name
            assert set(granted.values()) <= {"read"}, f"{name} needs no write permission"
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expressions_inside_scripts(path: Path) -> None:
    # Template injection: values reach scripts through env, never pasted into the script text.
    for step in steps(load(path)):
        assert not EXPRESSION.search(step.get("run", "")), step.get("name")


def named(workflow: dict[str, Any], job: str, text: str) -> dict[str, Any]:
    """The step of ``job`` whose name contains ``text``."""
    (step,) = [s for s in workflow["jobs"][job]["steps"] if text in s.get("name", "")]
    return step


def test_build_runs_on_every_change_on_a_schedule_and_on_demand() -> None:
    workflow = load(REPO / ".github" / "workflows" / "build.yml")
    assert set(workflow["on"]) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    (schedule,) = workflow["on"]["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit()
    runs = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
    order = [
        "bash install.sh",
        ".venv/bin/memo validate --format github",
        "bash install.sh --test",
        '.venv/bin/python -m pytest -n 2 -m "not e2e"',
        ".venv/bin/snakemake --cores 2",
        ".venv/bin/memo verify-manifest",
    ]
    assert [r for r in runs if r in order] == order, "validate first, build after the tests"
    uploads = [
        s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert any(s["with"]["path"].rstrip("/") == "reports" for s in uploads)


def test_pages_are_published_only_by_scheduled_or_dispatched_default_branch_builds() -> None:
    workflow = load(REPO / ".github" / "workflows" / "build.yml")
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    publish = build["env"]["PUBLISH"]
    assert "'schedule'" in publish and "'workflow_dispatch'" in publish
    assert "github.ref_name == github.event.repository.default_branch" in publish
    assert deploy["if"] == publish.removeprefix("${{ ").removesuffix(" }}")
    for step in ("Find the address of the Pages site", "Upload the site for GitHub Pages"):
        assert named(workflow, "build", step)["if"] == "env.PUBLISH == 'true'"
    assert named(workflow, "build", "Upload the site")["uses"].startswith(
        "actions/upload-pages-artifact@"
    )
    assert named(workflow, "build", "Upload the site")["with"]["path"] == "reports/"
    # e-mails link to the site: the Pages address reaches the build, which records it.
    build_step = named(workflow, "build", "Build and publish")
    assert build_step["env"]["MEMO_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    # The deploy job runs nothing of ours: the official action, in the github-pages environment.
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    (only,) = deploy["steps"]
    assert only["uses"].startswith("actions/deploy-pages@")


def test_readme_commands_run_on_fresh_debian_and_ubuntu_containers() -> None:
    job = load(REPO / ".github" / "workflows" / "build.yml")["jobs"]["readme"]
    assert job["strategy"]["matrix"]["image"] == ["debian:12", "ubuntu:24.04"]
    assert job["container"]["image"] == "${{ matrix.image }}"
    assert job["steps"][-1]["run"] == "bash .ci/run"


def test_send_takes_the_reviewed_build_and_never_rebuilds() -> None:
    workflow = load(REPO / ".github" / "workflows" / "send.yml")
    assert set(workflow["on"]) == {"workflow_dispatch"}
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["build_run_id"]["required"] is True
    for name in ("really_send", "first_send", "resend_changed", "resend_uncertain"):
        assert inputs[name]["type"] == "boolean" and inputs[name]["default"] is False
    text = (REPO / ".github" / "workflows" / "send.yml").read_text(encoding="utf-8")
    assert "snakemake" not in text and "pytest" not in text and "--test" not in text
    for job in workflow["jobs"].values():
        names = [s.get("name", "") for s in job["steps"]]
        download = names.index("Download the memos of that build")
        step = job["steps"][download]
        assert step["with"]["run-id"] == "${{ inputs.build_run_id }}"
        assert step["with"]["name"] == "memos" and step["with"]["path"] == "reports"
        # Checked against the manifest right after, before anything reads it.
        assert job["steps"][download + 1]["run"] == ".venv/bin/memo verify-manifest"


def test_a_real_send_waits_for_a_named_approval_and_commits_the_ledger() -> None:
    workflow = load(REPO / ".github" / "workflows" / "send.yml")
    review, send = workflow["jobs"]["review"], workflow["jobs"]["send"]
    assert "environment" not in review and "secrets." not in str(review)
    assert send["needs"] == "review" and send["if"] == "${{ inputs.really_send }}"
    assert send["environment"] == "memo-mail"

    send_step = named(workflow, "send", "Send")
    assert send_step["run"] == "bash .github/send-steps.sh send"
    assert send_step["env"]["APPROVER"] == "${{ steps.approval.outputs.approver }}"
    assert named(workflow, "send", "approved")["id"] == "approval"
    for name in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS"):
        assert send_step["env"][f"MEMO_SMTP_{name}"] == f"${{{{ secrets.MEMO_SMTP_{name} }}}}"
    # Secrets reach only the step that sends.
    for step in steps(workflow):
        if step is not send_step:
            assert "secrets." not in str(step), step.get("name")
    for job in workflow["jobs"].values():
        assert "secrets." not in str(job.get("env", {}))

    # The ledger comes from its branch before sending and goes back to it whatever happened.
    names = [s["name"] for s in send["steps"]]
    assert names.index("Read the ledger (branch memo-ledger)") < names.index("Send")
    commit = named(workflow, "send", "Commit the ledger")
    assert commit["if"] == "${{ always() }}" and "ledger-branch.sh push ledger" in commit["run"]
    assert "${{ github.triggering_actor }}" == commit["env"]["REQUESTED_BY"]
    assert "artifacts?name=ledger" not in (REPO / ".github/workflows/send.yml").read_text()

    uploaded = {
        s["with"]["name"]
        for s in steps(workflow)
        if s.get("uses", "").startswith("actions/upload-artifact")
    }
    assert {"ledger", "outbox"} <= uploaded
