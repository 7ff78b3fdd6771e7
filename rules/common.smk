# Planning-time helpers: memo ids and each memo's input files (memo.workflow.plan), and the digest
# of the data each memo shows, which decides when its render reruns (memo.workflow.digest).
# Planning reads what it needs and nothing more: no validation (rule derive checks everything
# before any render), and nothing is written or deleted by a dry run.
import os

from memo.publish import editions as memo_editions
from memo.workflow import digest as memo_digest
from memo.workflow import lookups as memo_lookups
from memo.workflow import plan as memo_plan
from memo.workflow import republish as memo_republish
from memo.workflow import runlock as memo_runlock

MEMO_DRY_RUN = workflow.dryrun or memo_runlock.is_dry_run()
# A run killed half-way (SIGKILL, power loss) leaves Snakemake's lock behind; remove it when no
# other run is alive in this folder, so the next run needs no `snakemake --unlock`
# (memo.workflow.runlock). A dry run takes no lock, so it leaves them alone.
if not MEMO_DRY_RUN:
    memo_runlock.claim(".")

# The memo command line, run by the Python that runs Snakemake (the project's virtual environment),
# whether or not its bin/ folder is on PATH.
MEMO = memo_plan.memo_command()
MEMOS = memo_plan.output_ids(".")
# Each table of data/ is a CSV file or a spreadsheet (.xlsx) of the same name.
DATA = memo_plan.data_files(".")
CONFIG = memo_plan.config_files(".")
FIGURES = "build/derived/figures.csv"
# Rule publish's stamp. With reports/ deleted it would still say all is published: it is removed
# then, so that this run publishes again (memo.workflow.republish; a dry run only says so).
PUBLISHED = "build/published.json"
memo_republish.publish_again_if_gone(".", PUBLISHED, dry_run=MEMO_DRY_RUN)


def memo_figures(wildcards):
    if not os.path.exists(FIGURES):
        # No table: never built, or Snakemake removed it when derive last failed. The data may
        # have changed since the memos were rendered, so each render waits for derive and runs.
        return FIGURES
    # `ancient`: the table orders the render after derive; its time does not make it rerun.
    return ancient(checkpoints.derive.get().output.figures)


def memo_render_priority(wildcards):
    return memo_plan.render_priority(".", wildcards.memo)


def memo_templates(wildcards):
    return memo_lookups.template_inputs(".", wildcards.memo)


def every_memo_template(wildcards):
    return sorted({path for memo in MEMOS for path in memo_lookups.template_inputs(".", memo)})


def memo_data_digest(wildcards):
    return memo_digest.cached_data_digest(".", wildcards.memo)


def memo_row_locations(wildcards):
    # Where the rows it shows are (file and lines): its figure record names them.
    checkpoints.derive.get()  # the lines of its derived figures: known once derive has run
    return memo_digest.cached_row_locations(".", wildcards.memo)


def memo_input_key(wildcards):
    # Kept by the render in the memo's .meta.json; publish records it in the manifest.
    return memo_digest.memo_key(".", wildcards.memo)


def memo_previous(wildcards):
    # The memo's record in the last published edition built from other inputs: its "What's new"
    # box says what changed since (none for a first edition). Editions in which the memo did not
    # change are skipped, so publishing another memo's change does not rebuild this one.
    found = memo_editions.previous_record(".", wildcards.memo, memo_input_key(wildcards))
    return [found] if found else []


def memo_previous_option(wildcards, input):
    return f"--previous {input.previous}" if input.previous else ""


wildcard_constraints:
    memo="[a-z0-9]+(-[a-z0-9]+)*",
