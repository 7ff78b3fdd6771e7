rule derive:
    """Check data/ and config/ (every problem at once; nothing is built from bad input), then
    compute every topic's derived figures into one table for the renders."""
    input:
        data=DATA,
        config=CONFIG,
    output:
        figures=FIGURES,
    log:
        "build/logs/derive.log",
    shell:
        "memo derive --out $(dirname {output.figures}) 2> >(tee {log} >&2)"
