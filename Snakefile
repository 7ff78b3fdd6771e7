# memo: validated indicators in, cited HTML and PDF memos out.
# This file is a table of contents; the rules live in rules/, the logic in src/memo/.
from snakemake.utils import min_version

min_version("9.0")

configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/memos.smk"
include: "rules/distribute.smk"


rule all:
    default_target: True
    input:
        rules.publish.output.stamp,
