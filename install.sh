#!/usr/bin/env bash
# Install memo into the project's virtual environment, .venv/ (ignored by git).
#
#   bash install.sh          what building the memos needs
#   bash install.sh --test   that, and the tools the test suite uses
#
# Nothing is ever installed into a system Python (PEP 668; no --break-system-packages). If a
# virtual environment or a conda environment is active (VIRTUAL_ENV, CONDA_PREFIX), memo is
# installed there instead and .venv becomes a link to it, so `.venv/bin/...` always works.
#
# What it may change on the machine; Debian packages only where missing, with apt-get (as root, or
# through sudo):
#   always:  .venv/ in this folder (or the active environment); Debian/Ubuntu packages python3 and
#            python3-venv (to make the environment) and the libraries WeasyPrint renders with:
#            libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0;
#   --test:  the test tools in the same environment (pip: pytest, pikepdf, playwright, ruff, ...);
#            Debian/Ubuntu packages git, poppler-utils (pdftotext, pdftoppm: PDF text and pages),
#            libatomic1 (for Playwright's driver) and, where npm is missing, nodejs and npm; a
#            headless Chromium: Debian's chromium package, or on Ubuntu (whose chromium is a snap)
#            Playwright's own build, linked as .venv/bin/chromium;
#            axe-core in tests/a11y/node_modules (npm ci, pinned by its lock file); and whatever
#            tests/cluster/install.sh installs, when that file exists.
# Fonts are not installed: the memos embed the fonts bundled in assets/fonts/.
set -euo pipefail
cd "$(dirname "$0")"

TEST=false
case "${1:-}" in
  "") ;;
  --test) TEST=true ;;
  *) echo "usage: bash install.sh [--test]" >&2; exit 2 ;;
esac

say() { echo "install.sh: $*" >&2; }
die() { say "$*"; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
OS_ID=""
if [ -r /etc/os-release ]; then OS_ID=$(. /etc/os-release && echo "${ID:-}"); fi

# Install the Debian packages given that are not installed yet; nothing (not even apt-get update)
# when all are there.
APT_UPDATED=false
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get here: install ${missing[*]} (or your system's equivalent) yourself"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    die "need Debian packages ${missing[*]}: run as root, or install them, then run again"
  fi
  say "Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = false ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=true
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

have_apt() { command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; }

# ---- the environment ---------------------------------------------------------------------------

ACTIVE="${VIRTUAL_ENV:-${CONDA_PREFIX:-}}"
OWN_ENV=false # .venv/ is this project's own environment (not the user's active one)
if [ -n "$ACTIVE" ] && [ -x "$ACTIVE/bin/python" ]; then
  if [ -e .venv ] && [ "$(realpath .venv)" = "$(realpath "$ACTIVE")" ]; then
    say "using the active environment .venv ($ACTIVE)"
  elif [ -L .venv ] || [ ! -e .venv ]; then
    say "using the active environment $ACTIVE (.venv links to it)"
    ln -sfn "$ACTIVE" .venv
  else
    die ".venv/ is an environment of its own, but $ACTIVE is active: deactivate it to use .venv/, or remove .venv/ to use $ACTIVE"
  fi
else
  if [ -L .venv ] && [ ! -x .venv/bin/python ]; then
    say ".venv links to an environment that is gone ($(readlink .venv)): making a new one"
    rm .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! command -v python3 >/dev/null 2>&1 && have_apt; then apt_install python3 python3-venv; fi
    command -v python3 >/dev/null 2>&1 || die "no python3 on PATH: install Python 3.11 or newer"
    PY=$(command -v python3)
    rm -rf .venv # a half-made environment of an earlier failed run
    if ! "$PY" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      # Debian and Ubuntu ship venv's pip bootstrap separately, in python3-venv.
      if [ "$(realpath "$PY")" = "$(realpath /usr/bin/python3 2>/dev/null || echo none)" ] && have_apt; then
        apt_install python3-venv
      fi
      "$PY" -m venv .venv || die "$PY cannot make a virtual environment (on Debian or Ubuntu: apt-get install python3-venv)"
    fi
    say "made .venv/ with $PY ($("$PY" --version 2>&1))"
  fi
  # A link left by a run with the user's environment active is still the user's environment.
  if [ ! -L .venv ]; then OWN_ENV=true; fi
fi
VENV_PY="$PWD/.venv/bin/python"
"$VENV_PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "memo needs Python 3.11 or newer; .venv has $("$VENV_PY" --version 2>&1)"

# ---- what building needs -----------------------------------------------------------------------

# WeasyPrint renders with Pango and HarfBuzz (loaded at run time, not pip packages).
if have_apt; then apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; fi

EXTRAS=""
KIND=base
if [ "$TEST" = true ]; then EXTRAS="[test]"; KIND=test; fi

# A rerun with nothing changed skips pip (about 5 s of resolving, and of building memo's editable
# wheel again): the stamp pip's last success left in the environment names this folder, this
# pyproject.toml and the extras installed, memo is installed from this folder, and every package
# pyproject.toml asks for (and each of those asks for) is installed at a version every requirement
# of it accepts. Anything else, an error in the check included, runs pip.
HERE="$(pwd -P)" # the folder as pip records it, links resolved
STAMP="$(realpath .venv)/memo-install.stamp"
WANT="$HERE $(sha256sum pyproject.toml | cut -d' ' -f1)"
installed() {
  [ -f "$STAMP" ] || return 1
  case "$(cat "$STAMP")" in "$WANT test" | "$WANT $KIND") ;; *) return 1 ;; esac
  "$VENV_PY" -I - "$KIND" "$HERE" <<'PY' 2>/dev/null
import json, sys, tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

kind, here = sys.argv[1], Path(sys.argv[2]).resolve()
project = tomllib.loads((here / "pyproject.toml").read_text(encoding="utf-8"))["project"]
wanted = list(project.get("dependencies", []))
if kind == "test":
    wanted += project.get("optional-dependencies", {}).get("test", [])


def dist(name):
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        sys.exit(1)


url = json.loads(dist(project["name"]).read_text("direct_url.json") or "{}")
source = Path(unquote(urlparse(url.get("url", "")).path)).resolve()
if source != here or not url.get("dir_info", {}).get("editable"):
    sys.exit(1)
seen = set()
todo = [(wanted, {""})]
while todo:
    specs, extras = todo.pop()
    for spec in specs:
        req = Requirement(spec)
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras):
            continue
        found = dist(req.name)
        if not req.specifier.contains(found.version, prereleases=True):
            sys.exit(1)
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key not in seen:  # each package's own requirements walked once
            seen.add(key)
            todo.append((found.requires or [], set(req.extras) | {""}))
PY
}

if installed; then
  say "Python packages in $(realpath .venv): up to date (pip not run)"
else
  say "Python packages into $(realpath .venv) (pip install -e '.$EXTRAS')"
  rm -f "$STAMP"
  # The pip a new environment gets from Debian 12's Python (23.0) spends about 8 s of CPU
  # checking the platform tags of every file the package index lists (some 70,000); pip 25 and
  # later take a fraction of that, so a new pip first (about 1 s). Only in the project's own
  # environment: an active environment's pip is its owner's to choose. Where no newer pip can be
  # had (an index without it, a constraint pinning it), the old one installs, slower.
  # --no-compile: Python writes each module's bytecode when it is first imported (the
  # environment is the user's own folder), instead of pip compiling every file of every package
  # up front: the install takes about 20 s less, and a build imports a small part of what is
  # installed.
  PIP_INSTALL=("$VENV_PY" -m pip install -q --disable-pip-version-check --no-compile)
  PIP_NOW=$("$VENV_PY" -c 'import pip; print(pip.__version__)' 2>/dev/null || echo 0)
  if [ "$OWN_ENV" = true ] && [ "${PIP_NOW%%.*}" -lt 25 ]; then
    say "pip in .venv/ brought up to date first (pip $PIP_NOW is slow to read the index)"
    "${PIP_INSTALL[@]}" --upgrade "pip>=25" ||
      say "pip not brought up to date: going on with pip $PIP_NOW"
  fi
  "${PIP_INSTALL[@]}" -e ".$EXTRAS"
  echo "$WANT $KIND" >"$STAMP"
fi

if [ "$TEST" = false ]; then
  say "done: .venv/bin/snakemake --cores 2 builds every memo"
  exit 0
fi

# ---- what the tests need -----------------------------------------------------------------------

# libatomic1: the Node.js that Playwright runs its driver with needs it (missing on a fresh Debian).
if have_apt; then apt_install git poppler-utils libatomic1; fi

if [ "$OS_ID" = ubuntu ]; then
  # Ubuntu's chromium package only installs a snap, which does not run in containers or CI:
  # take Playwright's build of Chromium (and the libraries it needs) instead.
  if [ ! -x .venv/bin/chromium ]; then
    say "Chromium: Playwright's build (playwright install-deps, install chromium)"
    $SUDO "$VENV_PY" -m playwright install-deps chromium >/dev/null
    "$VENV_PY" -m playwright install chromium >/dev/null
    CHROME=$("$VENV_PY" -c 'from playwright.sync_api import sync_playwright
with sync_playwright() as p: print(p.chromium.executable_path)')
    ln -sfn "$CHROME" .venv/bin/chromium
  fi
elif have_apt; then
  apt_install chromium
else
  say "install Chromium yourself (or set MEMO_CHROMIUM to a Chromium or Chrome binary)"
fi

# Node and npm, only where missing (a machine with NodeSource's node already has npm).
if ! command -v npm >/dev/null 2>&1 && have_apt; then apt_install nodejs npm; fi
say "axe-core (npm ci --prefix tests/a11y)"
# --prefer-offline: a package already in npm's cache is taken from it (the lock file pins its
# version and checksum) instead of asking the registry again, which took two minutes here on a
# slow network; a fresh machine downloads it as before.
npm ci --prefix tests/a11y --ignore-scripts --no-audit --no-fund --loglevel=error --prefer-offline

if [ -f tests/cluster/install.sh ]; then
  say "the cluster test's tools (tests/cluster/install.sh)"
  PYTHON="$VENV_PY" bash tests/cluster/install.sh
fi
say "done: .venv/bin/python -m pytest runs the tests"
