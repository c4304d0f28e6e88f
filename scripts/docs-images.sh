#!/usr/bin/env bash
# Redraws the charts the README and docs/charts.md show, from the scenarios
# they name: docs/images/blocking-pitfall-timeline.png,
# docs/images/scraper-percentiles.png and docs/images/retry-storm-utilisation.png.
# Run it after changing how charts look.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build --quiet
./target/debug/simbench run scenarios/blocking-pitfall.json --out "$out" --quiet
./target/debug/simbench run scenarios/scraper.json --out "$out" --quiet
./target/debug/simbench run scenarios/retry-storm.json --out "$out" --quiet
mkdir -p docs/images
cp "$out/blocking-pitfall/timeline.png" docs/images/blocking-pitfall-timeline.png
cp "$out/scraper/percentiles.png" docs/images/scraper-percentiles.png
cp "$out/retry-storm/utilisation.png" docs/images/retry-storm-utilisation.png
echo "wrote docs/images/blocking-pitfall-timeline.png, scraper-percentiles.png and retry-storm-utilisation.png"
