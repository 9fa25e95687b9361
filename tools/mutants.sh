#!/usr/bin/env bash
# The mutation run, one part of the engine at a time (not part of tools/test.sh: about 30 s a
# mutant on a two-core machine, 146 mutants for decisions/, ~5,000 for the crate):
#
#   bash tools/mutants.sh decisions 'policy/cilium.rs' resolve ...
#
# Each argument is a path under src/engine/ (a folder takes everything in it). The run works
# on a clean clone of HEAD in target/mutants/src (so the working tree stays free to edit while
# it runs, for hours), in place (one build directory, rebuilt incrementally), at the lowest
# priority, and writes cargo-mutants' results to target/mutants/<part>/mutants.out/
# (caught.txt, missed.txt, timeout.txt, unviable.txt). The tests run on each mutant are the
# native tests that reach the engine: the library's, policy, ingest, cli, golden_policies and
# review.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -gt 0 ] || { echo "usage: bash tools/mutants.sh PART... (paths under src/engine/)"; exit 2; }
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --version 27.1.0 --locked
root=$PWD/target/mutants
rm -rf "$root/src"
mkdir -p "$root"
git clone -q "$PWD" "$root/src"
for part in "$@"; do
  name=${part//\//-}
  filter="src/engine/$part"
  [ -d "$filter" ] && filter="$filter/**"
  echo "== mutants of src/engine/$part ($(date -u +%FT%TZ))"
  (cd "$root/src" && CARGO_PROFILE_DEV_DEBUG=0 nice -n 19 cargo mutants --in-place --no-shuffle \
    --baseline skip --timeout 240 --build-timeout 600 -o "$root/$name" -f "$filter" \
    -- --lib --test policy --test ingest --test cli --test golden_policies --test review) || true
  for outcome in caught missed timeout unviable; do
    printf '%s %s ' "$outcome" "$(wc -l < "$root/$name/mutants.out/$outcome.txt")"
  done
  echo
done
