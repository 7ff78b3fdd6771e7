"""Publish again when reports/ is gone.

Rule publish writes a stamp (``build/published.json``) once it has swapped an edition into
``reports/``, and Snakemake reruns the rule only when that stamp is missing or older than its
inputs. Delete ``reports/`` and nothing else, and the stamp still says all is published: Snakemake
would find nothing to do, and there would be no memo to read.

So, while the workflow is planned, a stamp whose edition cannot be read through ``reports/`` (no
``reports/manifest.json``) is removed, and rule publish runs again. With only the ``reports`` link
deleted, that is the same edition, from the memos in ``build/memos/``, nothing rendered. With
``.reports/`` deleted too, the history of editions is gone: memos that opened with "What's new"
are rendered again without it, as a new edition. A dry run removes nothing; it says what a build
will do. ``reports/`` pointing to another whole edition (one put back by hand) is left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from memo.publish.editions import MANIFEST

REPORTS = "reports"


def publish_again_if_gone(root: str | Path, stamp: str, dry_run: bool = False) -> bool:
    """Remove rule publish's ``stamp`` when ``reports/`` shows no edition (not in a dry run); say
    so, and return whether it was gone."""
    folder = Path(root)
    if not (folder / stamp).is_file() or (folder / REPORTS / MANIFEST).is_file():
        return False
    if not dry_run:
        (folder / stamp).unlink(missing_ok=True)
    then = "a build, not this dry run," if dry_run else "rule publish"
    print(
        f"memo: {REPORTS}/ is gone (no {REPORTS}/{MANIFEST}); {then} will publish the edition again",
        file=sys.stderr,
    )
    return True
