# Planning-time helpers: memo ids, inputs and data digests come from the package, not from here.
import os
import sys

from memo import runlock as memo_runlock
from memo import workflow as memo_workflow

# A run killed half-way (SIGKILL, power loss) leaves Snakemake's lock behind; remove it when no
# other run is alive in this folder, so the next run needs no `snakemake --unlock` (memo.runlock).
memo_runlock.claim(".")

# The rules' shell commands call `memo`: the one beside the Python running Snakemake (the project's
# .venv/bin), even when that folder is not on PATH, as in `.venv/bin/snakemake --cores 2`.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

# Bad data or config stops here, before any job: all problems printed, reports/ untouched.
memo_workflow.require_valid(".")
MEMOS = memo_workflow.output_ids(".")
DATA = ["data/indicators.csv", "data/sources.csv", "data/events.csv", "data/dictionary.yaml"]
CONFIG = ["config/config.yaml", "config/memos.yaml"]


def memo_templates(wildcards):
    return memo_workflow.template_inputs(".", wildcards.memo)


def memo_data_digest(wildcards):
    return memo_workflow.data_digest(".", wildcards.memo)


wildcard_constraints:
    memo="[a-z0-9]+(-[a-z0-9]+)*",
