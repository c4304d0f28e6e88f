#!/usr/bin/env bash
# Byte-identity of two builds: runs every scenario (scenarios/, validation/,
# the peer models and the small scale models) with each binary, with every
# export, a trace, cpython and ideal runtimes and a replicated run, and
# diffs the whole output trees. A refactor must print "identical".
#
#   scripts/check-identical.sh BASE_BINARY [HEAD_BINARY]
#
# HEAD_BINARY defaults to target/release/simbench. Exit 1 on any difference
# (the diff is printed), 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 BASE_BINARY [HEAD_BINARY]" >&2; exit 2; }
base=$(realpath "$1")
head=$(realpath "${2:-target/release/simbench}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

scenarios=(scenarios/*.json validation/*.json benches/peers/*.json benches/scale/*-10k.json benches/scale/*-100k.json)

for side in base head; do
  bin=${!side}
  for file in "${scenarios[@]}"; do
    name=$(basename "$file" .json)
    dir="$out/work/$(dirname "$file")/$name"
    mkdir -p "$dir"
    # Exit statuses are part of the behaviour: a failing SLO exits 1.
    { "$bin" run "$file" --out "$dir/run" --export all --trace --trace-limit 200 >"$dir/stdout" 2>"$dir/stderr"; echo "exit $?" >"$dir/status"; } || true
    { "$bin" run "$file" --out "$dir/cpython" --runtime cpython --no-charts --quiet; echo "exit $?" >"$dir/status-cpython"; } || true
  done
  for file in scenarios/api-server.json scenarios/scraper.json; do
    name=$(basename "$file" .json)
    mkdir -p "$out/work/replicated"
    { "$bin" run "$file" --out "$out/work/replicated/$name" --replications 4 --no-charts --quiet; echo "exit $?" >"$out/work/replicated/$name.status"; } || true
  done
  # Both sides write under the same path, so paths printed are the same.
  mv "$out/work" "$out/$side"
done

# The "charts took N ms" line reads the wall clock: not a result.
find "$out" -name stdout -exec sed -i '/^charts took /d' {} +

if diff -r "$out/base" "$out/head" >"$out/diff"; then
  echo "identical: ${#scenarios[@]} scenarios, every file"
else
  head -"${CHECK_IDENTICAL_LINES:-200}" "$out/diff"
  echo "DIFFERENT (above)" >&2
  exit 1
fi
