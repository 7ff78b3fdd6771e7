# Distribution: e-mail the published memos. Never part of the default build (`rule all` has
# default_target); run it by name:
#
#   snakemake --cores 1 send                  # dry run: .eml files in outbox/<edition>/ for review
#   MEMO_SEND=true snakemake --cores 1 send   # really send (needs the MEMO_SMTP_* variables)
#
# The rule has no output on purpose: what was delivered is in the ledger, not in a file Snakemake
# could consider up to date, so it runs every time it is asked for, and `memo send` skips
# everything already delivered. See docs/distribution.md.


import os


rule send:
    """E-mail each recipient the published memos of their audiences (dry run unless MEMO_SEND)."""
    input:
        published=rules.publish.output.stamp,
        recipients="config/recipients.csv",
    params:
        really="--send" if os.environ.get("MEMO_SEND", "").lower() in ("1", "true", "yes") else "",
    log:
        "build/logs/send.log",
    shell:
        "{MEMO} send {params.really} 2> >(tee {log} >&2)"
