"""The ``memo`` command line: one entry point, one subcommand per step.

Each subcommand imports its module only when it runs, so that ``memo validate`` does not pay for
WeasyPrint's import.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand -> (module, function, help). The function takes the parsed namespace, returns an exit code.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": (
        "memo.ingest.validate",
        "cli_validate",
        "check data/, config/ and everything a build reads, without building anything",
    ),
    "derive": (
        "memo.derive.run",
        "cli_derive",
        "check the inputs and compute every derived figure into build/derived/figures.csv",
    ),
    # Through the warm render server of a local Snakemake run when there is one (memo.render.server).
    "render": ("memo.render.client", "cli_render", "render memos to HTML and PDF in build/memos/"),
    "publish": (
        "memo.publish.site",
        "cli_publish",
        "publish rendered memos to reports/ atomically",
    ),
    "diff": (
        "memo.publish.diff",
        "cli_diff",
        "what changed between two editions, figure by figure and statement by statement",
    ),
    "send": (
        "memo.distribute.send",
        "cli_send",
        "e-mail memo PDFs to recipients (dry run unless --send)",
    ),
    "ledger": ("memo.distribute.ledger", "cli_ledger", "show the delivery ledger"),
    "catalogue": (
        "memo.render.catalogue",
        "cli_catalogue",
        "extract messages, update translations",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memo",
        description="Policy memo pipeline: validated indicators in, cited HTML and PDF memos out.",
    )
    parser.add_argument(
        "--root", default=".", help="project folder holding data/, config/, templates/ (default: .)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help=COMMANDS["validate"][2])
    p.add_argument("--stamp", help="write a JSON summary here when the data are valid")

    p = sub.add_parser("derive", help=COMMANDS["derive"][2])
    p.add_argument("--out", default="build/derived", help="output folder (default: build/derived)")

    p = sub.add_parser("render", help=COMMANDS["render"][2])
    p.add_argument("memos", nargs="*", help="memo ids (default: every memo in config/memos.yaml)")
    p.add_argument("--out", default="build/memos", help="output folder (default: build/memos)")
    p.add_argument("--html-only", action="store_true", help="skip the PDF")
    p.add_argument(
        "--previous",
        metavar="RECORD",
        help="an earlier edition's figure record of the memo (one memo): add a \"What's new\" box",
    )

    p = sub.add_parser("publish", help=COMMANDS["publish"][2])
    p.add_argument(
        "--memos-dir", default="build/memos", help="rendered memos (default: build/memos)"
    )
    p.add_argument("--reports", default="reports", help="published folder (default: reports)")
    p.add_argument("--stamp", help="write the published manifest here too")
    p.add_argument(
        "--force", action="store_true", help="publish even when the inputs have not changed"
    )

    p = sub.add_parser("diff", help=COMMANDS["diff"][2])
    p.add_argument(
        "old",
        nargs="?",
        metavar="OLD",
        help="earlier edition: a folder name under .reports/ (or its beginning), reports, build, "
        "or a folder (default: the published edition before NEW)",
    )
    p.add_argument(
        "new", nargs="?", metavar="NEW", help="later edition, named the same way (default: build)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--html", metavar="FILE", help="also write the comparison as an HTML page")
    p.add_argument(
        "--memos-dir", default="build/memos", help="rendered memos (default: build/memos)"
    )
    p.add_argument("--reports", default="reports", help="published folder (default: reports)")

    p = sub.add_parser("send", help=COMMANDS["send"][2])
    p.add_argument("--reports", default="reports", help="published memos (default: reports)")
    p.add_argument("--recipients", default="config/recipients.csv", help="recipients file")
    p.add_argument(
        "--outbox", default="outbox", help="dry-run folder for .eml files (default: outbox)"
    )
    p.add_argument("--ledger", default="ledger/deliveries.jsonl", help="delivery ledger")
    p.add_argument("--send", action="store_true", help="really send through SMTP (MEMO_SMTP_* env)")
    p.add_argument(
        "--all",
        action="store_true",
        help="send every memo a recipient does not have in this version, not only those whose "
        "figures changed since the edition they received",
    )
    p.add_argument("--resend-changed", action="store_true", help="the same as --all (older name)")
    p.add_argument("--base-url", default=None, help="where the HTML memos are published, for links")
    p.add_argument("--sender", default=None, help="From: address (default: env MEMO_MAIL_FROM)")
    p.add_argument("--retries", type=int, default=4, help="retries of a transient failure (4)")
    p.add_argument("--retry-delay", type=float, default=2.0, help="first retry wait, s (doubles)")

    p = sub.add_parser("ledger", help=COMMANDS["ledger"][2])
    p.add_argument("--ledger", default="ledger/deliveries.jsonl", help="delivery ledger")

    p = sub.add_parser("catalogue", help=COMMANDS["catalogue"][2])
    p.add_argument(
        "--add-language", action="append", metavar="LANG", help="start a new language's catalogue"
    )
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if stale or untranslated"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, func, _ = COMMANDS[args.command]
    return int(getattr(importlib.import_module(module), func)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
