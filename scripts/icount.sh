#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind) of `simbench run` on the
# peer models: stable under load, unlike wall time, so before/after
# comparisons of an optimisation use them.
#   scripts/icount.sh [BINARY] [SCENARIO...]
# BINARY defaults to target/release/simbench; scenarios to the two peers.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/simbench}
shift || true
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(benches/peers/downloads-100k.json benches/peers/mm8-1m.json)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in "${scenarios[@]}"; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" run "$s" --out "$out/reports" --quiet 2>"$out/log"
    ir=$(grep -oP 'Collected : \K[0-9]+' "$out/log")
    printf '%-40s %15s instructions\n' "$(basename "$s")" "$ir"
    cp "$out/cg" "/tmp/callgrind.$(basename "$s" .json)" 2>/dev/null || true
done
