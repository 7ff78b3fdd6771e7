rule validate:
    """Check data/ and config/ before anything is derived or rendered."""
    input:
        data=DATA,
        config=CONFIG,
    output:
        stamp="build/validated.json",
    # First, beside the render server's warm-up, rather than last before publish (the renders do
    # not wait for it: the Snakefile checked the data before planning any job).
    priority: 50
    log:
        "build/logs/validate.log",
    shell:
        "memo validate --stamp {output.stamp} 2> >(tee {log} >&2)"


rule derive:
    """Compute the derived comparisons as tidy tables."""
    input:
        stamp=rules.validate.output.stamp,
        data=DATA,
    output:
        derived="build/derived/derived.csv",
    priority: 50
    log:
        "build/logs/derive.log",
    shell:
        "memo derive --out $(dirname {output.derived}) 2> >(tee {log} >&2)"
