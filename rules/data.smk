rule validate:
    """Check data/ and config/ before anything is derived or rendered."""
    input:
        data=DATA,
        config=CONFIG,
    output:
        stamp="build/validated.json",
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
    log:
        "build/logs/derive.log",
    shell:
        "memo derive --out build/derived 2> >(tee {log} >&2)"
