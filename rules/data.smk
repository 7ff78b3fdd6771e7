# A checkpoint, not a plain rule: when it reruns (a data edit), Snakemake decides which renders
# rerun only after it finished, by each render's own data digest; a plain rule would rerun every
# render that reads its output. (So after a data edit `snakemake -n` lists every memo as waiting
# for derive; the run rebuilds only the memos whose figures changed.)
checkpoint derive:
    """Check data/ and config/ (every problem at once; nothing is built from bad input), then
    compute every topic's derived figures into one table for the renders."""
    input:
        data=DATA,
        config=CONFIG,
        # `memo validate` checks the recipients too (when there are any): declared, so that an
        # edit to them is checked by the next run.
        recipients=[f for f in ["config/recipients.csv"] if os.path.exists(f)],
        # memo validate checks every figure call of the templates too, before any render.
        templates=memo_plan.checked_templates("."),
    output:
        figures=FIGURES,
    log:
        "build/logs/derive.log",
    shell:
        "{MEMO} derive --out $(dirname {output.figures}) 2> >(tee {log} >&2)"
