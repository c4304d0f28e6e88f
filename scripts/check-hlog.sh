#!/usr/bin/env bash
# Reads simbench's latency.hlog with HdrHistogram's own Java tools (Debian's
# `libhdrhistogram-java`: HistogramLogProcessor) and checks what they make
# of it against report.json:
#   - the tags they list are the strategies (and STRATEGY/CLASS with
#     several classes);
#   - for each tag, one interval row per line of the log, at increasing
#     interval ends (StartTimestamp + Interval_Length) that are whole
#     multiples of the interval;
#   - for each strategy, the total count of its intervals is report.json's
#     measured latencies (tasks arrived − cancelled − rejected) and the
#     total max is report.json's max latency (to the histogram's precision).
#
#   scripts/check-hlog.sh            # api-server.json and scraper.json at 1s,
#                                    # blocking-pitfall.json (two classes) at 250ms
#   scripts/check-hlog.sh FILE.json INTERVAL ...
#
# Installs libhdrhistogram-java (and a JRE) with apt-get if missing (needs
# root or sudo). Not part of `.ci/run`. Exit status 0 when every check passes.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=/usr/share/java/hdrhistogram.jar
if [ ! -f "$jar" ] || ! command -v java >/dev/null 2>&1; then
    echo "== libhdrhistogram-java is missing: installing Debian's package"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libhdrhistogram-java default-jre-headless >/dev/null
fi
processor() { java -cp "$jar" org.HdrHistogram.HistogramLogProcessor "$@"; }
echo "== HdrHistogram $(dpkg-query -W -f '${Version}' libhdrhistogram-java 2>/dev/null || echo '?')"

runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
    runs=(scenarios/api-server.json 1s scenarios/scraper.json 1s scenarios/blocking-pitfall.json 250ms)
fi
if [ $((${#runs[@]} % 2)) -ne 0 ]; then echo "usage: $0 [FILE.json INTERVAL]..." >&2; exit 2; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/simbench

failed=0
for ((i = 0; i < ${#runs[@]}; i += 2)); do
    scenario="${runs[i]}"
    interval="${runs[i + 1]}"
    echo "== $scenario, --hlog-interval $interval"
    out="$work/$i"
    "$bin" run "$scenario" --out "$out" --quiet --no-charts --export hlog --hlog-interval "$interval" || [ $? -eq 1 ]
    dir="$(dirname "$(find "$out" -name latency.hlog)")"
    log="$dir/latency.hlog"
    processor -i "$log" -listtags >"$work/tags" 2>"$work/err" || { cat "$work/err"; failed=1; continue; }
    while read -r tag; do
        [ -n "$tag" ] || continue
        processor -i "$log" -tag "$tag" -csv -o "$work/tag" 2>"$work/err" || { cat "$work/err"; failed=1; continue; }
        cp "$work/tag" "$dir/processed-$(echo "$tag" | tr '/' '_').csv"
        cp "$work/tag.hgrm" "$dir/processed-$(echo "$tag" | tr '/' '_').hgrm"
    done < <(grep -v '^Tags found' "$work/tags")
    if ! python3 - "$dir" "$interval" "$work/tags" <<'PY'
import csv, json, os, re, sys

directory, interval, tags_file = sys.argv[1], sys.argv[2], sys.argv[3]
units = {"ms": 1e-3, "s": 1.0, "min": 60.0}
number, unit = re.fullmatch(r"([0-9.]+)(ms|s|min)", interval).groups()
width = float(number) * units[unit]
report = json.load(open(os.path.join(directory, "report.json")))
results = report["results"]
several = len(results[0]["classes"]) > 1
expected = []
for r in results:
    expected.append(r["strategy"])
    if several:
        expected += [r["strategy"] + "/" + c["class"] for c in r["classes"]]
listed = open(tags_file).read()
problems = []
log_lines = [l for l in open(os.path.join(directory, "latency.hlog")) if l.startswith("Tag=")]
for tag in expected:
    if tag not in listed.splitlines():
        problems.append(f"HistogramLogProcessor -listtags lacks {tag}: {listed!r}")
        continue
    name = tag.replace("/", "_")
    rows = list(csv.reader(l for l in open(os.path.join(directory, f"processed-{name}.csv")) if not l.startswith("#")))
    header, rows = rows[0], [r for r in rows[1:] if r]
    ends = [float(r[0]) for r in rows]
    lines = [l for l in log_lines if l.split(",")[0] == "Tag=" + tag]
    if len(rows) != len(lines):
        problems.append(f"{tag}: {len(rows)} intervals processed, {len(lines)} in the log")
    if any(b <= a for a, b in zip(ends, ends[1:])):
        problems.append(f"{tag}: interval ends do not increase: {ends[:10]}")
    off = [e for e in ends if abs(e / width - round(e / width)) > 1e-6]
    if off:
        problems.append(f"{tag}: interval ends not multiples of {interval}: {off[:5]}")
    lengths = {l.split(",")[2] for l in lines}
    if lengths != {f"{width:.3f}"}:
        problems.append(f"{tag}: interval lengths {lengths}, expected {width:.3f}")
    # The whole log's percentile distribution (CSV: Value,Percentile,TotalCount,…).
    hgrm = [r for r in csv.reader(open(os.path.join(directory, f"processed-{name}.hgrm"))) if r and r[0][0].isdigit()]
    total = int(hgrm[-1][2]) if hgrm else 0
    top = float(hgrm[-1][0]) if hgrm else 0.0
    print(f"   {tag}: {len(rows)} intervals of {interval}, last ending at {ends[-1] if ends else 0} s, "
          f"{total} latencies, max {top} ms")
    if "/" in tag:
        continue
    r = next(r for r in results if r["strategy"] == tag)
    measured = r["tasks"]["arrived"] - r["tasks"]["cancelled"] - r["tasks"]["rejected"]
    warm = r["warmup_s"] > 0
    if not warm and total != measured:
        problems.append(f"{tag}: the intervals hold {total} latencies, report.json measured {measured}")
    max_ms = r["latency_s"]["max"] * 1e3
    if total and abs(top - max_ms) > max_ms * 1e-3 + 1e-3:
        problems.append(f"{tag}: max {top} ms, report.json {max_ms} ms")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
    then failed=1; fi
done

if [ "$failed" -ne 0 ]; then echo "== check-hlog: FAILED"; exit 1; fi
echo "== check-hlog: ok"
