#!/usr/bin/env bash
# The fidelity check (issue 9, item 5): real Python programs (downloads,
# scraper, blocking pitfall; sequential, ThreadPoolExecutor and asyncio)
# against a loopback HTTP server with injected latency, beside simbench's
# predictions for the same parameters; writes docs/fidelity.md.
#   1. builds simbench (release);
#   2. runs scripts/fidelity.py, which starts examples/python/server.py,
#      measures per-request and parse costs per style (examples/python/probe.py),
#      runs `simbench calibrate` into target/fidelity/profile.json when this
#      simbench has it (else the ideal model), writes and runs one scenario per
#      program and style, runs each program R times and writes the doc.
# Exit status: 0 every row within bounds (makespan 5 %, p99 10 %); 1 a row
# fails; 2 a program, the server or simbench failed. A full run takes about
# 3-5 minutes on 2 cores; --quick is a smoke run of about 30 s.
#   scripts/fidelity.sh [--quick] [--reps R] [--runtime auto|ideal|cpython|FILE] [--python PATH] [--doc FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
python=python3
for ((i = 1; i <= $#; i++)); do
    if [[ "${!i}" == --python ]]; then j=$((i + 1)); python="${!j}"; fi
done
exec "$python" scripts/fidelity.py --simbench target/release/simbench --command "scripts/fidelity.sh $*" "$@"
