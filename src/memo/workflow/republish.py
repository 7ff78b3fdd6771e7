"""Publish again when reports/ is gone.

Rule publish writes a stamp (``build/published.json``) once it has swapped an edition into
``reports/``, and Snakemake reruns the rule only when that stamp is missing or older than its
inputs. Delete ``reports/`` (or ``.reports/``, which holds the editions it points to) and nothing
else, and the stamp still says all is published: Snakemake would find nothing to do, and there would
be no memo to read.

So, while the workflow is planned, a stamp whose edition cannot be read through ``reports/`` (no
``reports/manifest.json``) is removed, and rule publish runs again: the same edition, from the
memos in ``build/memos/``. A dry run removes nothing; it says what the next run will do.
``reports/`` pointing to another whole edition (one put back by hand) is left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPORTS = "reports"
MANIFEST = "manifest.json"


def publish_again_if_gone(root: str | Path, stamp: str, dry_run: bool = False) -> bool:
    """Remove rule publish's ``stamp`` when ``reports/`` shows no edition (not in a dry run); say
    so, and return whether it was gone."""
    folder = Path(root)
    if not (folder / stamp).is_file() or (folder / REPORTS / MANIFEST).is_file():
        return False
    if not dry_run:
        (folder / stamp).unlink(missing_ok=True)
    when = "the next run that is not a dry run" if dry_run else "this run"
    print(
        f"memo: {REPORTS}/ is gone (no {REPORTS}/{MANIFEST}); {when} publishes the edition again",
        file=sys.stderr,
    )
    return True
