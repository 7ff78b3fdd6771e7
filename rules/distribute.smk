# Distribution: e-mail the published memos. Never part of the default build (`rule all` has
# default_target); run it by name:
#
#   snakemake --cores 1 send                  # dry run: .eml files in outbox/<edition>/ for review
#   MEMO_SEND=true MEMO_APPROVED_BY="Your Name" snakemake --cores 1 send
#                                             # really send (and the MEMO_SMTP_* variables)
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
        # The named sign-off a real send needs (memo send --approved-by).
        approved_by=os.environ.get("MEMO_APPROVED_BY", ""),
    log:
        "build/logs/send.log",
    shell:
        "{MEMO} send {params.really} --approved-by {params.approved_by:q} 2> >(tee {log} >&2)"
