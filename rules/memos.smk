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
        "memo render {wildcards.memo} 2> >(tee {log} >&2)"


rule publish:
    """Publish every memo, the index and the manifest to reports/ in one atomic step."""
    input:
        memos=expand("build/memos/{memo}.{ext}", memo=MEMOS, ext=["html", "pdf", "figures.json", "meta.json"]),
        index_template="templates/index.html.j2",
        validated=rules.validate.output.stamp,
        derived=rules.derive.output.derived,
        css="templates/memo.css",
    output:
        stamp="build/published.json",
    log:
        "build/logs/publish.log",
    shell:
        "memo publish --stamp {output.stamp} 2> >(tee {log} >&2)"
