# memo: validated indicators in, cited HTML and PDF memos out.
# This file is a table of contents; the rules live in rules/, the logic in src/memo/.
from snakemake.utils import min_version

min_version("9.0")

# No `configfile:`: config/config.yaml is read by memo alone, through its defensive YAML reader
# (an alias bomb or a 100,000-deep list there would otherwise hang or crash Snakemake's own parser
# before memo could say where the problem is). The rules use no Snakemake config.


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/memos.smk"
include: "rules/distribute.smk"


# Local runs start a warm render server that the render jobs hand their memo to, instead of each
# importing WeasyPrint (memo.render.server; off on clusters or with MEMO_RENDER_SERVER=0).
# Snakemake keeps one handler of each kind: add to memo.workflow.runhooks rather than defining others.
from memo.workflow import runhooks as memo_runhooks

# Snakemake's own messages go to its log file, and the screen shows the memos' lines and a summary
# at the end, when a person watches a terminal (MEMO_BUILD_OUTPUT=detail shows everything).
memo_runhooks.quiet_screen(workflow)


onstart:
    memo_runhooks.started(workflow)


onsuccess:
    memo_runhooks.finished(workflow)


onerror:
    memo_runhooks.finished(workflow, failed=True)


rule all:
    default_target: True
    input:
        # Rule derive's table is a target of its own: after a run stopped by a problem in data/
        # or config/ (Snakemake removes the outputs of a failed job), the next run checks them
        # again and stops again, even when no memo shows what is wrong (a recipient's address).
        # With no memo planned (config/memos.yaml unreadable), rule derive runs alone and says why.
        FIGURES,
        rules.publish.output.stamp if MEMOS else [],
