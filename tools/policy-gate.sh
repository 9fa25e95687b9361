#!/usr/bin/env bash
# policy-gate: what a change to a policy folder would do to the communications observed, as a
# pull request comment; fails when one would break. Any CI runs it, with flowpol on the PATH:
#   bash tools/policy-gate.sh MAIN_FOLDER PR_FOLDER FLOWS [COMMENT_FILE] [--inventory FILE]...
# MAIN_FOLDER holds the policies as on the main branch (e.g. `git worktree add main origin/main`,
# then main/policies), PR_FOLDER the pull request's, FLOWS yesterday's capture (e.g. `hubble
# observe --since 24h -o jsonpb > flows.jsonl`, or a copy from the bucket flows are kept in).
# Exit status: 0 nothing would break, 1 something would, 2 flowpol could not compare.
set -uo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 MAIN_FOLDER PR_FOLDER FLOWS [COMMENT_FILE] [--inventory FILE]..." >&2
  exit 2
fi
current=$1 proposed=$2 flows=$3
comment=${4:-policy-gate.md}
shift $(($# < 4 ? 3 : 4))
flowpol diff --current "$current" --proposed "$proposed" --format markdown "$@" "$flows" \
  > "$comment"
status=$?
cat "$comment"
case $status in
  0) echo "policy gate: nothing observed would break" >&2 ;;
  1) echo "policy gate: observed communications would break (see the comment)" >&2 ;;
  *) echo "policy gate: flowpol diff could not compare (status $status)" >&2 ;;
esac
exit "$status"
