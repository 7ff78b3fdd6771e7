"""install.sh: the README's first command on the distribution's Python, and an active environment.

Both run on a fresh copy of the working tree (what `git clone` would give, with uncommitted edits),
in an empty environment whose PATH holds only the distribution's folders, as a new user's shell on
Debian 12 would. pip's cache is the machine's, so a rerun takes about a minute, not ten.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
DISTRIBUTION_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

pytestmark = pytest.mark.e2e


def quick_start() -> list[str]:
    """The README's Quick start commands, read as .ci/run reads them."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^#+\s*Quick start.*?^```sh\n(.*?)^```", text, re.S | re.M).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def fresh_copy(dst: Path) -> Path:
    """Copy the files git would check out (tracked, and new ones not ignored) to ``dst``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        src = REPO / name
        if src.is_file():  # not a file deleted in the working tree
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    return dst


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``command`` with bash in an empty environment: the distribution's PATH and HOME."""
    base = {"PATH": DISTRIBUTION_PATH, "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["/bin/bash", "-c", command],
        cwd=cwd,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )


def system_site_packages() -> dict[str, list[str]]:
    """What the distribution's Python has installed, folder by folder."""
    code = "import site, sys; print('\\n'.join(site.getsitepackages()))"
    folders = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {f: sorted(os.listdir(f)) if os.path.isdir(f) else [] for f in folders}


def test_readme_first_command_with_the_distribution_python(tmp_path: Path) -> None:
    assert SYSTEM_PYTHON.is_file(), "this test needs the distribution's /usr/bin/python3"
    project = fresh_copy(tmp_path / "clone")
    before = system_site_packages()

    build = quick_start()[0]
    assert build == "bash install.sh && .venv/bin/snakemake --cores 2"
    result = shell(build, project)
    assert result.returncode == 0, result.stdout[-4000:]

    # Built with a .venv made from the distribution's Python, and nothing written to that Python.
    venv = project / ".venv"
    assert venv.is_dir() and not venv.is_symlink()
    assert (venv / "pyvenv.cfg").read_text().count("home = /usr/bin") == 1
    assert system_site_packages() == before
    assert "error: externally-managed-environment" not in result.stdout
    assert (project / "reports" / "index.html").is_file()
    # The project's own environment got a pip that checks the index's files quickly (Debian 12's
    # venv brings pip 23).
    assert "pip in .venv/ brought up to date first" in result.stdout, result.stdout[-4000:]
    pip = shell(".venv/bin/python -c 'import pip; print(pip.__version__)'", project).stdout
    assert int(pip.split(".")[0]) >= 25, pip
    verified = shell(".venv/bin/memo verify-manifest", project)
    assert verified.returncode == 0 and "files match" in verified.stdout, verified.stdout

    # The second time installs nothing (pip is not even run) and builds nothing.
    again = shell(build, project)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "made .venv/" not in again.stdout and "Nothing to be done" in again.stdout
    assert "up to date (pip not run)" in again.stdout, again.stdout[-4000:]


def test_an_active_virtual_environment_is_reused_not_duplicated(tmp_path: Path) -> None:
    # A user's own environment, made by the distribution's Python. It sees this test run's
    # packages (pip among them) through a .pth file, so pip has only memo itself to install
    # (seconds, not a minute), and the environment needs no pip of its own.
    env_dir = tmp_path / "my-env"
    subprocess.run(
        [str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120
    )
    (site_packages,) = env_dir.glob("lib/python3*/site-packages")
    ours = [p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)]
    (site_packages / "test-run-packages.pth").write_text("\n".join(ours) + "\n")
    active = {"VIRTUAL_ENV": str(env_dir), "PATH": f"{env_dir}/bin:{DISTRIBUTION_PATH}"}

    project = fresh_copy(tmp_path / "clone")
    result = shell("bash install.sh", project, **active)
    assert result.returncode == 0, result.stdout[-4000:]
    venv = project / ".venv"
    assert venv.is_symlink() and venv.resolve() == env_dir.resolve()
    where = shell(".venv/bin/python -c 'import memo; print(memo.__file__)'", project)
    assert where.stdout.strip() == str(project / "src" / "memo" / "__init__.py")
    assert (env_dir / "bin" / "memo").is_file()
    # Run again: the stamp, kept in that environment, says there is nothing to install.
    again = shell("bash install.sh", project, **active)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "up to date (pip not run)" in again.stdout, again.stdout[-4000:]
    assert (env_dir / "memo-install.stamp").is_file()

    # A project with an environment of its own, and another one active: refused, not guessed.
    other = fresh_copy(tmp_path / "other")
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(other / ".venv")])
    refused = shell("bash install.sh", other, **active)
    assert refused.returncode == 1
    assert ".venv/ is an environment of its own" in refused.stdout
