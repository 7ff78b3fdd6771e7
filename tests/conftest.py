"""Shared fixtures: a tiny, valid data/ folder that tests copy and break one file at a time."""

from __future__ import annotations

import gc
import getpass
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import temproot
from tiers import may_select_e2e, unit_tier_only

GOOD_DICTIONARY = """\
units:
  percent: {label: percent, symbol: "%", min: 0, max: 100}
  usd_bn: {label: billion US dollars, symbol: US$ bn, min: 0}
qualifiers:
  exact: as stated (empty qualifier column)
  about: approximately
  nearly: just below
  less_than: below
  more_than: above
  up_to: at most
entities:
  USA: {name: United States, alpha2: US, kind: country}
  IND: {name: India, alpha2: IN, kind: country}
  CHN: {name: China, alpha2: CN, kind: country}
  WLD: {name: World, kind: world}
indicators:
  us_tariff_rate_pct:
    label: US tariff rate
    unit: percent
    description: Tariff the United States applies to imports from the entity.
    range: [0, 60]
  bilateral_trade_usd_bn:
    label: Bilateral trade
    unit: usd_bn
    description: Goods and services trade between entity and counterpart.
  trade_growth_pct:
    label: Trade growth
    unit: percent
    description: Growth of bilateral trade between two years.
    derived: true
    derivation: bilateral_trade_usd_bn of the later year over the earlier one, minus one
    derive: {kind: change, of: bilateral_trade_usd_bn, in: percent}
"""

GOOD_SOURCES = """\
id,footnote,author,title,publisher,date,url,note
article,,Yoon Jung Choi,The article,Sejong Institute,2025-09-15,,
fn01,1,,Exports under threat,CNBC,2025-08-07,https://example.org/a,
fn09,9,,Trade facts,USTR,2025,https://example.org/b,
"""

GOOD_EVENTS = """\
id,date,title,source,note
tariff_order,2025-08-06,Executive order adds a 25 point tariff,fn01,
"""

GOOD_INDICATORS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,unit,source,note
us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn01,
us_tariff_rate_pct,CHN,,2025-Q2,38,36,40,about,percent,fn01,"36 to 40 percent, 관세율"
bilateral_trade_usd_bn,USA,IND,2000,20,,,about,usd_bn,fn09,
bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09,
"""

GOOD_FILES = {
    "data/dictionary.yaml": GOOD_DICTIONARY,
    "data/sources.csv": GOOD_SOURCES,
    "data/events.csv": GOOD_EVENTS,
    "data/indicators.csv": GOOD_INDICATORS,
}


def write(path: Path, text: str | bytes) -> Path:
    """Write a fixture file (text dedented, UTF-8), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8", newline="")
    return path


@pytest.fixture
def make_data_project(tmp_path: Path) -> Callable[..., Path]:
    """Return a function writing the good data/ files into tmp_path, with some replaced.

    ``make_data_project(indicators="...")`` replaces data/indicators.csv; keys are the file stems
    (dictionary, sources, events, indicators); ``None`` leaves a file out.
    """

    def make(**replace: str | bytes | None) -> Path:
        for name, text in GOOD_FILES.items():
            stem = Path(name).stem
            content = replace.get(stem, text)
            if content is not None:
                write(tmp_path / name, content)
        return tmp_path

    return make


# ---- temporary folders -------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """The unit tier's temporary folders in memory when the machine has room (tests/temproot.py)."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller gave it its folder
        return
    if not unit_tier_only(config.option.markexpr, config.args, config.invocation_params.dir, UNIT):
        return
    root = temproot.memory_root(
        os.environ, config.option.basetemp, temproot.mounts(), temproot.room_at
    )
    if root is not None:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(root)


def pytest_report_header(config: pytest.Config) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a uid without a name (a container's): pytest says "unknown"
        user = "unknown"
    where = config.option.basetemp or (
        f"{os.environ.get('PYTEST_DEBUG_TEMPROOT') or tempfile.gettempdir()}/pytest-of-{user}"
    )
    return f"temporary folders: {where} (a passing test's removed at its teardown)"


# ---- tiers -------------------------------------------------------------------------------------

UNIT = Path(__file__).with_name("unit")
E2E = Path(__file__).with_name("e2e")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m "not e2e"`` the end-to-end modules are not imported at all (tests/tiers.py)."""
    if collection_path == E2E and not may_select_e2e(config.option.markexpr):
        return True
    return None


# ---- order -------------------------------------------------------------------------------------

# The modules holding the longest tests (a whole install, the editions scenario, a SLURM cluster
# build, the benchmark's smoke run, the hostile build, the kills), longest first: under `-n 2`
# each module goes whole to the worker that is free (pyproject's --dist loadfile), in this order,
# so starting these first leaves short modules for the end and neither worker waits long for the
# other. The editions before the SLURM test: the install begins with pip on one core, the SLURM
# test spends about 12 s waiting for the cluster's status checks (one short local build aside),
# and the editions' builds use both cores, so they go beside the install. The rest keep their
# order.
LONGEST_FIRST = (
    "tests/e2e/test_install.py",
    "tests/e2e/test_editions.py",
    "tests/e2e/test_slurm.py",
    "tests/e2e/test_bench.py",
    "tests/e2e/test_hostile.py",
    "tests/e2e/test_faults.py",
    "tests/e2e/test_build.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONGEST_FIRST)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (the modules imported, the tests) lives to the
    end: frozen, Python's full garbage collections skip it. A worker of the unit tier made about
    a dozen, 0.10–0.13 s of CPU each with pandas and the renderer loaded; frozen, the dozen costs
    0.5 s instead of 1.2–1.3 (gc callbacks, each worker). A test's own garbage is collected as
    before, gc.collect() included."""
    gc.collect()
    gc.freeze()


# ---- end-to-end fixtures (helpers in tests/helpers.py) ------------------------------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkserver = sys.modules.get("forkserver")
    if forkserver is not None:  # an end-to-end test ran here: stop its warm Snakemake
        forkserver.close()


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """A copy of the project after one full ``snakemake --cores 2``; ``helpers.Build`` (``root``,
    ``log``, ``returncode``).

    Built once per test run: under pytest-xdist the workers share it (the first builds, under a
    lock, the others wait). Tests only read it; a test that changes something copies it first
    (``helpers.copy_built``) and works on its own copy.
    """
    from helpers import build_once

    if hasattr(request.config, "workerinput"):  # an xdist worker: share with the other workers
        base = tmp_path_factory.getbasetemp().parent / "memo-built"
    else:
        base = tmp_path_factory.mktemp("memo-built")
    return build_once(base)


@pytest.fixture(scope="session")
def reports(built_project) -> Path:
    """The published edition of the session build (``reports/``); fails if the build failed."""
    assert built_project.returncode == 0, built_project.log[-4000:]
    return built_project.root / "reports"


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Playwright), one per test process, shared by every module using it."""
    from a11y import browser as chromium

    yield from chromium.running_browser()


@pytest.fixture(scope="session")
def open_page(browser):
    """``open_page(path, viewport)``: a page of Chromium showing ``path`` at ``viewport``, opened
    once per test process and shared by the tests that only read it (axe adds its script, which
    draws nothing), resized to the viewport each test asks for: loading a memo with its embedded
    font takes Chromium about 0.6 s of CPU each time, and so does compiling axe in a new page.
    ``page.requests``: what the page asked for since it was opened, at the viewport the first
    test asked for, and at each width it was resized to."""
    opened: dict[str, object] = {}
    contexts = []

    def open_(path, viewport: dict):
        key = str(path)
        if key not in opened:
            ctx = browser.new_context(viewport=viewport)
            contexts.append(ctx)
            page = ctx.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.evaluate("document.fonts.ready.then(() => null)")  # measured with its fonts
            page.requests = requests
            opened[key] = page
        page = opened[key]
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        return page

    yield open_
    for ctx in contexts:
        ctx.close()
