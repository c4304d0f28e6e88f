#!/usr/bin/env bash
# simbench against SimPy on the calibration's peer models (benches/peers/),
# on this machine, in one invocation:
#   1. builds simbench (release);
#   2. creates target/peers-venv and pip-installs SimPy (the calibration's
#      4.1.2) unless it is there already;
#   3. runs both tools on the downloads (100k tasks) and M/M/8 (1M
#      customers) models, checks that their mean latencies lie within each
#      other's 95 % confidence interval, and prints wall-time ratios.
# Exit status 1 if the results disagree. Takes about a minute.
#   scripts/compare-simpy.sh [--reps-downloads N] [--reps-mm8 N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
venv=target/peers-venv
if ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'simpy==4.1.2'
fi
echo "machine: $(nproc) cores, $(uname -m), $("$venv/bin/python" --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$venv/bin/python" benches/peers/compare.py --simbench target/release/simbench --python "$venv/bin/python" "$@"
