#!/usr/bin/env bash
# Install everything memo needs on a fresh Debian 12 machine with Python 3.11.
#   system: poppler-utils (pdftoppm, to look at PDF pages), libharfbuzz-subset0 (fast font
#           subsetting in WeasyPrint), chromium (headless browser for the accessibility tests);
#           slurm-wlm and munge for the test on a live SLURM cluster (tests/cluster/install.sh);
#   python: the memo package with its test tools (pip, editable);
#   npm:    axe-core for the accessibility tests, pinned in tests/a11y/package-lock.json (npm ci).
# Fonts are not installed: the memos embed the fonts bundled in assets/fonts/.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  echo "install.sh: Debian packages (poppler-utils, libharfbuzz-subset0, chromium)…" >&2
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    poppler-utils libharfbuzz-subset0 chromium >/dev/null
else
  echo "install.sh: no apt-get; install poppler-utils and chromium yourself" >&2
fi

# SLURM and munge for tests/cluster/ (the build on a single-node SLURM cluster).
bash tests/cluster/install.sh

# Node and npm, only where missing (a machine with NodeSource's node already has npm).
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "install.sh: Debian packages (nodejs, npm)…" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    nodejs npm >/dev/null
fi

echo "install.sh: Python packages (pip install -e '.[test]')…" >&2
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# pyenv installs console scripts behind shims that need a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi

echo "install.sh: axe-core (npm ci --prefix tests/a11y)…" >&2
npm ci --prefix tests/a11y --ignore-scripts --no-audit --no-fund --loglevel=error
echo "install.sh: done" >&2
