"""Runs the peer models under SimPy and simbench, checks that they agree and
prints wall-time ratios. Called by scripts/compare-simpy.sh, which builds
simbench and prepares the virtual environment; see docs/performance.md.

Agreement: both tools' 95 % confidence intervals for the mean latency are
computed the same way, from the same number of independent replications
(seeds 1..R, Student t with R - 1 degrees of freedom): R = 5 for downloads,
3 for M/M/8 (one SimPy run of M/M/8 takes about 9 s). For M/M/8 the exact
mean (Erlang C) is printed as well. Two checks are printed:
- whether each mean lies inside the other's interval (the issue's
  wording). Even for two identical models this fails by chance about one
  time in five (simulated with normal samples: 17 % with 3 replications,
  19 % with 5), so it is informative, not the verdict;
- Welch's two-sample t-test at the 5 % level: the verdict. The script
  exits with status 1 when it finds the means differ.

Wall time: SimPy's is building and running the model inside Python
(start-up and imports excluded); simbench's is the whole `simbench run`
process (parsing, simulation, histograms, report.json and report.md).
The ratio is the median SimPy wall time over the median simbench one.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Two-sided 95 % Student t quantiles by degrees of freedom (1..30).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]


def t975(df):
    """The quantile for `df` degrees of freedom, rounded down (conservative)."""
    return T975[min(max(int(df), 1), 30) - 1] if df < 31 else 1.960


def interval(values):
    m = statistics.mean(values)
    half = t975(len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return m, m - half, m + half


def welch(a, b):
    """Welch's two-sample t statistic and the 95 % critical value for its
    Welch-Satterthwaite degrees of freedom."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    se = (va + vb) ** 0.5
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return abs(statistics.mean(a) - statistics.mean(b)) / se, t975(df), df


def simbench_runs(binary, scenario, reps):
    out = tempfile.mkdtemp()
    means, walls = [], []
    for seed in range(1, reps + 1):
        t0 = time.perf_counter()
        # report.json and report.md, as SimPy's side draws no charts either
        # (charts and report.html about double a downloads run's work).
        subprocess.run([binary, "run", scenario, "--out", out, "--quiet", "--no-charts", "--seed", str(seed)],
                       check=True)
        walls.append(time.perf_counter() - t0)
        name = json.load(open(scenario))["name"]
        report = json.load(open(os.path.join(out, name, "report.json")))
        means.append(report["results"][0]["latency_s"]["mean"])
    return means, walls


def simpy_run(python, model, seed):
    text = subprocess.run([python, os.path.join(HERE, "simpy_models.py"), model, "--seed", str(seed)],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def erlang_c_mean_sojourn(lam, mu, c):
    """Exact mean time in system of an M/M/c queue."""
    a = lam / mu
    rho = a / c
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - rho)
    return tail / (head + tail) / (c * mu - lam) + 1 / mu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--simbench", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--reps-downloads", type=int, default=5)
    parser.add_argument("--reps-mm8", type=int, default=3)
    args = parser.parse_args()

    rows, ok = [], True
    models = [("downloads", "downloads-100k.json", args.reps_downloads), ("mm8", "mm8-1m.json", args.reps_mm8)]
    for model, scenario, reps in models:
        scenario = os.path.join(HERE, scenario)
        sb_means, sb_walls = simbench_runs(args.simbench, scenario, reps)
        sb = interval(sb_means)
        runs = [simpy_run(args.python, model, seed) for seed in range(1, reps + 1)]
        sp = interval([r["mean_latency_s"] for r in runs])
        sp_wall = statistics.median(r["wall_s"] for r in runs)
        sb_wall = statistics.median(sb_walls)
        sp_means = [r["mean_latency_s"] for r in runs]
        within = sp[1] <= sb[0] <= sp[2] and sb[1] <= sp[0] <= sb[2]
        t, critical, df = welch(sp_means, sb_means)
        differ = t > critical
        ok &= not differ
        print(f"\n{model}: {runs[0]['tasks']} tasks, {reps} replications each (SimPy {runs[0]['simpy']})")
        print(f"  mean latency  SimPy    {sp[0]:.6f} s  95% CI [{sp[1]:.6f}, {sp[2]:.6f}]")
        print(f"                simbench {sb[0]:.6f} s  95% CI [{sb[1]:.6f}, {sb[2]:.6f}]")
        if model == "mm8":
            print(f"                exact    {erlang_c_mean_sojourn(7.2, 1.0, 8):.6f} s  (Erlang C)")
        print(f"  each mean inside the other's 95% CI: {'yes' if within else 'no'}")
        print(f"  Welch t = {t:.2f} (df {df:.1f}, 5% critical value {critical:.3f}): "
              + ("the means DIFFER" if differ else "no significant difference"))
        each = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
        print(f"  wall time     SimPy    {sp_wall:.3f} s  (median of {len(runs)}: {each})")
        each = ", ".join(f"{w:.3f}" for w in sb_walls)
        print(f"                simbench {sb_wall:.4f} s  (median of {len(sb_walls)}: {each})")
        ratio = sp_wall / sb_wall
        print(f"  ratio {ratio:.0f}x  (target >= 100x: {'met' if ratio >= 100 else 'not met'})")
        rows.append((model, ratio))
    verdict = "results agree (Welch, 5%)" if ok else "RESULTS DISAGREE"
    print("\nsummary: " + ", ".join(f"{m} {r:.0f}x" for m, r in rows) + f"; {verdict}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
