#!/usr/bin/env python3
"""Interleaved wall-time comparison of simbench binaries on scenarios.

    scripts/ab-wall.py [-n RUNS] [--no-charts] BIN... -- SCENARIO...

Runs every (binary, scenario) pair RUNS times, round robin so that load
from other processes falls on all binaries alike, and prints the median
and the minimum wall time of each pair. Medians of interleaved runs are
what docs/performance.md quotes when it gives a wall time of a binary.
"""
import statistics, subprocess, sys, tempfile, time

args = sys.argv[1:]
runs = 7
if args[:1] == ["-n"]:
    runs, args = int(args[1]), args[2:]
extra = []
if args[:1] == ["--no-charts"]:
    extra, args = args[:1], args[1:]
split = args.index("--")
bins, scenarios = args[:split], args[split + 1:]
out = tempfile.mkdtemp()
times = {(b, s): [] for b in bins for s in scenarios}
for _ in range(runs):
    for s in scenarios:
        for b in bins:
            t0 = time.perf_counter()
            subprocess.run([b, "run", s, "--out", out, "--quiet", *extra], check=True)
            times[(b, s)].append(time.perf_counter() - t0)
for s in scenarios:
    for b in bins:
        ts = times[(b, s)]
        print(f"{s:40s} {b:32s} median {statistics.median(ts):.4f} s  min {min(ts):.4f} s  (n={len(ts)})")
