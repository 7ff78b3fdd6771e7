#!/usr/bin/env bash
# The records of the editions readers were sent, carried from one run to the next on the branch
# memo-ledger, beside the delivery ledger (a clone of it: ledger-branch.sh fetch DIR). CI starts from
# a clean checkout, so without them every edition would be a first edition (no "What's new" box, no
# "nothing new" gate) and memo send could not tell what changed since the edition a reader has.
#
# On the branch, editions/ has the layout of .reports/ (memo.publish.editions), records only:
#
#   editions/.history/editions.jsonl           one line per edition sent, oldest first
#   editions/<edition id>/manifest.json        the edition's manifest, as published
#   editions/<edition id>/<memo>.figures.json  each memo's figure record
#
#   edition-records.sh restore DIR [--link]  DIR/editions/ into .reports/ (a clean checkout's); with
#                                            --link (the build), point reports at the newest edition
#                                            sent, the one memo publish compares the inputs with;
#                                            writes current=<edition id or empty> to GITHUB_OUTPUT
#   edition-records.sh keep DIR              add the records of reports/ (the verified artifact) to
#                                            DIR/editions/ and its line to the history; editions
#                                            past editions.keep_records (config/config.yaml) go
#   edition-records.sh check                 after the build: new=true when reports/ is a new,
#                                            whole edition (upload and deploy it), new=false when
#                                            the build published nothing new; RESTORED is the
#                                            current= of restore
set -euo pipefail
cd "$(dirname "$0")/.."

STORE=.reports
OUTPUT="${GITHUB_OUTPUT:-/dev/null}"

fail() { echo "::error::$*" >&2; exit 1; }

# The editions kept in a store, oldest first, as memo.publish.editions orders them.
kept() {
  .venv/bin/python - "$1" <<'EOF'
import sys
from pathlib import Path

from memo.publish.editions import editions

print("\n".join(editions(Path(sys.argv[1]))))
EOF
}

case "${1:-}" in
  restore)
    dir="${2:?usage: edition-records.sh restore DIR [--link]}"
    link="${3:-}"
    if [ -e "$STORE" ] && [ -n "$(ls -A "$STORE")" ]; then
      fail "$STORE/ is not empty: records are restored into a clean checkout only"
    fi
    current=""
    if [ -d "$dir/editions" ]; then
      mkdir -p "$STORE"
      cp -R "$dir/editions/." "$STORE/"
      current=$(kept "$STORE" | tail -n 1)
    fi
    if [ -z "$current" ]; then
      echo "edition records: none on the branch yet (no edition sent): every memo is in its first edition"
    else
      echo "edition records: $(kept "$STORE" | wc -l) edition(s) restored into $STORE/, the newest sent $current"
    fi
    if [ "$link" = --link ] && [ -n "$current" ]; then
      if [ -e reports ] || [ -L reports ]; then
        fail "reports already exists: records are restored into a clean checkout only"
      fi
      # What memo publish compares the inputs with: the same inputs publish nothing new.
      ln -s "$STORE/$current" reports
      echo "reports -> $STORE/$current (records only: the build publishes over it)"
    fi
    echo "current=$current" >>"$OUTPUT"
    ;;
  keep)
    dir="${2:?usage: edition-records.sh keep DIR}"
    [ -f reports/manifest.json ] || fail "reports/manifest.json: no edition to keep"
    .venv/bin/python - "$dir/editions" <<'EOF'
import json
import re
import shutil
import sys
from pathlib import Path

import yaml

from memo.publish.editions import append_history, prune, read_history

store, reports = Path(sys.argv[1]), Path("reports")
manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
edition = str(manifest.get("id"))
if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9a-f]{12}", edition):
    sys.exit(f"::error::reports/manifest.json: id {edition!r} is not an edition id")
folder = store / edition
folder.mkdir(parents=True, exist_ok=True)
records = sorted(reports.glob("*.figures.json"))
for path in [reports / "manifest.json", *records]:
    shutil.copyfile(path, folder / path.name)
# An edition sent again after another one counts where it was last sent (as memo publish does).
history = read_history(store)
if not history or history[-1]["edition"] != edition:
    entry = {"date": manifest.get("edition"), "edition": edition}
    append_history(store, entry | {"input_digest": manifest.get("input_digest")})
print(f"edition records: {edition} kept with the ledger ({len(records)} figure records)")
config = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8")) or {}
keep_records = int((config.get("editions") or {}).get("keep_records", 52))
for name in prune(store, 0, keep_records, {edition}):
    print(f"edition records: {name} removed (older than the newest {keep_records})")
EOF
    ;;
  check)
    [ -L reports ] || fail "reports is not a link to an edition: did the build publish?"
    now=$(basename "$(readlink reports)")
    [[ "$now" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9a-f]{12}$ ]] || fail "reports -> $now: not an edition"
    restored="${RESTORED:-}"
    if [ -f reports/index.html ]; then
      echo "new edition $now published"
      new=true
    elif [ "$now" = "$restored" ]; then
      # memo publish found the inputs, or the memos, of the edition last sent: readers get nothing.
      echo "::notice::nothing new: the inputs or the memos are those of edition $now, the last one sent; no artifact is uploaded and the site is not deployed"
      new=false
    else
      # The memos are byte for byte those of an earlier edition (the data went back), of which CI
      # keeps the records only: publish them again whole, over the edition last sent.
      echo "the memos are those of the earlier edition $now, of which only the records are kept: publishing it again whole"
      rm -rf "${STORE:?}/$now"
      rm -f reports
      if [ -n "$restored" ]; then ln -s "$STORE/$restored" reports; fi
      .venv/bin/memo publish --memos-dir build/memos
      [ -f reports/index.html ] || fail "reports/ is still not a whole edition after publishing again"
      new=true
    fi
    echo "new=$new" >>"$OUTPUT"
    ;;
  *)
    echo "usage: edition-records.sh restore DIR [--link] | keep DIR | check" >&2
    exit 2
    ;;
esac
