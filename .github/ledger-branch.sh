#!/usr/bin/env bash
# The delivery ledger's durable home: deliveries.jsonl on the branch memo-ledger of this repository,
# one commit per send run. Workflow artifacts expire; this branch does not.
#
#   ledger-branch.sh fetch DIR            the branch's deliveries.jsonl into DIR (a clone of the
#                                         branch); DIR without a ledger when the branch does not exist
#   ledger-branch.sh push DIR MESSAGE     commit DIR/deliveries.jsonl, and DIR/editions/ (the records
#                                         of the editions sent: edition-records.sh keep), and push
#                                         them to the branch
#
# LEDGER_REMOTE: the repository (default https://github.com/$GH_REPO.git); LEDGER_BRANCH: the branch
# (default memo-ledger). GH_TOKEN, when set, goes to git as an HTTP header through the environment:
# never on a command line, never written to .git/config.
set -euo pipefail

BRANCH="${LEDGER_BRANCH:-memo-ledger}"
REMOTE="${LEDGER_REMOTE:-https://github.com/${GH_REPO:?set GH_REPO or LEDGER_REMOTE}.git}"

git_auth() {
  if [ -n "${GH_TOKEN:-}" ]; then
    local basic
    basic=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader \
      GIT_CONFIG_VALUE_0="Authorization: Basic $basic" git "$@"
  else
    git "$@"
  fi
}

case "${1:-}" in
  fetch)
    dir="${2:?usage: ledger-branch.sh fetch DIR}"
    git init -q -b "$BRANCH" "$dir"
    git -C "$dir" remote add origin "$REMOTE" 2>/dev/null || git -C "$dir" remote set-url origin "$REMOTE"
    # Exit code 2: the remote answered and has no such branch. Anything else non-zero is a failure,
    # never taken for "no ledger yet".
    set +e
    git_auth -C "$dir" ls-remote --exit-code --heads origin "$BRANCH" >/dev/null
    status=$?
    set -e
    if [ "$status" -eq 2 ]; then
      echo "ledger: no branch $BRANCH yet: an empty ledger (a real send needs --first-send)"
      exit 0
    elif [ "$status" -ne 0 ]; then
      echo "::error::ledger: cannot read branch $BRANCH of $REMOTE" >&2
      exit 1
    fi
    git_auth -C "$dir" fetch -q --depth=1 origin "refs/heads/$BRANCH:refs/remotes/origin/$BRANCH"
    git -C "$dir" checkout -q -B "$BRANCH" "origin/$BRANCH"
    lines=$(wc -l <"$dir/deliveries.jsonl" 2>/dev/null || echo 0)
    echo "ledger: $lines lines from branch $BRANCH at $(git -C "$dir" rev-parse --short HEAD)"
    ;;
  push)
    dir="${2:?usage: ledger-branch.sh push DIR MESSAGE}"
    message="${3:?usage: ledger-branch.sh push DIR MESSAGE}"
    if [ ! -f "$dir/deliveries.jsonl" ]; then
      echo "ledger: nothing recorded, nothing to commit"
      exit 0
    fi
    git -C "$dir" add deliveries.jsonl
    if [ -d "$dir/editions" ]; then git -C "$dir" add -A editions; fi
    if git -C "$dir" diff --cached --quiet; then
      echo "ledger: unchanged, nothing to commit"
      exit 0
    fi
    git -C "$dir" -c user.name="memo send" -c user.email="memo-send@users.noreply.github.com" \
      commit -q -m "$message"
    # Sends never overlap (the workflow's concurrency group), so this is a fast-forward; if it is
    # not, stop rather than merge: the ledger is also uploaded as an artifact by the workflow.
    git_auth -C "$dir" push -q origin "HEAD:refs/heads/$BRANCH"
    echo "ledger: committed to $BRANCH ($(git -C "$dir" rev-parse --short HEAD))"
    ;;
  *)
    echo "usage: ledger-branch.sh fetch DIR | push DIR MESSAGE" >&2
    exit 2
    ;;
esac
