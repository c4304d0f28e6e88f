#!/usr/bin/env bash
# Measures benches/scale/ (one batch of N concurrent coroutines:
# coroutines-*.json; an open loop with about 200 in flight: open-*.json) at
# 10k, 100k, 1M and 10M tasks with `simbench run --stats` (one run per point,
# no charts), writes target/scale.csv and draws docs/images/scale.png
# (examples/scale_chart.rs). Takes about a minute.
#   scripts/scale-chart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet --bin simbench --example scale_chart
csv=target/scale.csv
: >"$csv"
for kind in coroutines open; do
    label=$([ "$kind" = coroutines ] && echo "batch (all in flight)" || echo "open loop (~200 in flight)")
    for size in 10k:10000 100k:100000 1m:1000000 10m:10000000; do
        stats=$(target/release/simbench run "benches/scale/$kind-${size%%:*}.json" --out target/scale-reports \
            --quiet --no-charts --stats 2>&1)
        run=$(grep -oP 'tasks in \K[0-9.]+' <<<"$stats")
        mib=$(grep -oP 'peak RSS \K[0-9.]+' <<<"$stats")
        echo "$label,${size#*:},$run,$mib" | tee -a "$csv"
    done
done
mkdir -p docs/images
target/release/examples/scale_chart "$csv" docs/images/scale.png
echo "wrote docs/images/scale.png"
