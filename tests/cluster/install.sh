#!/usr/bin/env bash
# Install what tests/cluster/ needs on Debian 12: SLURM 22.05 from Debian's own packages
# (slurm-wlm: slurmctld, slurmd and the client commands) and munge. Idempotent: installs only what
# is missing; as root, or with sudo. No daemon is started or enabled here: tests/cluster/slurm.py
# starts its own, with a configuration of its own, and stops them.
#
# The Python side, snakemake-executor-plugin-slurm, is a test dependency in pyproject.toml and comes
# with the project's test install; it is installed here only if it is declared nowhere.
#   PYTHON=.venv/bin/python bash tests/cluster/install.sh    # which Python to check (default below)
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=(slurm-wlm munge)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "tests/cluster/install.sh: ${PACKAGES[*]} already installed" >&2
elif command -v apt-get >/dev/null 2>&1; then
  echo "tests/cluster/install.sh: Debian packages (${missing[*]})…" >&2
  $SUDO apt-get update -qq
  # The packages' own services are not wanted; where systemd runs, they stay down without a
  # /etc/slurm/slurm.conf.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "tests/cluster/install.sh: no apt-get; install SLURM 22.05 (slurmctld, slurmd, client" \
    "commands) and munge yourself" >&2
fi

if ! grep -q '"snakemake-executor-plugin-slurm' pyproject.toml; then
  if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
  fi
  if ! "$PYTHON" -c "import snakemake_executor_plugin_slurm" 2>/dev/null; then
    echo "tests/cluster/install.sh: snakemake-executor-plugin-slurm ($PYTHON -m pip)…" >&2
    "$PYTHON" -m pip install -q --disable-pip-version-check "snakemake-executor-plugin-slurm>=1.0"
  fi
fi
