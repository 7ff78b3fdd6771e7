# `memo render`, started light: a standard-library client (python -S -I) hands the memo to the warm
# render server of a local run, or becomes `python -m memo.cli render` when none answers
# (memo.render_server). On a cluster node that is the node's Python and package.
import os

from memo import render_server as memo_render_server

MEMO_RENDER = memo_render_server.command()


rule render:
    """Render one memo edition to HTML and PDF. Its data digest (params) decides whether it reruns,
    so editing a figure rebuilds only the memos that show it."""
    # Data are not inputs here: a data edit reruns a memo through its digest (params), so only the
    # memos that show the edited figure rebuild. The data were checked before any job started.
    input:
        templates=memo_templates,
    params:
        data=memo_data_digest,
    output:
        html="build/memos/{memo}.html",
        pdf="build/memos/{memo}.pdf",
        figures="build/memos/{memo}.figures.json",
        meta="build/memos/{memo}.meta.json",
    log:
        "build/logs/render-{memo}.log",
    shell:
        # Outputs go where Snakemake says (with a storage provider that is not build/memos).
        "{MEMO_RENDER} render {wildcards.memo} --out $(dirname {output.html}) 2> >(tee {log} >&2)"


rule publish:
    """Publish every memo, the index and the manifest to reports/ in one atomic step."""
    input:
        memos=expand("build/memos/{memo}.{ext}", memo=MEMOS, ext=["html", "pdf", "figures.json", "meta.json"]),
        index_template="templates/index.html.j2",
        validated=rules.validate.output.stamp,
        derived=rules.derive.output.derived,
        css="templates/memo.css",
    params:
        # Where the site will be (CI: the Pages URL); recorded in the manifest for e-mail links.
        base_url=os.environ.get("MEMO_BASE_URL", ""),
    output:
        stamp="build/published.json",
    log:
        "build/logs/publish.log",
    shell:
        "memo publish --memos-dir $(dirname {input.memos[0]}) --stamp {output.stamp} 2> >(tee {log} >&2)"


# On a cluster only the renders are submitted: validate, derive and publish take a second each, and
# publish swaps reports/ on the machine Snakemake runs on (docs/performance.md).
localrules:
    validate,
    derive,
    publish,
