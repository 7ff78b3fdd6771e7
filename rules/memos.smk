# `memo render`, started light: a standard-library client (python -S -I) hands the memo to the warm
# render server of a local run, or becomes `python -m memo.cli render` when none answers
# (memo.render.client). On a cluster node that is the node's Python and package.
import os

from memo.render import client as memo_render_client

MEMO_RENDER = memo_render_client.command()


rule render:
    """Render one memo edition to HTML and PDF from the figure table rule derive wrote. Its data
    digest and the lines of the rows it shows (params) decide whether it reruns, so editing a
    figure rebuilds only the memos that show it: the data inputs are `ancient`, ordering the job
    after derive without their times triggering it."""
    input:
        figures=memo_figures,
        reference=[ancient(f) for f in memo_plan.reference_files(".")],
        templates=memo_templates,
        previous=memo_previous,
    params:
        data=memo_data_digest,
        rows=memo_row_locations,
        previous=memo_previous_option,
        key=memo_input_key,
    # Longer memos start first, so that the last render to finish is a short one.
    priority: memo_render_priority
    output:
        html="build/memos/{memo}.html",
        pdf="build/memos/{memo}.pdf",
        figures="build/memos/{memo}.figures.json",
        meta="build/memos/{memo}.meta.json",
    log:
        "build/logs/render-{memo}.log",
    shell:
        # Outputs go where Snakemake says (with a storage provider that is not build/memos).
        "{MEMO_RENDER} render {wildcards.memo} --out $(dirname {output.html}) {params.previous}"
        " --input-key {params.key}"
        " 2> >(tee {log} >&2)"


rule publish:
    """Publish every memo, the index and the manifest to reports/ in one atomic step."""
    input:
        memos=expand("build/memos/{memo}.{ext}", memo=MEMOS, ext=["html", "pdf", "figures.json", "meta.json"]),
        index_template="templates/index.html.j2",
        changes_template="templates/changes.html.j2",
        css=["templates/memo.css", "templates/screen.css"],
        # What the memos are rendered from. When every render of a run fails, Snakemake removes
        # all their outputs; without these, the next run would find the last publish up to date
        # and report success on the previous edition instead of rendering (and failing) again.
        templates=every_memo_template,
        config=CONFIG,
    params:
        # Where the site will be (CI: the Pages URL); recorded in the manifest for e-mail links.
        base_url=os.environ.get("MEMO_BASE_URL", ""),
    output:
        stamp=PUBLISHED,
    log:
        "build/logs/publish.log",
    shell:
        # Through the warm render server when the run has one (its imports are done: a third of
        # a new process's time), else `memo publish` in a process of its own.
        "{MEMO_RENDER} publish --memos-dir $(dirname {input.memos[0]}) --stamp {output.stamp} 2> >(tee {log} >&2)"


# On a cluster only the renders are submitted: derive and publish take a second each, and publish
# swaps reports/ on the machine Snakemake runs on (docs/performance.md).
localrules:
    derive,
    publish,
