"""Headless Chromium for the tests: Debian's ``chromium`` driven by Playwright, and axe-core.

Playwright never downloads a browser here: it launches the system's ``/usr/bin/chromium`` (Debian's
package, installed by install.sh). axe-core comes from the npm registry, pinned in
``tests/a11y/package.json`` and ``package-lock.json`` and installed by install.sh with
``npm ci --prefix tests/a11y``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Debian's chromium; on Ubuntu (whose chromium is a snap) Playwright's build, which install.sh links
# beside this Python as .venv/bin/chromium.
CHROMIUM = (
    os.environ.get("MEMO_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium", path=str(Path(sys.executable).parent))
    or "/usr/bin/chromium"
)
# No sandbox (tests run as root), no GPU, and none of Chromium's own traffic (updates, sync, QUIC):
# the only requests a page can make are its own, which the tests watch.
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def missing_tools() -> str:
    """Say what is missing to run the browser tests, or "" when everything is there."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE.is_file():
        missing.append(f"{AXE} (npm ci --prefix tests/a11y)")
    return ", ".join(missing) + "; bash install.sh installs both" if missing else ""


def launch(playwright):
    """Launch the system Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def running_browser():
    """Start Debian's Chromium through Playwright, yield it, and close both (for a pytest fixture)."""
    missing = missing_tools()
    assert not missing, f"browser tests need {missing}"
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = launch(pw)
    yield b
    b.close()
    pw.stop()


def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page, tags: list[str] = WCAG_AA) -> dict:
    """Run axe-core on the whole document with ``tags``, injecting it into the page first unless an
    earlier run did (Chromium compiles its half megabyte of script each time: 0.6 s of CPU)."""
    if not page.evaluate("() => typeof window.axe?.run === 'function'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        tags,
    )


def describe_violations(violations: list[dict]) -> str:
    """axe's violations, one block each: rule, impact, help, and the first nodes with their fix."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)
