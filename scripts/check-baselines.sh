#!/usr/bin/env bash
# Runs every scenario in scenarios/ and compares it, figure by figure, with
# its committed baseline in reports/baselines/ (simbench compare --strict):
# any change of the model's behaviour, better or worse, fails until the
# baselines are updated and the diff reviewed. A scenario without a
# baseline, or a baseline without a scenario, fails too.
#
#   scripts/check-baselines.sh            check (what .ci/run does)
#   scripts/check-baselines.sh --update   rewrite reports/baselines/ from this build
#
# Builds with --locked in release mode (.ci/run has already built it, so
# this is quick). Writes the Markdown comparison to
# target/check-baselines/compare.md and, on GitHub Actions, to the job
# summary.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  "") ;;
  --update) mode=update ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

cargo build --locked --release --quiet
bin=target/release/simbench
out=target/check-baselines
rm -rf "$out"
mkdir -p "$out" reports/baselines

if [[ "$mode" == update ]]; then
  rm -f reports/baselines/*.json
  for file in scenarios/*.json; do
    name=$(basename "$file" .json)
    "$bin" run "$file" --out "$out/runs" --quiet --baseline "reports/baselines/$name.json" --update-baseline
    echo "updated reports/baselines/$name.json"
  done
  exit 0
fi

for file in scenarios/*.json; do
  "$bin" run "$file" --out "$out/runs" --quiet
done

status=0
"$bin" compare reports/baselines "$out/runs" --strict --format md >"$out/compare.md" 2>/dev/null || status=$?
"$bin" compare reports/baselines "$out/runs" --strict || true
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
if [[ "$status" -ne 0 ]]; then
  echo >&2
  echo "The scenarios' figures differ from reports/baselines/ (full table: $out/compare.md)." >&2
  echo "If the change is intended, run scripts/check-baselines.sh --update and commit the reviewed diff." >&2
fi
exit "$status"
