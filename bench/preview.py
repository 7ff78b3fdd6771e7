"""Benchmark ``memo preview``: the time from saving a file to the new page drawn in the browser.

In a temporary copy of the project (the checkout is never touched) it starts ``memo preview`` on
the Korea brief's English edition (HTML), opens it in headless Chromium (Playwright with Debian's
``/usr/bin/chromium``, as the tests do), and then, ``--saves`` times each:

- template: edits a sentence of ``templates/korea_brief.html.j2`` and saves it;
- data: edits one figure the brief shows in ``data/indicators.csv`` and saves it (the project is
  checked and derived again in the preview's process);

and measures from just before the save to the frame drawn once the page holds the new text (two
``requestAnimationFrame`` callbacks after the preview's script replaced the document, read from the
page's clock; browser and benchmark share the machine's clock), and, of that, the time until the preview
had rendered the HTML (its ``/status``). It prints the median and the spread of each, and last one
JSON line: ``{"template_median_s": …, "data_median_s": …, …}``.

    python bench/preview.py              # 20 saves of each kind (about a minute)
    python bench/preview.py --saves 5    # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARTS = ("config", "data", "templates", "assets")
MEMO = "korea-brief"
TEMPLATE = "templates/korea_brief.html.j2"
SENTENCE = "Until this year the relationship"
# A row the brief shows: its value is changed on each save (1000 + i, a plausible count).
DATA_ROW = re.compile(r"^(terror_attack_deaths_count,IND,,[^,]*,)(\d+)(,.*)$", re.M)
CHROMIUM = os.environ.get("MEMO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]

# The time the page drew its first frame after loading, or after the preview replaced it with a
# new version (its script's "memo-preview-drawn" event), on the page's (the machine's) clock.
DRAWN = """
document.addEventListener("DOMContentLoaded", () => {
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__drawn = Date.now(); }));
});
window.addEventListener("memo-preview-drawn", () => { window.__drawn = Date.now(); });
"""


def copy_project(dst: Path) -> Path:
    for part in PARTS:
        shutil.copytree(REPO / part, dst / part)
    return dst


def start_preview(project: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "memo.cli", "--root", str(project), "preview", MEMO]
        + ["--lang", "en", "--port", "0", "--no-browser"],
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stderr.readline() if proc.stderr else ""
    found = re.search(r"at (http://127\.0\.0\.1:\d+/)", first)
    if not found:
        proc.kill()
        raise SystemExit(f"memo preview did not start: {first}")
    return proc, found.group(1)


def save_and_wait(page, url: str, path: Path, text: str, marker: str) -> tuple[float, float]:
    """Write ``text`` to ``path``; return seconds until the page showing ``marker`` was drawn,
    and of those, until the preview had rendered it (from its /status)."""
    page.evaluate("window.__drawn = 0")
    start = time.time()
    path.write_text(text, encoding="utf-8")
    page.wait_for_function(
        "(m) => window.__drawn && document.body.innerText.includes(m)",
        arg=marker,
        timeout=60_000,
        polling=5,
    )
    drawn = page.evaluate("window.__drawn") / 1000
    with urllib.request.urlopen(url + "status") as response:
        rendered = json.load(response)["done"]
    return drawn - start, rendered - start


def measure(saves: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="memo-bench-preview-") as tmp:
        project = copy_project(Path(tmp) / "project")
        proc, url = start_preview(project)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                page.add_init_script(DRAWN)
                page.goto(url)
                page.wait_for_function("() => window.__drawn", timeout=60_000)
                template = project / TEMPLATE
                original = template.read_text(encoding="utf-8")
                times = {"template": [], "data": []}
                for i in range(saves):
                    marker = f"Until edit {i} the relationship"
                    text = original.replace(SENTENCE, marker)
                    times["template"].append(save_and_wait(page, url, template, text, marker))
                    time.sleep(0.2)
                data = project / "data/indicators.csv"
                rows = data.read_text(encoding="utf-8")
                for i in range(saves):
                    value = 1000 + i
                    text = DATA_ROW.sub(lambda m, v=value: f"{m[1]}{v}{m[3]}", rows, count=1)
                    # The count prints with a thousands separator ("1,000").
                    times["data"].append(save_and_wait(page, url, data, text, f"{value:,}"))
                    time.sleep(0.2)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=20, help="saves of each kind (default 20)")
    args = parser.parse_args(argv)
    times = measure(args.saves)
    result = {"saves": args.saves}
    print(f"memo preview, {MEMO}-en (HTML), save to new page drawn in Chromium:")
    for kind, pairs in times.items():
        values = [drawn for drawn, _ in pairs]
        median = statistics.median(values)
        rendered = statistics.median(r for _, r in pairs)
        result[f"{kind}_median_s"] = round(median, 3)
        result[f"{kind}_min_s"] = round(min(values), 3)
        result[f"{kind}_max_s"] = round(max(values), 3)
        result[f"{kind}_rendered_median_s"] = round(rendered, 3)
        print(
            f"  {kind:<9} median {median:.3f} s  (min {min(values):.3f}, max {max(values):.3f}, "
            f"{len(values)} saves; rendered by the preview after {rendered:.3f} s)"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
