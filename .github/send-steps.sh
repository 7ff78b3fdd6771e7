#!/usr/bin/env bash
# The steps of .github/workflows/send.yml, kept out of the YAML so they can be read (and tested).
#
#   send-steps.sh check-build-run   BUILD_RUN_ID is a successful build.yml run of this repository's
#                                   default branch (not a pull request's)
#   send-steps.sh approver          print approver=<login> to GITHUB_OUTPUT: the reviewer who
#                                   approved this run's memo-mail job; fail when there is none
#   send-steps.sh dry-run           memo send (dry run), with the run's resend options
#   send-steps.sh send              memo send --send --approved-by "$APPROVER", with the options
#
# Inputs come from the environment (set by the workflow, never pasted into the script).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "::error::$*" >&2; exit 1; }

options() {
  # The run's resend options, from the workflow inputs.
  if [ "${RESEND_CHANGED:-false}" = true ]; then args+=(--resend-changed); fi
  if [ "${RESEND_UNCERTAIN:-false}" = true ]; then args+=(--resend-uncertain); fi
}

case "${1:-}" in
  check-build-run)
    [[ "${BUILD_RUN_ID:-}" =~ ^[0-9]+$ ]] || fail "build_run_id must be a run id (a number), not '${BUILD_RUN_ID:-}'"
    IFS=$'\t' read -r path conclusion branch event repo sha < <(
      gh api "repos/$GH_REPO/actions/runs/$BUILD_RUN_ID" \
        --jq '[.path, .conclusion, .head_branch, .event, .head_repository.full_name, .head_sha] | @tsv'
    )
    [ "$path" = ".github/workflows/build.yml" ] || fail "run $BUILD_RUN_ID is not a 'Build memos' run ($path)"
    [ "$conclusion" = success ] || fail "build run $BUILD_RUN_ID did not succeed ($conclusion)"
    [ "$repo" = "$GH_REPO" ] && [ "$event" != pull_request ] ||
      fail "build run $BUILD_RUN_ID built a pull request ($repo, $event): send only reviewed, merged work"
    [ "$branch" = "$DEFAULT_BRANCH" ] || fail "build run $BUILD_RUN_ID built $branch, not $DEFAULT_BRANCH"
    echo "build run $BUILD_RUN_ID: $event on $branch at $sha, succeeded"
    ;;
  approver)
    login=$(gh api "repos/$GH_REPO/actions/runs/$GITHUB_RUN_ID/approvals" --jq \
      '[.[] | select(.state == "approved") | select(any(.environments[]; .name == "memo-mail"))] | last | .user.login // empty')
    [ -n "$login" ] || fail "nobody approved this send: give the memo-mail environment required reviewers (Settings > Environments > memo-mail), then run again"
    [[ "$login" =~ ^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$ ]] || fail "unexpected approver login '$login'"
    echo "approved by $login"
    echo "approver=$login" >>"$GITHUB_OUTPUT"
    ;;
  dry-run)
    args=()
    options
    .venv/bin/memo send "${args[@]}"
    ;;
  send)
    [ -n "${APPROVER:-}" ] || fail "no approver: the approval step did not run"
    args=(--send --approved-by "$APPROVER")
    if [ "${FIRST_SEND:-false}" = true ]; then args+=(--first-send); fi
    options
    .venv/bin/memo send "${args[@]}"
    ;;
  *)
    echo "usage: send-steps.sh check-build-run|approver|dry-run|send" >&2
    exit 2
    ;;
esac
