"""Faults: nothing half-written, nothing lost.

- A build killed with SIGKILL (the whole process group: Snakemake, its jobs, the render server) at
  several points leaves ``reports/`` holding one complete edition, and the next
  ``snakemake --cores 2`` finishes with no manual clean-up (no ``--unlock``, no deleting files).
- An unwritable ``reports`` store or a full disk makes ``memo publish`` fail with a message naming
  the path and the cause, and the previous edition stays whole.

How the faults are made (tests run as root, which ignores permission bits):

- unwritable: the store folder ``.reports`` made immutable with ``chattr +i`` (refused even to
  root; the test fails, saying so, where the file system or the capabilities don't allow it), and,
  needing no privilege, ``.reports`` replaced by a regular file (a path component that is not a folder) while
  ``reports`` keeps pointing at the previous edition moved elsewhere;
- full disk: a small tmpfs mounted on ``.reports`` holding the previous edition, filled up to a
  few kilobytes with a filler file (``mount`` needs root, as install.sh and CI have).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    assert_whole_edition,
    copy_built,
    reports_snapshot,
    run_snakemake,
    tool_env,
)

pytestmark = pytest.mark.e2e


def edition_date(project: Path) -> str:
    return json.loads((project / "reports/manifest.json").read_text(encoding="utf-8"))["edition"]


def rerenders_everything(project: Path, new_date: str) -> None:
    """A new edition date: every memo shows it, so every memo is rendered again."""
    path = project / "config/config.yaml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r'(?m)^(  date: )"[0-9-]+"', rf'\g<1>"{new_date}"', text, count=1)
    assert new != text
    path.write_text(new, encoding="utf-8")


def new_index(project: Path) -> None:
    """A change to the index page only: a new edition that needs no rendering, only publishing."""
    path = project / "templates/index.html.j2"
    path.write_text(
        path.read_text(encoding="utf-8").replace("</body>", "<!-- fault test -->\n</body>"),
        encoding="utf-8",
    )


# ---- killing a build ---------------------------------------------------------------------------

NEW_DATE = "2025-09-16"


def _newer_pdfs(project: Path, since: float) -> int:
    newer = 0
    for path in (project / "build/memos").glob("*.pdf"):
        try:  # Snakemake removes a render's old outputs before the job runs
            newer += path.stat().st_mtime > since
        except FileNotFoundError:
            continue
    return newer


# Publish is killed as it opens the third file it copies into the staging folder.
KILL_STAGED = 3
KILLPOINT = Path(__file__).parent / "killpoint"


def _group_gone(pgid: int, timeout: float = 20) -> None:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for proc in psutil.process_iter(["status"]):
            try:
                if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(proc.pid)
            except (ProcessLookupError, psutil.Error):
                continue
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes of group {pgid} still alive: {alive}")


KILL_POINTS = {
    # the first memo of the new edition is written, the others are being rendered
    "while-rendering": lambda project, since: _newer_pdfs(project, since) >= 1,
    # the new edition is being copied into .reports/ (a change to the index alone: publishing
    # copies the memos whether they were rendered in this run or an earlier one). The build kills
    # itself there (tests/e2e/killpoint/): publishing unchanged memos takes milliseconds, which a
    # watcher of the folder missed.
    "while-publishing": "itself",
    # at a random moment of the run (the seed is in the test's output)
    "at-random": None,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_leaves_one_whole_edition_and_the_next_run_needs_no_clean_up(
    point, built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "project")
    before = reports_snapshot(project)
    if point == "while-publishing":
        new_date = edition_date(project)
        new_index(project)
    else:
        new_date = NEW_DATE
        rerenders_everything(project, new_date)
    since = time.time()
    delay = None
    if KILL_POINTS[point] is None:
        seed = random.randrange(1 << 30)
        # Within the run: re-rendering every memo takes 4.5–7 s here (a kill after its end would
        # kill nothing).
        delay = random.Random(seed).uniform(0.5, 5.0)
        print(f"kill point: random, seed {seed}, {delay:.2f} s after the start")

    # What the killed processes leave in the temp folder (WeasyPrint's copies of the fonts, the
    # server's socket when the project's path is long) stays in the test's own folder.
    temp = tmp_path / "temp"
    temp.mkdir()
    env = tool_env(TMPDIR=str(temp))
    record = tmp_path / "kill-record.txt"
    itself = KILL_POINTS[point] == "itself"
    if itself:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KILLPOINT), env.get("PYTHONPATH")]))
        env |= {"MEMO_TEST_KILL_STAGED": str(KILL_STAGED), "MEMO_TEST_KILL_RECORD": str(record)}
    with open(tmp_path / "killed-run.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "2"],
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the jobs and the server die with it
        )
        reached = False
        deadline = time.monotonic() + 240
        started = time.monotonic()
        while proc.poll() is None and time.monotonic() < deadline:
            if delay is not None:
                reached = time.monotonic() - started >= delay
            elif callable(KILL_POINTS[point]):
                reached = KILL_POINTS[point](project, since)
            if reached:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait()
        _group_gone(proc.pid)
    killed_log = (tmp_path / "killed-run.log").read_text(encoding="utf-8", errors="replace")
    print(f"the killed run's output ends:\n{killed_log[-3000:]}")  # shown if the test fails
    if itself:
        reached = record.is_file() and proc.returncode == -signal.SIGKILL
    if delay is None:
        assert reached, f"the build ended before the kill point {point}:\n{killed_log[-3000:]}"
    if itself:
        # Killed with the edition half copied: the staging folder holds the files copied before
        # the third (Python's audit event comes before the file is opened).
        staging, *staged = record.read_text(encoding="utf-8").splitlines()
        assert len(staged) == KILL_STAGED
        assert sorted(p.name for p in (project / staging).iterdir()) == sorted(staged[:-1])

    # Right after the kill: one whole edition, the old one (byte for byte) or the new one.
    assert_whole_edition(project)
    if reports_snapshot(project)["link"] == before["link"]:
        assert reports_snapshot(project) == before

    # The next run finishes without --unlock or any other clean-up, and publishes the new edition.
    locks = project / ".snakemake/locks"
    stale_lock = locks.is_dir() and any(locks.iterdir())
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-5000:]
    if stale_lock:
        assert "removed the Snakemake lock of a run that was killed" in result.stdout
    manifest = assert_whole_edition(project)
    assert manifest["edition"] == new_date
    assert reports_snapshot(project)["link"] != before["link"], "the new edition is not published"
    assert not any((project / ".reports").glob(".staging-*")), "a killed run's staging is left"
    leftovers = [p.name for p in (project / "build/memos").iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, f"half-written files left in build/memos: {leftovers}"
    assert not (locks.is_dir() and any(locks.iterdir())), "a lock is left"
    if point == "while-rendering":
        # And a third run has nothing left to do (no job left marked incomplete).
        again = run_snakemake(project, "--cores", "2")
        assert again.returncode == 0 and "Nothing to be done" in again.stdout, again.stdout[-3000:]


# ---- an unwritable store, a full disk ----------------------------------------------------------

PUBLISH_FAILED = re.compile(
    r"^error: could not publish to reports/: (?P<what>.+); the previous edition is unchanged "
    r"\(reports -> (?P<link>\.reports/[^)]+)\)$",
    re.M,
)


def _assert_refused(project: Path, before: dict, cause: str) -> None:
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode != 0, result.stdout[-3000:]
    found = PUBLISH_FAILED.search(result.stdout)
    assert found, result.stdout[-3000:]
    assert re.search(cause, found["what"]), found["what"]
    assert found["link"] == before["link"]
    assert "Traceback" not in result.stdout
    assert reports_snapshot(project) == before


def _chattr(path: Path, flag: str) -> bool:
    try:
        done = subprocess.run(["chattr", flag, str(path)], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_immutable_store_is_reported_and_the_previous_edition_stays(
    built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "project")
    before = reports_snapshot(project)
    new_index(project)
    store = project / ".reports"
    if not _chattr(store, "+i"):
        pytest.fail("chattr +i is refused here (file system or capability): run the tests as root")
    try:
        probe = store / ".probe"
        try:
            probe.mkdir()
        except OSError:
            pass
        else:
            probe.rmdir()
            pytest.fail("an immutable folder is still writable here: the fault cannot be made")
        _assert_refused(
            project, before, r"cannot write .*\.reports/\.staging-\d+: Operation not permitted"
        )
    finally:
        _chattr(store, "-i")
    assert_whole_edition(project)
    # Once the store is writable again, the next run publishes, with no other clean-up.
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode == 0, result.stdout[-3000:]
    assert reports_snapshot(project)["link"] != before["link"]
    assert_whole_edition(project)


def test_store_path_that_is_a_file_is_reported_and_the_previous_edition_stays(
    built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "project")
    new_index(project)
    # The previous edition moves out of the way, still readable through reports/; .reports becomes
    # a regular file, so nothing can be created in it.
    elsewhere = tmp_path / "kept-editions"
    shutil.move(project / ".reports", elsewhere)
    edition = Path(os.readlink(project / "reports")).name
    (project / "reports").unlink()
    (project / "reports").symlink_to(elsewhere / edition)
    (project / ".reports").write_text("not a folder\n", encoding="utf-8")
    before = reports_snapshot(project)
    result = run_snakemake(project, "--cores", "2")
    assert result.returncode != 0, result.stdout[-3000:]
    assert re.search(
        r"^error: could not publish to reports/: cannot write \S*\.reports\S*: Not a directory; "
        r"the previous edition is unchanged",
        result.stdout,
        re.M,
    ), result.stdout[-3000:]
    assert "Traceback" not in result.stdout
    assert reports_snapshot(project) == before


def _mount_tmpfs(path: Path, size: str) -> bool:
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_full_disk_is_reported_and_the_previous_edition_stays(built_project, reports, tmp_path):
    project = copy_built(built_project.root, tmp_path / "project")
    store = project / ".reports"
    kept = tmp_path / "editions"
    shutil.copytree(store, kept, symlinks=True)
    if not _mount_tmpfs(store, "4m"):
        pytest.fail("mounting a tmpfs is not permitted here: run the tests as root")
    try:
        for entry in kept.iterdir():
            shutil.copytree(entry, store / entry.name, symlinks=True)
        before = reports_snapshot(project)
        assert_whole_edition(project)
        new_index(project)
        # Fill the file system, leaving a few blocks: less than one memo's PDF.
        free = os.statvfs(store).f_bavail * os.statvfs(store).f_frsize
        filler = store / ".filler"
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, free - 16 * 1024))
        _assert_refused(project, before, r"^disk full while writing \S+")
        assert not any(store.glob(".staging-*")), "the half-written copy was not removed"

        # Space again: the next run publishes without any other clean-up.
        filler.unlink()
        result = run_snakemake(project, "--cores", "2")
        assert result.returncode == 0, result.stdout[-3000:]
        assert reports_snapshot(project)["link"] != before["link"]
        assert_whole_edition(project)
    finally:
        subprocess.run(["umount", "-l", str(store)], capture_output=True, timeout=30)


def test_full_disk_while_rendering_is_reported_and_nothing_is_published(
    built_project, reports, tmp_path
):
    project = copy_built(built_project.root, tmp_path / "project")
    before = reports_snapshot(project)
    memos = project / "build/memos"
    if not _mount_tmpfs(memos, "1m"):
        pytest.fail("mounting a tmpfs is not permitted here: run the tests as root")
    try:
        free = os.statvfs(memos).f_bavail * os.statvfs(memos).f_frsize
        with open(memos / ".filler", "wb") as f:
            f.write(b"\0" * max(0, free - 16 * 1024))
        rerenders_everything(project, NEW_DATE)
        result = run_snakemake(project, "--cores", "2")
        assert result.returncode != 0, result.stdout[-3000:]
        assert re.search(
            r"^error: disk full while writing build/memos/[\w.-]+; nothing was published, "
            r"reports/ is unchanged$",
            result.stdout,
            re.M,
        ), result.stdout[-3000:]
        assert "Traceback" not in result.stdout
        assert reports_snapshot(project) == before
        assert not [p.name for p in memos.iterdir() if p.name.endswith(".tmp")]
    finally:
        subprocess.run(["umount", "-l", str(memos)], capture_output=True, timeout=30)
