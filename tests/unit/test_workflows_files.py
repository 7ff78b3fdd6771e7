"""The GitHub workflows, checked offline: schema, zizmor, pinned actions, triggers, permissions."""

from __future__ import annotations

import json
import os
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
    # ...and only a new edition: a build that published nothing new leaves the site as it is.
    publishing = publish.removeprefix("${{ ").removesuffix(" }}")
    assert deploy["if"] == f"needs.build.outputs.new == 'true' && ({publishing})"
    assert build["outputs"]["new"] == "${{ steps.edition.outputs.new }}"
    assert named(workflow, "build", "Find the address")["if"] == "env.PUBLISH == 'true'"
    assert named(workflow, "build", "Upload the site")["if"] == (
        "env.PUBLISH == 'true' && steps.edition.outputs.new == 'true'"
    )
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


# ------------------------------------------------------------------------------------------------
# The records of the editions sent, carried on the branch memo-ledger (.github/edition-records.sh)

RESTORE = "Restore the records of the editions sent (branch memo-ledger)"


def test_publishing_builds_start_from_the_records_of_the_editions_sent() -> None:
    workflow = load(REPO / ".github" / "workflows" / "build.yml")
    build = workflow["jobs"]["build"]
    names = [s.get("name", "") for s in build["steps"]]
    restore = named(workflow, "build", RESTORE)
    # Publishing runs only (a pull request's build never reads the branch, which holds addresses).
    assert restore["if"] == "env.PUBLISH == 'true'" and restore["id"] == "records"
    fetch, into, clean = restore["run"].strip().splitlines()
    assert fetch == 'bash .github/ledger-branch.sh fetch "$RUNNER_TEMP/memo-ledger"'
    assert into == 'bash .github/edition-records.sh restore "$RUNNER_TEMP/memo-ledger" --link'
    assert clean == 'rm -rf "$RUNNER_TEMP/memo-ledger"'  # the ledger itself is not needed
    assert restore["env"]["GH_TOKEN"] == "${{ github.token }}"
    # After the tests (they never see the records), right before the build that compares with them.
    assert names.index("Test") < names.index(RESTORE)
    assert names.index(RESTORE) + 1 == names.index("Build and publish every memo")
    # Read only: the build job can never write the branch (test_least_privilege checks every job).
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert "ledger-branch.sh push" not in (REPO / ".github/workflows/build.yml").read_text()


def test_a_build_that_publishes_nothing_new_uploads_and_deploys_nothing() -> None:
    workflow = load(REPO / ".github" / "workflows" / "build.yml")
    names = [s.get("name", "") for s in workflow["jobs"]["build"]["steps"]]
    check = named(workflow, "build", "Tell a new edition from nothing new")
    assert check["id"] == "edition" and check["run"] == "bash .github/edition-records.sh check"
    assert check["env"]["RESTORED"] == "${{ steps.records.outputs.current }}"
    assert "if" not in check  # every run says whether its edition is new
    assert names.index("Build and publish every memo") + 1 == names.index(check["name"])
    # A records-only reports/ would fail these: they run for a new edition only.
    new = "steps.edition.outputs.new == 'true'"
    assert named(workflow, "build", "Check every published file")["if"] == new
    assert named(workflow, "build", "Upload the published memos")["if"] == new
    assert new in named(workflow, "build", "Upload the site")["if"]
    assert "needs.build.outputs.new == 'true'" in workflow["jobs"]["deploy"]["if"]
    assert named(workflow, "build", "Upload the build logs")["if"] == "${{ !cancelled() }}"


def test_sends_read_the_records_and_the_send_job_keeps_them_with_the_ledger() -> None:
    workflow = load(REPO / ".github" / "workflows" / "send.yml")
    for job, sending in (("review", "Write every message"), ("send", "Send")):
        steps_ = workflow["jobs"][job]["steps"]
        names = [s.get("name", "") for s in steps_]
        (sends,) = [n for n in names if n.startswith(sending)]
        restore = named(workflow, job, RESTORE)
        assert restore["run"] == "bash .github/edition-records.sh restore ledger"
        # From the ledger's clone (read first), before memo send looks for what readers received.
        assert names.index("Read the ledger (branch memo-ledger)") < names.index(RESTORE)
        assert names.index(RESTORE) < names.index(sends)
        assert "if" not in restore
    (keep,) = [s for s in steps(workflow) if "edition-records.sh keep" in s.get("run", "")]
    send_names = [s.get("name", "") for s in workflow["jobs"]["send"]["steps"]]
    assert keep in workflow["jobs"]["send"]["steps"] and keep["run"].endswith("keep ledger")
    # Only after the artifact was checked, before sending: the commit, whatever happens, has them.
    assert "if" not in keep
    checked = send_names.index("Check every file against the manifest")
    assert checked < send_names.index(keep["name"])
    assert send_names.index(keep["name"]) < send_names.index("Send")
    assert send_names.index("Send") < send_names.index("Commit the ledger (branch memo-ledger)")
    review = str(workflow["jobs"]["review"])
    assert "keep ledger" not in review and "ledger-branch.sh push" not in review
    # ledger-branch.sh push commits the records (ledger/editions/) with deliveries.jsonl.
    assert "add -A editions" in (REPO / ".github" / "ledger-branch.sh").read_text()


def records_project(tmp_path: Path) -> Path:
    """A project copy with the workflow scripts, config/ and this test run's Python as .venv, and a
    stand-in ``memo`` that publishes build/memos whole, as ``memo publish`` does."""
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    shutil.copytree(REPO / ".github", project / ".github")
    (project / "config" / "config.yaml").write_text("editions:\n  keep: 3\n  keep_records: 2\n")
    bin_ = project / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_ / "memo").write_text(
        "#!/bin/sh\nset -e\n"
        'echo "memo $* (reports -> $(readlink reports))" >>memo-calls\n'
        'name=$(cat build/edition) && mkdir -p ".reports/$name"\n'
        'cp build/memos/* ".reports/$name/" && ln -sfn ".reports/$name" reports\n'
    )
    for tool_ in bin_.iterdir():
        tool_.chmod(0o755)
    return project


def edition(folder: Path, name: str, whole: bool = False) -> Path:
    """An edition folder: its manifest and a figure record, and with ``whole`` its PDF and index."""
    (folder / name).mkdir(parents=True, exist_ok=True)
    manifest = {"id": name, "edition": name[:10], "input_digest": f"inputs of {name}"}
    (folder / name / "manifest.json").write_text(json.dumps(manifest))
    (folder / name / "brief-en.figures.json").write_text(json.dumps({"figures": [name]}))
    if whole:
        for f in ("brief-en.pdf", "brief-en.html", "index.html"):
            (folder / name / f).write_text(name)
    return folder / name


def records(
    project: Path, *args: str, **env: str
) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run edition-records.sh as the workflows do; what it wrote to GITHUB_OUTPUT."""
    output = project.parent / "github-output"
    output.write_text("")
    result = subprocess.run(
        ["bash", str(project / ".github" / "edition-records.sh"), *args],
        cwd=project,
        env={**os.environ, **env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return result, outputs


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def test_the_records_of_the_editions_sent_go_round_through_the_branch(tmp_path: Path) -> None:
    project = records_project(tmp_path)
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", str(origin))
    ledger = project / "ledger"

    def send(name: str) -> subprocess.CompletedProcess:
        """A send job: fetch the branch, keep the artifact's records, commit with the ledger."""
        shutil.rmtree(ledger, ignore_errors=True)
        shutil.rmtree(project / "reports", ignore_errors=True)
        shutil.copytree(edition(tmp_path / "artifacts", name, whole=True), project / "reports")
        env = {**os.environ, "LEDGER_REMOTE": str(origin)}
        branch = project / ".github" / "ledger-branch.sh"
        subprocess.run(["bash", branch, "fetch", "ledger"], cwd=project, env=env, check=True)
        kept, _ = records(project, "keep", "ledger")
        assert kept.returncode == 0, kept.stderr
        with (ledger / "deliveries.jsonl").open("a") as f:
            f.write(json.dumps({"edition": name[:10], "result": "sent"}) + "\n")
        cmd = ["bash", branch, "push", "ledger", f"send {name}"]
        subprocess.run(cmd, cwd=project, env=env, check=True, capture_output=True)
        return kept

    # No branch yet: nothing to restore, every memo in its first edition.
    subprocess.run(
        ["bash", project / ".github" / "ledger-branch.sh", "fetch", "ledger"],
        cwd=project,
        env={**os.environ, "LEDGER_REMOTE": str(origin)},
        check=True,
    )
    restored, out = records(project, "restore", "ledger", "--link")
    assert restored.returncode == 0 and "none on the branch yet" in restored.stdout
    assert out == {"current": ""} and not (project / "reports").exists()

    first, second, third = (
        f"2025-09-{day}-{c * 12}" for day, c in (("08", "a"), ("15", "b"), ("22", "c"))
    )
    send(first)
    send(second)
    send(second)  # sent again (another run of the same build): one line in the history
    kept = send(third)
    # keep_records is 2: the oldest edition's records leave the branch (its commit keeps them).
    assert f"{first} removed" in kept.stdout
    tree = git("--git-dir", str(origin), "ls-tree", "-r", "--name-only", "memo-ledger").split()
    assert tree == [
        "deliveries.jsonl",
        "editions/.history/editions.jsonl",
        f"editions/{second}/brief-en.figures.json",
        f"editions/{second}/manifest.json",
        f"editions/{third}/brief-en.figures.json",
        f"editions/{third}/manifest.json",
    ], "records only: no PDF, no HTML on the branch"
    history = git("--git-dir", str(origin), "show", "memo-ledger:editions/.history/editions.jsonl")
    assert [json.loads(x)["edition"] for x in history.splitlines()] == [first, second, third]
    assert json.loads(history.splitlines()[-1]) == {
        "date": "2025-09-22",
        "edition": third,
        "input_digest": f"inputs of {third}",
    }

    # A fresh build: the records into .reports/, reports pointing at the edition last sent.
    build = tmp_path / "build"
    build.mkdir()
    fresh = records_project(build)
    env = {**os.environ, "LEDGER_REMOTE": str(origin)}
    cmd = ["bash", fresh / ".github" / "ledger-branch.sh", "fetch", tmp_path / "clone"]
    subprocess.run(cmd, cwd=fresh, env=env, check=True, capture_output=True)
    restored, out = records(fresh, "restore", str(tmp_path / "clone"), "--link")
    assert restored.returncode == 0, restored.stderr
    assert out == {"current": third}
    assert (fresh / "reports").resolve() == (fresh / ".reports" / third).resolve()
    assert (fresh / ".reports" / second / "brief-en.figures.json").is_file()
    assert (fresh / ".reports" / ".history" / "editions.jsonl").read_text() == history
    assert not (fresh / ".reports" / "deliveries.jsonl").exists()
    # Never over records already there (a local .reports/ is not a clean checkout).
    again, _ = records(fresh, "restore", str(tmp_path / "clone"))
    assert again.returncode == 1 and "clean checkout" in again.stderr


def test_the_build_tells_a_new_edition_from_nothing_new(tmp_path: Path) -> None:
    project = records_project(tmp_path)
    store = project / ".reports"
    sent, older = "2025-09-15-bbbbbbbbbbbb", "2025-09-08-aaaaaaaaaaaa"
    edition(store, older)
    edition(store, sent)

    # memo publish published a new edition: upload and deploy it.
    (project / "reports").symlink_to(edition(store, "2025-09-22-cccccccccccc", whole=True))
    result, out = records(project, "check", RESTORED=sent)
    assert result.returncode == 0 and out == {"new": "true"}, result.stderr

    # Same inputs (or memos) as the edition last sent: reports is its records only; nothing new.
    (project / "reports").unlink()
    (project / "reports").symlink_to(Path(".reports") / sent)
    result, out = records(project, "check", RESTORED=sent)
    assert result.returncode == 0 and out == {"new": "false"}, result.stderr
    assert "::notice::nothing new" in result.stdout
    assert not (project / "memo-calls").exists()

    # The memos are those of an earlier edition, whose records only are kept: published again whole.
    (project / "reports").unlink()
    (project / "reports").symlink_to(Path(".reports") / older)
    (project / "build" / "memos").mkdir(parents=True)
    (project / "build" / "edition").write_text(older)
    for f in ("manifest.json", "brief-en.pdf", "index.html"):
        (project / "build" / "memos" / f).write_text(f)
    result, out = records(project, "check", RESTORED=sent)
    assert result.returncode == 0 and out == {"new": "true"}, result.stderr
    # Over the edition last sent, as the build's own memo publish ran.
    calls = (project / "memo-calls").read_text()
    assert calls == f"memo publish --memos-dir build/memos (reports -> .reports/{sent})\n"
    assert (project / "reports" / "index.html").is_file()
    assert not (store / older / "brief-en.figures.json").exists(), "the records-only copy went"
