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
    "verify-manifest": (
        "memo.distribute.manifest",
        "cli_verify_manifest",
        "check every published file against the manifest's SHA-256",
    ),
    "catalogue": (
        "memo.render.catalogue",
        "cli_catalogue",
        "extract messages, update translations",
    ),
    "new": ("memo.author.new", "cli_new", "start a new memo: its config entry and a template"),
    "preview": (
        "memo.author.preview_server",
        "cli_preview",
        "serve a memo on 127.0.0.1, re-rendered on every save",
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
    p.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="problems as path:line text (default) or GitHub Actions annotations",
    )

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
    p.add_argument(
        "--input-key",
        metavar="KEY",
        help="the memo's input key as planning computed it (one memo; rule render passes it): "
        "kept in its .meta.json for memo publish",
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
    p.add_argument(
        "--resend-uncertain",
        action="store_true",
        help="resend deliveries left uncertain by a dropped connection (same Message-ID)",
    )
    p.add_argument("--approved-by", metavar="NAME", help="who signed this edition off (--send)")
    p.add_argument(
        "--first-send", action="store_true", help="allow a real send on an empty ledger, once"
    )
    p.add_argument("--resend-changed", action="store_true", help="the same as --all (older name)")
    p.add_argument("--base-url", default=None, help="where the HTML memos are published, for links")
    p.add_argument("--sender", default=None, help="From: address (default: env MEMO_MAIL_FROM)")
    p.add_argument("--retries", type=int, default=4, help="retries of a transient failure (4)")
    p.add_argument("--retry-delay", type=float, default=2.0, help="first retry wait, s (doubles)")

    p = sub.add_parser("ledger", help=COMMANDS["ledger"][2])
    p.add_argument("--ledger", default="ledger/deliveries.jsonl", help="delivery ledger")

    p = sub.add_parser("verify-manifest", help=COMMANDS["verify-manifest"][2])
    p.add_argument("--reports", default="reports", help="published memos (default: reports)")

    p = sub.add_parser("catalogue", help=COMMANDS["catalogue"][2])
    p.add_argument(
        "--add-language", action="append", metavar="LANG", help="start a new language's catalogue"
    )
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if stale or untranslated"
    )

    # Required, but checked by the command (every subcommand parses without arguments).
    p = sub.add_parser("new", help=COMMANDS["new"][2])
    p.add_argument("id", nargs="?", help="the memo's id: lowercase words joined by hyphens")
    p.add_argument("--audience", help="an audience id of config/memos.yaml (required)")
    p.add_argument("--template", help="the new template's file, name.html.j2 (required)")
    p.add_argument("--title", help="the memo's title (default: from its id)")
    p.add_argument("--topic", help="its topic (default: the only one)")
    p.add_argument("--languages", help="comma-separated languages (default: en)")

    p = sub.add_parser("preview", help=COMMANDS["preview"][2])
    p.add_argument("memo", nargs="?", help="a memo id or edition id (required)")
    p.add_argument("--lang", help="the language edition (default: the memo's first)")
    p.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0: any)"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


def run(args) -> int:
    """Run the command of parsed arguments; its exit status."""
    module, func, _ = COMMANDS[args.command]
    return int(getattr(importlib.import_module(module), func)(args) or 0)


if __name__ == "__main__":
    status = main()
    # What the command leaves is not garbage: spare the exit a collection that walks all of it
    # (pandas, WeasyPrint), a tenth of a second or more on every job of a build.
    import gc

    gc.freeze()
    sys.exit(status)
