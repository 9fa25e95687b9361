#!/usr/bin/env bash
# Runs every test layer of flowpol, installing what it needs first:
#   formatting and lints (host and wasm32), native cargo tests, the NetworkPolicy YAML they
#   generate (kubernetes-validate, PyYAML), a short run of every fuzz target, the release
#   build, wasm-bindgen tests in headless Chromium, the ClickHouse query in chDB against the
#   CLI, the same and the native tests of dates again a year ahead (faketime), Playwright
#   end-to-end tests against dist/.
# Every layer runs whatever failed before it (`cargo test --no-fail-fast`), each within a time
# limit that names the layer when it runs over (FLOWPOL_LAYER_LIMIT seconds, 1,800 by default;
# a few have their own). Snapshots are never rewritten here: UPDATE_SNAPSHOTS is cleared unless
# `--update-snapshots` is given on purpose (then the reviewed files are rewritten and the diffs
# printed, to be read). Ends with a table (layer, passed, failed, seconds) and one line:
# `all: N passed, M failed`, and exits non-zero when anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FLOWPOL_ROOT"
unset UPDATE_SNAPSHOTS
for argument in "$@"; do
  case "$argument" in
    --update-snapshots) export UPDATE_SNAPSHOTS=1; echo "rewriting snapshots (--update-snapshots): read the diffs" ;;
    *) echo "tools/test.sh: unknown option $argument (only --update-snapshots)"; exit 2 ;;
  esac
done
setup_began=$(date +%s)
bash tools/setup.sh test || { echo "all: 0 passed, 1 failed"; exit 1; }

started=$(date +%s)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# limited COMMAND...: the command (a function of this file too) within the layer's time limit
# (LIMIT seconds when set for the call, else FLOWPOL_LAYER_LIMIT, else 1,800); exit status 124
# when it ran over.
limited() {
  timeout --kill-after=30 "${LIMIT:-${FLOWPOL_LAYER_LIMIT:-1800}}" bash -c '"$@"' limited "$@"
}

# over_time NAME STATUS: says so when a layer was stopped by its time limit.
over_time() {
  if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
    echo "TIMED OUT: $1 ran over ${LIMIT:-${FLOWPOL_LAYER_LIMIT:-1800}} s and was stopped"
  fi
}

# check NAME COMMAND...: one pass or one failure.
check() {
  local name=$1 began status; shift
  echo "== $name"
  began=$(date +%s)
  limited "$@"
  status=$?
  over_time "$name" "$status"
  if [ "$status" -eq 0 ]; then passed=$((passed + 1)); echo "ok: $name"; layer_row "$name" 1 0 "$began"
  else failed=$((failed + 1)); echo "FAILED: $name"; layer_row "$name" 0 1 "$began"; fi
}

# layer_row NAME PASSED FAILED START: one row of the table printed at the end.
table=""
layer_row() {
  table+="$(printf '%-78.78s %7d %7d %8d' "$1" "$2" "$3" "$(( $(date +%s) - $4 ))")"$'\n'
}
layer_row "setup (tools/setup.sh test: what is missing installed)" 1 0 "$setup_began"

# tests NAME PARSER COMMAND...: counts the tests the command's runner reports.
tests() {
  local name=$1 parser=$2 began; shift 2
  echo "== $name"
  began=$(date +%s)
  limited "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]} p f
  over_time "$name" "$status"
  read -r p f < <("$parser" "$log")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # a build error counts as a failure
  if [ "$status" -eq 0 ] && [ "$p" -eq 0 ]; then echo "FAILED: $name ran no test"; f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  echo "$name: $p passed, $f failed"
  layer_row "$name" "$p" "$f" "$began"
}

cargo_counts() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$1"
}
tap_counts() {
  awk '/^# pass / { p = $3 } /^# fail / { f = $3 } END { print p + 0, f + 0 }' "$1"
}

# Property tests draw from one seed per run, printed so a failure can be replayed exactly
# (failing cases are also kept beside the file that found them, in FILE.proptest-regressions).
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "proptest seed: $PROPTEST_RNG_SEED (replay: PROPTEST_RNG_SEED=$PROPTEST_RNG_SEED bash tools/test.sh)"

check "cargo fmt --check" cargo fmt --all --check
check "clippy (host)" cargo clippy --all-targets --locked -- -D warnings
check "clippy (wasm32)" cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
# Written anew by the native tests: no stale policy passes.
rm -rf target/generated-policies target/generated-cilium-policies
tests "native tests" cargo_counts cargo test --locked --no-fail-fast
# The policies those tests wrote (*.yaml, each with a *.json twin of the intended values): read
# back exactly by PyYAML (YAML 1.1, as kubectl), accepted by kubernetes-validate --strict and by
# the API server's NetworkPolicy value rules.
check "generated policy YAML (tools/validate_policies.py)" \
  tools/.venv/bin/python tools/validate_policies.py target/generated-policies
# The same reviews written as CiliumNetworkPolicies: valid under Cilium's CRD schema (vendored
# in tools/cilium/ with its licence) and the checks the Cilium agent makes on import.
check "generated CiliumNetworkPolicies (tools/cilium/validate.py)" \
  tools/.venv/bin/python tools/cilium/validate.py target/generated-cilium-policies/*.yaml
check "tools/cilium/validate.py rejects a broken CiliumNetworkPolicy" \
  bash -c '! tools/.venv/bin/python tools/cilium/validate.py tests/fixtures/cilium/invalid.yaml >/dev/null'
# The fuzz targets (fuzz/, cargo-fuzz on nightly), built once, then each run briefly from a
# copy of its seeds (tests/fixtures/fuzz/TARGET/seeds/): a crash, a hang over 10 s or more
# than 512 MB fails. The long runs are in docs/tests.md ("Fuzzing").
check "fuzz targets build" cargo +nightly fuzz build --fuzz-dir fuzz --sanitizer none
fuzz_smoke() {
  local target=$1 corpus status
  corpus=$(mktemp -d)
  cp tests/fixtures/fuzz/"$target"/seeds/* "$corpus"/ || return 1
  cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer none "$target" "$corpus" -- \
    -runs=50000 -max_total_time=20 -max_len=4096 -rss_limit_mb=512 -timeout=10
  status=$?
  rm -rf "$corpus"
  return $status
}
export -f fuzz_smoke
for target in hubble_line flowpol_json inventory policies records session decisions; do
  LIMIT=300 check "fuzz smoke: $target" fuzz_smoke "$target"
done
check "trunk build --release" trunk build --release
for wasm in dist/*.wasm; do
  [ -f "$wasm" ] && echo "wasm size: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip ($wasm)"
done
tests "browser tests (wasm-bindgen-test)" cargo_counts cargo test --locked --no-fail-fast --target wasm32-unknown-unknown
# The CLI the end-to-end tests run, built here so no stale binary is tested.
check "cargo build --bin flowpol" cargo build --locked --bin flowpol
export FLOWPOL_CLI="$FLOWPOL_ROOT/target/debug/flowpol"
# flowpol's ClickHouse query, run in chDB, against the CLI's reading of the same raw flows.
check "ClickHouse query agrees with flowpol (tools/clickhouse/test.sh)" bash tools/clickhouse/test.sh
# No result may depend on the day: the layers that read dates run again with the clock a year
# ahead (faketime, libfaketime): the ClickHouse test (the CLI, Python and bash see the moved
# clock; chDB reads the clock past libfaketime, so the test keeps its one use of the clock, the
# table's TTL, to fixed dates) and the native tests of dates, time spans and the CLI (the
# library's unit tests and the test binaries ingest, review and cli), from the binaries
# `cargo test` built above (nothing is compiled under faketime: rustc hangs under it).
a_year_ahead() {
  local binaries
  binaries=$(cargo test --locked --no-run --message-format=json --lib --test ingest \
      --test review --test cli |
    python3 -c 'import json, sys
for m in map(json.loads, sys.stdin):
    if m.get("executable") and m["profile"]["test"]: print(m["executable"])') || return 1
  [ "$(wc -l <<< "$binaries")" -eq 4 ] || { echo "not the 4 test binaries: $binaries"; return 1; }
  [ "$(faketime -f '+365d' date +%Y)" -gt "$(date +%Y)" ] || { echo "faketime moves no clock"; return 1; }
  faketime -f '+365d' bash tools/clickhouse/test.sh || return 1
  while IFS= read -r binary; do
    faketime -f '+365d' "$binary" -q || return 1
  done <<< "$binaries"
}
export -f a_year_ahead
check "a year ahead (faketime +365d): tools/clickhouse/test.sh, native tests of dates and the CLI" a_year_ahead
tests "end-to-end tests (Playwright)" tap_counts node --test --test-reporter=tap tests/e2e/

printf '%-78s %7s %7s %8s\n' "layer" "passed" "failed" "seconds"
printf '%s' "$table"
echo "took $(( $(date +%s) - started )) s"
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
