#!/usr/bin/env python3
"""The fidelity check: simbench's predictions against real Python programs (issue 9, item 5).

Called by scripts/fidelity.sh, which builds simbench first:

    scripts/fidelity.py --simbench target/release/simbench [--quick] [--reps R]
                        [--runtime auto|ideal|cpython|FILE] [--doc docs/fidelity.md]

1. starts examples/python/server.py (loopback HTTP/1.1, injected latency)
   and checks that it answers;
2. runs examples/python/probe.py once per style to measure what a request
   (send CPU, receive CPU, extra I/O beyond the asked delay), a new
   connection and each parse actually cost in that style;
3. with `--runtime auto` (the default), runs `simbench calibrate` into
   target/fidelity/profile.json when `simbench --help` lists `calibrate`
   and `simbench run --help` lists `--runtime`; else uses the ideal model;
4. writes one scenario per workload and style to target/fidelity/scenarios/,
   mirroring the program's parameters with the measured costs as `cpu` and
   `io` steps, and runs simbench on each;
5. runs every program in every style R times (interleaved: rep 1 of every
   program, then rep 2, ...), takes the median makespan, p50 and p99;
6. writes the Markdown report (docs/fidelity.md) and exits 1 if any row
   misses the bounds: makespan within 10 %, p99 within 20 %.

A program or server that fails, hangs (timeout) or prints a malformed line
stops the check with exit status 2 and the program's stderr.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples" / "python"
sys.path.insert(0, str(EX))
from scraper import page_delays  # noqa: E402  (the programs' own delay list)

STYLES = ["sequential", "threads", "asyncio"]
MAKESPAN_BOUND = 10.0
P99_BOUND = 20.0


class CheckError(Exception):
    pass


def workloads(quick):
    """Each workload's parameters: the programs' options and what the scenarios need."""
    if quick:
        return [
            dict(name="downloads", n=10, workers=4, delay_ms=200.0, parse_ms=2.0, bytes=20000),
            dict(name="scraper", n=40, connections=5, min_ms=50.0, max_ms=150.0, seed=7, parse_ms=3.0,
                 bytes=20000),
            dict(name="blocking-pitfall", n=20, workers=20, sleep_ms=100.0, block_ms=500.0),
        ]
    return [
        dict(name="downloads", n=40, workers=8, delay_ms=200.0, parse_ms=2.0, bytes=20000),
        dict(name="scraper", n=200, connections=10, min_ms=50.0, max_ms=150.0, seed=7, parse_ms=3.0,
             bytes=20000),
        dict(name="blocking-pitfall", n=100, workers=100, sleep_ms=100.0, block_ms=1000.0),
    ]


def program_argv(py, w, style, port, spin_per_ms):
    if w["name"] == "blocking-pitfall":
        return [py, str(EX / "blocking_pitfall.py"), "--style", style, "--n", str(w["n"]), "--workers",
                str(w["workers"]), "--sleep-ms", str(w["sleep_ms"]), "--block-ms", str(w["block_ms"])]
    common = ["--style", style, "--port", str(port), "--n", str(w["n"]), "--bytes", str(w["bytes"]),
              "--parse-ms", str(w["parse_ms"]), "--spin-per-ms", repr(spin_per_ms)]
    if w["name"] == "downloads":
        return [py, str(EX / "downloads.py"), *common, "--workers", str(w["workers"]), "--delay-ms",
                str(w["delay_ms"])]
    return [py, str(EX / "scraper.py"), *common, "--connections", str(w["connections"]), "--min-ms",
            str(w["min_ms"]), "--max-ms", str(w["max_ms"]), "--seed", str(w["seed"])]


def run_json(argv, timeout, what):
    """Run a program that prints one JSON line; any failure raises CheckError with its stderr."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckError(f"{what} did not finish within {timeout} s: {shlex.join(argv)}")
    if p.returncode != 0:
        raise CheckError(f"{what} failed (exit {p.returncode}): {shlex.join(argv)}\n{p.stderr.strip()}")
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise CheckError(f"{what} printed no JSON line: {shlex.join(argv)}\nstdout: {p.stdout[:500]!r}")


# ---------------------------------------------------------------- the server


class Server:
    def __init__(self, py):
        self.proc = subprocess.Popen([py, str(EX / "server.py"), "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        try:
            self.port = json.loads(line)["port"]
        except (json.JSONDecodeError, KeyError):
            self.stop()
            raise CheckError(f"server.py did not start: {line!r} {self.proc.stderr.read()[:2000]}")
        self.get("/item?delay_ms=1&bytes=10")

    def get(self, path):
        if self.proc.poll() is not None:
            raise CheckError(f"server.py has exited (status {self.proc.returncode}): {self.proc.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.read()
        except OSError as e:
            raise CheckError(f"server.py does not answer GET {path}: {e}")

    def stats(self, reset=False):
        return json.loads(self.get("/stats?reset=1" if reset else "/stats"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ---------------------------------------------------------------- scenarios


def ns(ms):
    return f"{max(0, round(ms * 1e6))}ns"


def fetch_program(probe, w, delay_ms, cold, limit):
    """One task's steps: [connect,] send, the server's delay, receive (inside the pool's limit when
    the program holds a connection semaphore), then the parse; every cost the probe measured."""
    steps = []
    if cold:
        steps += [{"cpu": ns(probe["connect_cpu_ms"]), "label": "connect"},
                  {"io": ns(probe["connect_io_ms"]), "label": "connect"}]
    fetch = [{"cpu": ns(probe["send_cpu_ms"]), "label": "send"},
             {"io": ns(delay_ms + probe["io_extra_ms"]), "label": "server"},
             {"cpu": ns(probe["recv_cpu_ms"]), "label": "receive"}]
    if limit:
        steps.append({"limit": {"pool": "connections", "program": fetch}})
    else:
        steps += fetch
    steps.append({"cpu": ns(probe["parse_cpu_ms"][str(w["parse_ms"])]), "label": "parse"})
    return steps


def strategy(style, w):
    if style == "sequential":
        return {"blocking": {"label": "sequential"}}
    if style == "threads":
        workers = w["connections"] if "connections" in w else w["workers"]
        return {"threaded": {"workers": workers, "label": "threads"}}
    return {"cooperative": {"label": "asyncio"}}


def scenario(w, style, probe, cores):
    """The simbench scenario mirroring program `w` in `style`.

    Tasks that get the same steps form one class (batch at t = 0), in task
    order: the first task on each connection pays the connect (sequential:
    1; threads: one per worker; asyncio downloads: every task; asyncio
    scraper: the pool's C). The scraper's pages each get their own delay,
    the program's own list (scraper.page_delays), so both sides see the
    same delays in the same order.
    """
    name = f"fidelity-{w['name']}-{style}"
    sc = {"name": name, "_generated": "by scripts/fidelity.py; do not edit", "seed": 1,
          "machine": {"cores": cores}, "classes": {}, "strategies": [strategy(style, w)]}
    if w["name"] == "blocking-pitfall":
        sc["classes"] = {
            "sleeper": {"arrivals": {"batch": {"count": w["n"] - 1}},
                        "program": [{"sleep": ns(w["sleep_ms"]), "label": "sleep"}]},
            "blocker": {"arrivals": {"batch": {"count": 1}},
                        "program": [{"blocking": ns(w["block_ms"]), "label": "time.sleep"}]},
        }
        return sc
    n = w["n"]
    if w["name"] == "downloads":
        delays = [w["delay_ms"]] * n
        limit = None
        connections = {"sequential": 1, "threads": w["workers"], "asyncio": n}[style]
    else:
        delays = page_delays(n, w["seed"], w["min_ms"], w["max_ms"])
        limit = w["connections"] if style == "asyncio" else None
        connections = 1 if style == "sequential" else w["connections"]
        if limit:
            sc["pools"] = {"connections": limit}
    runs = []  # (program, count): consecutive tasks with identical steps share a class
    for i, d in enumerate(delays):
        prog = fetch_program(probe, w, d, i < connections, limit)
        if runs and runs[-1][0] == prog:
            runs[-1][1] += 1
        else:
            runs.append([prog, 1])
    for k, (prog, count) in enumerate(runs):
        sc["classes"][f"t{k:03d}"] = {"arrivals": {"batch": {"count": count}}, "program": prog}
    return sc


# ---------------------------------------------------------------- simbench


def simbench_runtime(simbench, choice, quick, py, workdir):
    """The `--runtime` argument for `simbench run`, or None for the ideal model; and a description."""
    def help_text(*args):
        return subprocess.run([simbench, *args, "--help"], capture_output=True, text=True).stdout

    has_runtime = "--runtime" in help_text("run")
    if choice == "ideal":
        return None, "ideal (forced by --runtime ideal)"
    if choice != "auto":
        if not has_runtime:
            raise CheckError(f"--runtime {choice}: this simbench has no `run --runtime`")
        return choice, f"`{choice}` (from --runtime)"
    if not (has_runtime and "calibrate" in help_text()):
        return None, ("ideal: this simbench has no `calibrate` / `run --runtime`, so every runtime overhead "
                      "is zero")
    profile = workdir / "profile.json"
    argv = [simbench, "calibrate", "--python", py, "--out", str(profile)] + (["--quick"] if quick else [])
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise CheckError(f"{shlex.join(argv)} failed (exit {p.returncode}):\n{p.stderr.strip()}")
    shown = ["simbench", *argv[1:]]
    return str(profile), f"the profile `{rel(profile)}`, measured before the runs by `{shlex.join(map(rel, shown))}`"


def profile_constants(runtime):
    """The constants of a profile file (None for a built-in profile or none)."""
    if runtime and Path(runtime).is_file():
        return json.loads(Path(runtime).read_text())["constants"]
    return None


def rel(p):
    """A path as the doc shows it: relative to the repository when inside it."""
    try:
        return str(Path(p).resolve().relative_to(ROOT)) if Path(p).is_absolute() else str(p)
    except ValueError:
        return str(p)


def predict(simbench, path, runtime, workdir):
    argv = [simbench, "run", str(path), "--out", str(workdir / "reports"), "--no-charts", "--quiet"]
    if runtime:
        argv += ["--runtime", runtime]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1):
        raise CheckError(f"{shlex.join(argv)} failed (exit {p.returncode}):\n{p.stderr.strip()}")
    name = json.loads(path.read_text())["name"]
    rep = json.loads((workdir / "reports" / name / "report.json").read_text())
    r = rep["results"][0]
    return {"makespan_s": r["makespan_s"], "p50_s": r["latency_s"]["p50"], "p99_s": r["latency_s"]["p99"]}


# ---------------------------------------------------------------- the report


def fmt_s(x):
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.3f} s"


def err(pred, meas):
    return (pred - meas) / meas * 100.0


def describe(w):
    if w["name"] == "downloads":
        return (f"{w['n']} downloads at t0, each a {w['delay_ms']:g} ms server delay and a {w['bytes']}-byte "
                f"body, then a {w['parse_ms']:g} ms CPU parse; threads: ThreadPoolExecutor({w['workers']}); "
                f"asyncio: asyncio.gather, a connection per task")
    if w["name"] == "scraper":
        return (f"{w['n']} pages at t0, server delays uniform {w['min_ms']:g}-{w['max_ms']:g} ms "
                f"(random.Random({w['seed']})), {w['bytes']}-byte bodies, at most {w['connections']} "
                f"connections, a {w['parse_ms']:g} ms CPU parse per page; threads: "
                f"ThreadPoolExecutor({w['connections']}); asyncio: Semaphore({w['connections']}) around a "
                f"connection pool")
    return (f"{w['n'] - 1} tasks sleep {w['sleep_ms']:g} ms, one more calls time.sleep({w['block_ms'] / 1e3:g}); "
            f"threads: ThreadPoolExecutor({w['workers']}); asyncio: the sleepers await asyncio.sleep, the "
            f"blocker stalls the loop")


def write_doc(doc, ctx):
    L = []
    add = L.append
    ideal = ctx["runtime"] is None
    add("# Fidelity: simbench's predictions against real Python programs")
    add("")
    add(f"Generated by `{ctx['command']}` on {ctx['date']}; do not edit by hand, run the script again.")
    add("")
    if ideal:
        add("> **Draft made with the ideal model** (no runtime overheads: task creation, loop steps, timer "
            "slack, thread start and GIL hand-offs cost nothing). The measured per-request costs below are "
            "in the scenarios either way; a `cpython` runtime profile from `simbench calibrate` adds the "
            "interpreter's own overheads.")
        add("")
    add(f"Runtime model: {ctx['runtime_desc']}. Repeats per program and style: {ctx['reps']} (medians "
        f"below); the whole check took {ctx['elapsed']:.0f} s.{' Quick mode: fewer tasks and repeats; a smoke test, not the check.' if ctx['quick'] else ''}")
    add("")
    if ctx.get("constants"):
        add("The profile's constants (docs/scenario.md, runtime profiles):")
        add("")
        add("| " + " | ".join(ctx["constants"]) + " |")
        add("|" + " ---: |" * len(ctx["constants"]))
        add("| " + " | ".join(str(v) for v in ctx["constants"].values()) + " |")
        add("")
    add("## Machine")
    add("")
    add("| cores | CPU | Python | OS | simbench | load average at start | at end |")
    add("| --- | --- | --- | --- | --- | --- | --- |")
    m = ctx["machine"]
    add(f"| {m['cores']} | {m['cpu']} | {m['python']} | {m['os']} | {m['simbench']} | {m['load_start']} | "
        f"{ctx['load_end']} |")
    add("")
    add("## Results")
    add("")
    add(f"Error = (predicted − measured) / measured. A row passes when the makespan is within "
        f"{MAKESPAN_BOUND:g} % and the p99 within {P99_BOUND:g} %; p50 is shown, not judged.")
    for w in ctx["workloads"]:
        add("")
        add(f"### {w['name']}")
        add("")
        add(describe(w) + ".")
        add("")
        add("| style | simbench strategy | makespan measured | predicted | error | p50 measured | predicted | "
            "error | p99 measured | predicted | error | makespan over the runs | verdict |")
        add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
        for row in ctx["rows"][w["name"]]:
            me, pr = row["measured"], row["predicted"]
            e_m, e_50, e_99 = (err(pr[k], me[k]) for k in ("makespan_s", "p50_s", "p99_s"))
            spread = f"{fmt_s(min(row['makespans']))} – {fmt_s(max(row['makespans']))}"
            add(f"| {row['style']} | {row['strategy']} | {fmt_s(me['makespan_s'])} | {fmt_s(pr['makespan_s'])} | "
                f"{e_m:+.1f} % | {fmt_s(me['p50_s'])} | {fmt_s(pr['p50_s'])} | {e_50:+.1f} % | "
                f"{fmt_s(me['p99_s'])} | {fmt_s(pr['p99_s'])} | {e_99:+.1f} % | {spread} | "
                f"{'PASS' if row['pass'] else '**FAIL**'} |")
    add("")
    fails = sum(not r["pass"] for rows in ctx["rows"].values() for r in rows)
    total = sum(len(rows) for rows in ctx["rows"].values())
    add(f"**{total - fails} of {total} rows pass.**")
    add("")
    add("## Costs measured before the runs")
    add("")
    add("`examples/python/probe.py` measured each style (means, ms; CPU by `time.thread_time`, so a "
        "busy neighbour does not count as CPU; see its docstring). The scenarios in `target/fidelity/scenarios/` "
        "use them as they are: `cpu` steps for the CPU (the parse at its CPU time), and the extra I/O added to each "
        "request's server delay. A parse whose wall time exceeds its CPU time was slowed by other processes on "
        "the machine: that time is not the program's work, so the scenarios leave it out (a wall-time mean "
        "would carry whatever burst of load the probe happened to meet); on a quiet machine the two agree.")
    add("")
    parse_keys = sorted({k for p in ctx["probes"].values() for k in p["parse_ms"]}, key=float)
    add("| style | send CPU | receive CPU | extra I/O per request | connect CPU | connect I/O | "
        + " | ".join(f"parse of {float(k):g} ms: wall (CPU)" for k in parse_keys) + " |")
    add("| --- |" + " ---: |" * (5 + len(parse_keys)))
    for style in STYLES:
        p = ctx["probes"][style]
        add(f"| {style} | {p['send_cpu_ms']:.3f} | {p['recv_cpu_ms']:.3f} | {p['io_extra_ms']:.3f} | "
            f"{p['connect_cpu_ms']:.3f} | {p['connect_io_ms']:.3f} | "
            + " | ".join(f"{p['parse_ms'][k]:.3f} ({p['parse_cpu_ms'][k]:.3f})" for k in parse_keys) + " |")
    add("")
    add(f"The parse loop ran {ctx['spin_per_ms']:.0f} iterations per ms (`common.measure_spin_per_ms`: the "
        "median of 7 timed runs of 200 000 iterations, by the thread's CPU clock), passed to every program as "
        "`--spin-per-ms` so that all of them do the same work.")
    s = ctx["server_stats"]
    if s.get("count"):
        add("")
        add(f"The server's injected delays were late by {s['mean_ms']:.2f} ms on average (p50 "
            f"{s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, max {s['max_ms']:.2f} ms) over the "
            f"{s['count']} delayed answers of the measured runs: one `asyncio.sleep` to the deadline, whose "
            "epoll timeout asyncio rounds up to the millisecond. The probe's extra I/O includes this "
            "overshoot, so the scenarios do too.")
    add("")
    add("## How to read this, and known sources of error")
    add("")
    add("- *Measured* is the median over the repeats of each program's own figures: latency is a task's "
        "finish time minus t0, taken just before the first task is created (after interpreter start-up, "
        "imports and the parse loop's calibration), since every task arrives at t0; p50 and p99 are nearest-"
        "rank percentiles of the n latencies. *Predicted* is simbench's report.json for the matching "
        "scenario: one strategy per style, sequential = `blocking`, ThreadPoolExecutor(W) = `threaded "
        "{workers: W}` (with the GIL), asyncio = `cooperative` (with a pool `limit` for the scraper's "
        "semaphore); its percentiles come from an HdrHistogram (3 significant digits).")
    add("- The scenarios hold no tuned number: the delays are the programs' own, and every other duration "
        "was measured by the probe in the same run, before the programs ran.")
    add("- How the scenarios mirror the programs: every task arrives at t = 0 (`batch`); a task's program "
        "is [connect (`cpu` + `io`), only for the first task on each connection] + `cpu` send + `io` (the "
        "server delay + the extra I/O) + `cpu` receive + `cpu` parse; the asyncio scraper wraps send, delay "
        "and receive in a `limit` on a pool of C connections, as its semaphore does. Tasks with the same "
        "steps share a class, in task order; the scraper's pages each get their own class, so page i has "
        "the same delay in the scenario as in the program (`scraper.page_delays`) and no sampling noise "
        "separates them.")
    add("- The probe measures one request at a time. Under concurrency, costs change: the loop's epoll "
        "handles many sockets per wake-up (cheaper per request), threads contend for the GIL and pay "
        "wake-ups and context switches (dearer), ThreadPoolExecutor starts its threads one by one, and the "
        "server shares the machine's 2 cores with the client. The ideal model leaves these out; a runtime "
        "profile (`simbench calibrate`) adds the interpreter's part. The asyncio probe's CPU spans include "
        "the task's creation and the loop's steps, so a profile's task-creation and loop-step costs count "
        "them a second time: a few µs per request beside the ~0.3 ms measured.")
    add("- The server answers on one event loop: when many delays end together (asyncio downloads: all "
        "of them), it writes the answers one after another, so the last leave later than the probe's "
        "one-at-a-time figure says; the overshoot during the runs (above) shows how much. simbench's "
        "scenarios model the server as pure delay.")
    add("- Timer slack: `time.sleep` and `asyncio.sleep` wake a fraction of a millisecond late (about 0.17 "
        "and 0.29 ms in ../shared/calibration/README.md). The blocking pitfall's sequential run sleeps 100 "
        "times, so it runs about 20-30 ms longer than the ideal model's figure; the `cpython` profile "
        "models this slack.")
    add("- Noise: the machine is shared (see the load averages), so wall times of CPU work stretch when "
        "other processes run; compare the spread of the makespans over the runs with the error before "
        "reading much into a small difference. p99 of a few dozen tasks is nearly the maximum and is the "
        "noisiest figure.")
    add("- The p50 of asyncio downloads and of the pitfall's threads sits where many tasks end within a "
        "millisecond or two of each other, so a small shift moves it a lot relative to its size.")
    add("")
    add("## Reproduce")
    add("")
    add("```sh")
    add("scripts/fidelity.sh            # full: about 3-5 minutes")
    add("scripts/fidelity.sh --quick    # smoke run: fewer tasks, one repeat")
    add("scripts/fidelity.sh --runtime ideal    # or cpython, or a profile FILE; default: calibrate if available")
    add("```")
    add("")
    add("Scenarios, reports and the runs' raw JSON lines are left in `target/fidelity/`.")
    doc.write_text("\n".join(L) + "\n")


# ---------------------------------------------------------------- main


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simbench", default=str(ROOT / "target" / "release" / "simbench"))
    ap.add_argument("--python", default=sys.executable, help="the Python that runs the programs")
    ap.add_argument("--quick", action="store_true", help="fewer tasks, one repeat: a smoke run")
    ap.add_argument("--reps", type=int, default=None, help="runs of each program and style (default 3; quick 1)")
    ap.add_argument("--runtime", default="auto", help="auto (default), ideal, cpython or a profile FILE")
    ap.add_argument("--doc", default=str(ROOT / "docs" / "fidelity.md"))
    ap.add_argument("--workdir", default=str(ROOT / "target" / "fidelity"))
    ap.add_argument("--command", default=None, help="the command line to quote in the doc")
    a = ap.parse_args()
    started = time.monotonic()
    reps = a.reps or (1 if a.quick else 3)
    workdir = Path(a.workdir)
    (workdir / "scenarios").mkdir(parents=True, exist_ok=True)
    ws = workloads(a.quick)
    cores = os.cpu_count() or 1
    version = subprocess.run([a.simbench, "--version"], capture_output=True, text=True).stdout.strip()
    machine = dict(cores=cores, cpu=platform.machine(), os=f"{platform.system()} {platform.release()}",
                   python=subprocess.run([a.python, "--version"], capture_output=True, text=True).stdout.strip(),
                   simbench=version or "?", load_start=loadavg())
    print(f"fidelity: {cores} cores, {machine['python']}, load {machine['load_start']}", file=sys.stderr)

    runtime, runtime_desc = simbench_runtime(a.simbench, a.runtime, a.quick, a.python, workdir)
    print(f"fidelity: runtime model: {runtime_desc}", file=sys.stderr)

    server = Server(a.python)
    try:
        parse_args = [x for ms in sorted({w["parse_ms"] for w in ws if "parse_ms" in w})
                      for x in ("--parse-ms", str(ms))]
        probe_argv = [a.python, str(EX / "probe.py"), "--port", str(server.port), "--bytes", "20000",
                      "--k", "40" if a.quick else "150", *parse_args]
        probes = {}
        first = run_json(probe_argv + ["--style", "sequential"], 120, "probe.py --style sequential")
        spin_per_ms = first["spin_per_ms"]
        for style in STYLES:
            probes[style] = first if style == "sequential" else run_json(
                probe_argv + ["--style", style, "--spin-per-ms", repr(spin_per_ms)], 120, f"probe.py --style {style}")
        print(f"fidelity: probed; parse loop {spin_per_ms:.0f} iterations/ms", file=sys.stderr)

        predicted = {}
        for w in ws:
            for style in STYLES:
                path = workdir / "scenarios" / f"{w['name']}-{style}.json"
                path.write_text(json.dumps(scenario(w, style, probes[style], cores), indent=1) + "\n")
                predicted[w["name"], style] = predict(a.simbench, path, runtime, workdir)

        server.stats(reset=True)
        runs = {}
        with open(workdir / "runs.jsonl", "w") as raw:
            for rep in range(reps):
                for w in ws:
                    for style in STYLES:
                        argv = program_argv(a.python, w, style, server.port, spin_per_ms)
                        out = run_json(argv, 180, f"{w['name']} --style {style}")
                        if out.get("n") != w["n"]:
                            raise CheckError(f"{shlex.join(argv)} reported n={out.get('n')}, expected {w['n']}")
                        raw.write(json.dumps(out) + "\n")
                        runs.setdefault((w["name"], style), []).append(out)
                        print(f"fidelity: rep {rep + 1}/{reps} {w['name']:17} {style:10} makespan "
                              f"{out['makespan_s']:.3f} s (predicted {predicted[w['name'], style]['makespan_s']:.3f})",
                              file=sys.stderr)
        server_stats = server.stats()
    finally:
        server.stop()

    rows = {}
    ok = True
    for w in ws:
        for style in STYLES:
            outs = runs[w["name"], style]
            meas = {k: statistics.median(o[k] for o in outs) for k in ("makespan_s", "p50_s", "p99_s")}
            pred = predicted[w["name"], style]
            passed = (abs(err(pred["makespan_s"], meas["makespan_s"])) <= MAKESPAN_BOUND
                      and abs(err(pred["p99_s"], meas["p99_s"])) <= P99_BOUND)
            ok &= passed
            strat = strategy(style, w)
            kind = next(iter(strat))
            settings = {k: v for k, v in strat[kind].items() if k != "label"}
            rows.setdefault(w["name"], []).append(dict(
                style=style, strategy=f"`{kind}`" + (f" {json.dumps(settings)}" if settings else ""),
                measured=meas, predicted=pred, makespans=[o["makespan_s"] for o in outs], **{"pass": passed}))

    command = (a.command or "scripts/fidelity.py " + shlex.join(sys.argv[1:])).strip()
    write_doc(Path(a.doc), dict(
        command=command, date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        runtime=runtime, runtime_desc=runtime_desc, constants=profile_constants(runtime), reps=reps,
        quick=a.quick, machine=machine,
        load_end=loadavg(), workloads=ws, rows=rows, probes=probes, spin_per_ms=spin_per_ms,
        server_stats=server_stats, elapsed=time.monotonic() - started))
    print(f"fidelity: wrote {a.doc}: {'every row passes' if ok else 'some rows FAIL'}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckError as e:
        print(f"fidelity: error: {e}", file=sys.stderr)
        sys.exit(2)
