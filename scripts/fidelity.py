#!/usr/bin/env python3
"""The fidelity check: simbench's predictions against real Python programs (issue 9, item 5).

Called by scripts/fidelity.sh, which builds simbench first:

    scripts/fidelity.py --simbench target/release/simbench [--quick] [--reps R]
                        [--runtime auto|ideal|cpython|FILE] [--doc docs/fidelity.md]
                        [--workloads LIST | --only LIST] [--programs-only]

--workloads (or --only) picks the workloads: comma-separated names among downloads, scraper,
blocking-pitfall, pipeline, crawler, hedged, hedged-off, convoy-1, convoy-3, convoy-7, pool-1,
pool-2, pool-tiny, api, api-busy, api-overloaded, scraper-wide, or `default` (the first three,
the default),
`new` (pipeline, crawler, hedged, hedged-off), `convoy` (the GIL convoy with 1, 3 and 7 spinner
threads: threads rows only, see convoy_scenario), `pool` (a multiprocessing.Pool of CPU or tiny
tasks: processes rows only, see pool_scenario), `api` (an open-loop API server: threads and asyncio,
see api_scenario), `wide` (scraper-wide: 400 pages on 48 threads or connections, threads and
asyncio) or `all`. The
scenarios of the new four and of the convoy use the scenario language's round 2 (issue 16:
queues, try/retry/repeat, sequences, detached spawns, gather until/rest/mode/threads, timeout
on_expiry); until simbench parses it, `simbench run` rejects them (exit status 2 here), so
`--programs-only` writes the scenarios and runs the programs without simbench and without the
doc: a smoke run of the programs, e.g.

    scripts/fidelity.py --quick --programs-only --workloads new

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
   misses the bounds: makespan within 5 %, p99 within 10 % (issues 16 and 20).

A program or server that fails, hangs (timeout) or prints a malformed line
stops the check with exit status 2 and the program's stderr.
"""

import argparse
import datetime
import json
import math
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
from pipeline import fetch_delays  # noqa: E402
from crawler import site_plans  # noqa: E402
from hedged import request_delays  # noqa: E402
from api import gaps as api_gaps  # noqa: E402

STYLES = ["sequential", "threads", "asyncio"]
MAKESPAN_BOUND = 5.0
P99_BOUND = 10.0


class CheckError(Exception):
    pass


# The workloads `--workloads` can name. The default set is the first three: the scenarios of the
# others use the scenario language's round 2 (issue 16: queues, try, retry, repeat, sequence,
# detached spawn, gather until/rest/mode/threads, timeout on_expiry), which simbench parses only
# once that lands; until then `simbench run` rejects them.
DEFAULT_WORKLOADS = ["downloads", "scraper", "blocking-pitfall"]
NEW_WORKLOADS = ["pipeline", "crawler", "hedged", "hedged-off"]
# The GIL convoy (examples/python/convoy.py): a thread back from time.sleep retakes the GIL from K
# spinner threads. Threads only: the program has no sequential or asyncio form (see its docstring).
CONVOY_WORKLOADS = ["convoy-1", "convoy-3", "convoy-7"]
# A process pool (examples/python/pool.py): multiprocessing.Pool(P).imap_unordered over N CPU tasks
# (pool-1, pool-2) or tiny ones (pool-tiny); processes only (R-PROCESS-POOL).
POOL_WORKLOADS = ["pool-1", "pool-2", "pool-tiny"]
# An open-loop API server (examples/python/api.py): Poisson arrivals made by a producer, each request
# a sleep, a CPU step and a sleep; a right-sized pool and a busy one (threads and asyncio), and an
# overloaded pool (threads only: asyncio has no pool to overload).
API_WORKLOADS = ["api", "api-busy", "api-overloaded"]
# A wide crawl (examples/python/scraper.py): a few hundred pages on dozens of threads or connections,
# where the GIL's hand-overs among many threads decide the threads' tail. Threads and asyncio: one
# thread would take 40 s.
WIDE_WORKLOADS = ["scraper-wide"]
ALL_WORKLOADS = DEFAULT_WORKLOADS + NEW_WORKLOADS + CONVOY_WORKLOADS + POOL_WORKLOADS + API_WORKLOADS + WIDE_WORKLOADS


def is_convoy(w):
    """Whether `w` is a GIL convoy workload (convoy-K: K spinner threads)."""
    return w["name"].startswith("convoy")


def is_pool(w):
    """Whether `w` is a process pool workload (pool-*)."""
    return w["name"].startswith("pool")


def is_api(w):
    """Whether `w` is an open-loop API server workload (api*)."""
    return w["name"].startswith("api")


def styles_of(w):
    """The styles workload `w` runs in (and has rows for): the convoy has threads only, a pool
    processes only, the API server threads and asyncio (its overloaded pool threads only)."""
    if is_api(w):
        return ["threads"] if w["name"] == "api-overloaded" else ["threads", "asyncio"]
    if w["name"] in WIDE_WORKLOADS:
        return ["threads", "asyncio"]
    return ["threads"] if is_convoy(w) else ["processes"] if is_pool(w) else STYLES


def workloads(quick, names=None):
    """Each workload's parameters: the programs' options and what the scenarios need.

    `names`: the workloads to keep, in ALL_WORKLOADS order (default: DEFAULT_WORKLOADS)."""
    if quick:
        ws = [
            dict(name="downloads", n=10, workers=4, delay_ms=200.0, parse_ms=2.0, bytes=20000),
            dict(name="scraper", n=40, connections=5, min_ms=50.0, max_ms=150.0, seed=7, parse_ms=3.0,
                 bytes=20000),
            dict(name="blocking-pitfall", n=20, workers=20, sleep_ms=100.0, block_ms=500.0),
            dict(name="pipeline", n=30, fetchers=4, parsers=2, jobs_capacity=4, results_capacity=4, min_ms=20.0,
                 max_ms=60.0, seed=11, parse_ms=8.0, write_ms=2.0, bytes=20000),
            dict(name="crawler", n=3, workers=3, seed=5, min_pages=1, max_pages=3, page_min_ms=30.0,
                 page_max_ms=90.0, link_min_ms=10.0, link_max_ms=40.0, links=3, down=[1], attempts=3,
                 backoff_ms=20.0, multiplier=2.0, mirror_ms=15.0, log_ms=200.0, parse_ms=1.0, bytes=20000),
            dict(name="hedged", n=2, requests=20, median_ms=20.0, p99_ms=400.0, seed=13, hedge_ms=50.0, hedge=True,
                 workers=8, bytes=20000),
            dict(name="hedged-off", n=2, requests=20, median_ms=20.0, p99_ms=400.0, seed=13, hedge_ms=50.0,
                 hedge=False, workers=8, bytes=20000),
            dict(name="convoy-1", spinners=1, rounds=50, sleep_ms=10.0, parse_ms=0.5),
            dict(name="convoy-3", spinners=3, rounds=50, sleep_ms=10.0, parse_ms=0.5),
            dict(name="convoy-7", spinners=7, rounds=20, sleep_ms=10.0, parse_ms=0.5),
            dict(name="pool-1", workers=1, n=50, parse_ms=2.0),
            dict(name="pool-2", workers=2, n=50, parse_ms=2.0),
            dict(name="pool-tiny", workers=2, n=500, parse_ms=0.0),
            dict(name="api", n=100, rate=100.0, seed=3, workers=16, call1_ms=10.0, parse_ms=3.0, call2_ms=5.0),
            dict(name="api-busy", n=150, rate=250.0, seed=5, workers=16, call1_ms=10.0, parse_ms=3.0,
                 call2_ms=5.0),
            dict(name="api-overloaded", n=75, rate=150.0, seed=7, workers=2, call1_ms=10.0, parse_ms=3.0,
                 call2_ms=5.0),
            dict(name="scraper-wide", n=100, connections=24, min_ms=50.0, max_ms=150.0, seed=17, parse_ms=1.0,
                 bytes=20000),
        ]
    else:
        ws = [
            dict(name="downloads", n=40, workers=8, delay_ms=200.0, parse_ms=2.0, bytes=20000),
            dict(name="scraper", n=200, connections=10, min_ms=50.0, max_ms=150.0, seed=7, parse_ms=3.0,
                 bytes=20000),
            dict(name="blocking-pitfall", n=100, workers=100, sleep_ms=100.0, block_ms=1000.0),
            dict(name="pipeline", n=80, fetchers=8, parsers=2, jobs_capacity=4, results_capacity=4, min_ms=20.0,
                 max_ms=60.0, seed=11, parse_ms=8.0, write_ms=2.0, bytes=20000),
            dict(name="crawler", n=4, workers=4, seed=5, min_pages=2, max_pages=6, page_min_ms=30.0,
                 page_max_ms=90.0, link_min_ms=10.0, link_max_ms=40.0, links=3, down=[1], attempts=3,
                 backoff_ms=20.0, multiplier=2.0, mirror_ms=15.0, log_ms=200.0, parse_ms=1.0, bytes=20000),
            dict(name="hedged", n=4, requests=40, median_ms=20.0, p99_ms=400.0, seed=13, hedge_ms=50.0, hedge=True,
                 workers=16, bytes=20000),
            dict(name="hedged-off", n=4, requests=40, median_ms=20.0, p99_ms=400.0, seed=13, hedge_ms=50.0,
                 hedge=False, workers=16, bytes=20000),
            # R rounds of D = 10 ms, each then a 0.5 ms CPU step (`parse_ms`: the probe measures its CPU
            # time); about 5 s a run on 2 cores (measured per round: ~16 ms with 1 spinner, ~18 ms mean
            # with 3, ~50 ms mean with 7)
            dict(name="convoy-1", spinners=1, rounds=300, sleep_ms=10.0, parse_ms=0.5),
            dict(name="convoy-3", spinners=3, rounds=300, sleep_ms=10.0, parse_ms=0.5),
            dict(name="convoy-7", spinners=7, rounds=100, sleep_ms=10.0, parse_ms=0.5),
            # N tasks of W ms of the parse loop on P workers: about 0.3-0.4 s a run; tiny tasks set the
            # parent's pace (about 20 us each)
            dict(name="pool-1", workers=1, n=200, parse_ms=2.0),
            dict(name="pool-2", workers=2, n=200, parse_ms=2.0),
            dict(name="pool-tiny", workers=2, n=2000, parse_ms=0.0),
            # N requests at Poisson times of R per second: 10 ms call, 3 ms of CPU, 5 ms call. api: 30 %
            # of the GIL busy, 16 threads (about 4 s a run); api-busy: 75 %; api-overloaded: 2 threads
            # serve about 110 per second, so the queue grows for the whole run (about 2.7 s)
            dict(name="api", n=400, rate=100.0, seed=3, workers=16, call1_ms=10.0, parse_ms=3.0, call2_ms=5.0),
            dict(name="api-busy", n=600, rate=250.0, seed=5, workers=16, call1_ms=10.0, parse_ms=3.0,
                 call2_ms=5.0),
            dict(name="api-overloaded", n=300, rate=150.0, seed=7, workers=2, call1_ms=10.0, parse_ms=3.0,
                 call2_ms=5.0),
            # 400 pages on 48 threads (connections): about 480 pages a second in flight, each 1 ms of
            # CPU, so the GIL is about half busy and 48 threads contend for it (about 1 s a run)
            dict(name="scraper-wide", n=400, connections=48, min_ms=50.0, max_ms=150.0, seed=17, parse_ms=1.0,
                 bytes=20000),
        ]
    names = DEFAULT_WORKLOADS if names is None else names
    unknown = [x for x in names if x not in ALL_WORKLOADS]
    if unknown:
        raise CheckError(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(ALL_WORKLOADS)} or all")
    return [w for w in ws if w["name"] in names]


def parse_workloads(text):
    """--workloads: comma-separated names, `all`, `default` or `new`."""
    names = []
    for x in (t.strip() for t in text.split(",")):
        if x == "all":
            names += ALL_WORKLOADS
        elif x == "default":
            names += DEFAULT_WORKLOADS
        elif x == "new":
            names += NEW_WORKLOADS
        elif x == "convoy":
            names += CONVOY_WORKLOADS
        elif x == "pool":
            names += POOL_WORKLOADS
        elif x == "api":
            names += API_WORKLOADS
        elif x == "wide":
            names += WIDE_WORKLOADS
        elif x:
            names.append(x)
    if not names:
        raise CheckError("--workloads names no workload")
    return names


def expected_n(w, style):
    """The tasks the program reports (and simbench counts): one per item/page/site/request, except the
    pipeline's concurrent styles, where each item is three tasks (its fetch, parse and write: R-QUEUE's
    worker classes record one task per item got)."""
    if w["name"] == "pipeline":
        return w["n"] if style == "sequential" else 3 * w["n"]
    if w["name"] in ("hedged", "hedged-off"):
        return w["n"] * w["requests"]
    if is_convoy(w):  # a task per round; the spinners are no tasks
        return w["rounds"]
    return w["n"]


def program_argv(py, w, style, port, spin_per_ms):
    if w["name"] == "blocking-pitfall":
        return [py, str(EX / "blocking_pitfall.py"), "--style", style, "--n", str(w["n"]), "--workers",
                str(w["workers"]), "--sleep-ms", str(w["sleep_ms"]), "--block-ms", str(w["block_ms"])]
    if is_api(w):
        return [py, str(EX / "api.py"), "--style", style, "--n", str(w["n"]), "--rate", str(w["rate"]), "--seed",
                str(w["seed"]), "--workers", str(w["workers"]), "--call1-ms", str(w["call1_ms"]), "--work-ms",
                str(w["parse_ms"]), "--call2-ms", str(w["call2_ms"]), "--spin-per-ms", repr(spin_per_ms)]
    if is_pool(w):
        return [py, str(EX / "pool.py"), "--style", style, "--workers", str(w["workers"]), "--n", str(w["n"]),
                "--work-ms", str(w["parse_ms"]), "--spin-per-ms", repr(spin_per_ms)]
    if is_convoy(w):
        return [py, str(EX / "convoy.py"), "--style", style, "--spinners", str(w["spinners"]), "--rounds",
                str(w["rounds"]), "--sleep-ms", str(w["sleep_ms"]), "--work-ms", str(w["parse_ms"]),
                "--spin-per-ms", repr(spin_per_ms)]
    if w["name"] in ("hedged", "hedged-off"):
        return [py, str(EX / "hedged.py"), "--style", style, "--port", str(port), "--users", str(w["n"]),
                "--requests", str(w["requests"]), "--median-ms", str(w["median_ms"]), "--p99-ms",
                str(w["p99_ms"]), "--seed", str(w["seed"]), "--hedge-ms", str(w["hedge_ms"]), "--workers",
                str(w["workers"]), "--bytes", str(w["bytes"])] + ([] if w["hedge"] else ["--no-hedge"])
    common = ["--style", style, "--port", str(port), "--n", str(w["n"]), "--bytes", str(w["bytes"]),
              "--parse-ms", str(w["parse_ms"]), "--spin-per-ms", repr(spin_per_ms)]
    if w["name"] == "downloads":
        return [py, str(EX / "downloads.py"), *common, "--workers", str(w["workers"]), "--delay-ms",
                str(w["delay_ms"])]
    if w["name"] == "pipeline":
        return [py, str(EX / "pipeline.py"), *common, "--fetchers", str(w["fetchers"]), "--parsers",
                str(w["parsers"]), "--jobs-capacity", str(w["jobs_capacity"]), "--results-capacity",
                str(w["results_capacity"]), "--min-ms", str(w["min_ms"]), "--max-ms", str(w["max_ms"]), "--seed",
                str(w["seed"]), "--write-ms", str(w["write_ms"])]
    if w["name"] == "crawler":
        opts = []
        for key in ("workers", "seed", "min_pages", "max_pages", "page_min_ms", "page_max_ms", "link_min_ms",
                    "link_max_ms", "links", "attempts", "backoff_ms", "multiplier", "mirror_ms", "log_ms"):
            opts += ["--" + key.replace("_", "-"), str(w[key])]
        return [py, str(EX / "crawler.py"), *common, *opts, "--down", ",".join(map(str, w["down"]))]
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


def fetch_program(probe, w, delay_ms, cold, limit):  # (downloads, scraper)
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
    if style == "processes":
        return {"processes": {"workers": w["workers"], "strategy": "blocking", "label": "processes"}}
    if style == "sequential":
        return {"blocking": {"label": "sequential"}}
    if style == "threads":
        if w["name"] == "pipeline":  # the fetchers' pool, plus a thread per parser and the writer's
            workers = w["fetchers"] + w["parsers"] + 1
        elif is_convoy(w):  # ThreadPoolExecutor(K + 1): the spinners and the sleeper
            workers = w["spinners"] + 1
        else:
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
    if w["name"] in NEW_SCENARIOS or is_convoy(w) or is_pool(w) or is_api(w):
        build = NEW_SCENARIOS.get(w["name"], pool_scenario if is_pool(w) else api_scenario if is_api(w)
                                  else convoy_scenario)
        build(sc, w, style, probe)
        return sc
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


# ------------------------------------------------ scenarios in the language's round 2 (issue 16)
#
# The programs open their connections before t0, so no step below pays a connect. A request is
# `request(...)`: the send's CPU, the server's delay plus the probe's extra I/O, the receive's CPU,
# the probe's figures for the program's style. A per-task list of delays (item i, site k, request i)
# is an `{"sequence": [...]}`: task k of its class takes value k, as the program's own list does.


def dur(probe, delays_ms):
    """The `io` of a request whose server delay is delays_ms (one value, or one per task of the class)."""
    vals = [ns(d + probe["io_extra_ms"]) for d in delays_ms]
    return vals[0] if len(set(vals)) == 1 else {"sequence": vals}


def request(probe, delays_ms, label):
    return [{"cpu": ns(probe["send_cpu_ms"]), "label": f"{label}: send"},
            {"io": dur(probe, delays_ms), "label": label},
            {"cpu": ns(probe["recv_cpu_ms"]), "label": f"{label}: receive"}]


def parse_step(probe, w):
    return {"cpu": ns(probe["parse_cpu_ms"][str(w["parse_ms"])]), "label": "parse"}


def pipeline_scenario(sc, w, style, probe):
    """sequential: one class, an item per task: fetch, parse, write (the program's loop). threads and
    asyncio: the queues `jobs` and `results` with the program's capacities; the parsers and the writer
    are worker classes (declared first, as the program starts them first), the fetches a batch of N
    that puts into `jobs`; asyncio holds each fetch in a `limit` on a pool of F connections (its
    semaphore), threads get F threads for the fetches from `threaded {workers: F + P + 1}`."""
    fetch = request(probe, fetch_delays(w["n"], w["seed"], w["min_ms"], w["max_ms"]), "fetch")
    write = request(probe, [w["write_ms"]], "write")
    if style == "sequential":
        sc["classes"]["item"] = {"arrivals": {"batch": {"count": w["n"]}},
                                 "program": fetch + [parse_step(probe, w)] + write}
        return
    sc["queues"] = {"jobs": {"capacity": w["jobs_capacity"]}, "results": {"capacity": w["results_capacity"]}}
    if style == "asyncio":
        sc["pools"] = {"connections": w["fetchers"]}
        fetch = [{"limit": {"pool": "connections", "program": fetch}}]
    sc["classes"]["parse"] = {"arrivals": {"workers": w["parsers"]},
                              "program": [{"get": "jobs"}, parse_step(probe, w), {"put": "results"}]}
    sc["classes"]["write"] = {"arrivals": {"workers": 1}, "program": [{"get": "results"}] + write}
    sc["classes"]["fetch"] = {"arrivals": {"batch": {"count": w["n"]}}, "program": fetch + [{"put": "jobs"}]}


def crawler_scenario(sc, w, style, probe):
    """One class, a site per task (batch S): a `repeat` of its pages (`times`: the sites' page counts
    as a sequence), each page a `try` around a `retry` of the page request whose last step, a
    zero-length `io` failing for the down sites (a `fail` sequence of 0/1: raise_for_status after the
    503 was read), makes every attempt of a down site fail; `except` fetches the mirror; then the
    parse and a `gather` of the links (mode `gather`: asyncio.gather; threads: inline, one after
    another, as the program's loop); after the pages a detached `spawn` of the log (threads: submitted
    to the pool), or, sequential, the log's request inline as the program makes it."""
    plans = site_plans(w["n"], w["seed"], w["min_pages"], w["max_pages"], w["page_min_ms"], w["page_max_ms"],
                       w["link_min_ms"], w["link_max_ms"])
    fail = [1 if k in w["down"] else 0 for k in range(w["n"])]
    page = request(probe, [p["page_ms"] for p in plans], "page")
    page.append({"io": "0", "fail": {"sequence": fail} if len(set(fail)) > 1 else fail[0],
                 "label": "raise_for_status"})
    retry = {"retry": page, "attempts": w["attempts"], "backoff": ns(w["backoff_ms"]),
             "multiplier": w["multiplier"], "jitter": "none", "on": ["failed"]}
    fallback = {"try": [retry], "except": request(probe, [w["mirror_ms"]], "mirror"), "on": ["failed"]}
    links = {"gather": [{"copies": w["links"], "program": request(probe, [p["link_ms"] for p in plans], "link")}],
             "mode": "gather"}
    pages = [p["pages"] for p in plans]
    body = [fallback, parse_step(probe, w), links]
    prog = [{"repeat": body, "times": {"sequence": pages} if len(set(pages)) > 1 else pages[0], "label": "pages"}]
    log = request(probe, [w["log_ms"]], "log")
    if style == "sequential":
        prog += log  # the program calls it inline
    else:
        spawn = {"spawn": {"name": "log", "program": log, "detached": True}}
        if style == "threads":
            spawn["threads"] = "pool"
        prog.append(spawn)
    sc["classes"]["site"] = {"arrivals": {"batch": {"count": w["n"]}}, "program": prog}


def hedged_scenario(sc, w, style, probe):
    """A class per client (a closed loop of one user, R requests, no think time; sequential: one
    client making all U x R), each request's copies' delays as sequences in the program's order.
    asyncio and threads: a `hedge` with a program per copy (R-HEDGE-COPIES, each copy's delays its own
    sequence), the second `after` H: the program's asyncio.wait(timeout=H), then a second copy and
    FIRST_COMPLETED (a first copy answering before H means no second copy is sent); threads submit the
    copies to the pool (`threads: pool`, the program's pool.submit; the loser is abandoned). sequential: a `try` around a `timeout` (`on_expiry: abort`, the socket timeout) of the
    first copy's wait, whose `except` sends the second copy. --no-hedge: the first copy only."""
    delays = request_delays(w["n"] * w["requests"], w["seed"], w["median_ms"], w["p99_ms"])
    clients = [delays] if style == "sequential" else [
        delays[u * w["requests"]:(u + 1) * w["requests"]] for u in range(w["n"])]
    for u, ds in enumerate(clients):
        first = request(probe, [d0 for d0, _ in ds], "first copy")
        second = request(probe, [d1 for _, d1 in ds], "second copy")
        if not w["hedge"]:
            prog = first
        elif style == "sequential":
            prog = [first[0], {"try": [{"timeout": {"after": ns(w["hedge_ms"]), "program": first[1:],
                                                    "on_expiry": "abort"}, "label": "settimeout(H)"}],
                               "except": second, "on": ["timeout"]}]
        else:
            g = {"hedge": [first, second], "after": ns(w["hedge_ms"]), "label": "hedge"}
            if style == "threads":
                g["threads"] = "pool"
            prog = [g]
        name = "client" if style == "sequential" else f"client{u}"
        sc["classes"][name] = {"arrivals": {"closed": {"users": 1, "count": len(ds)}}, "program": prog}


def convoy_spin_s(w):
    """How long each spinner's `cpu` step lasts in the scenario, in whole seconds: far longer than the
    sleeper can take under any GIL model (20 times R rounds of D + W + a switch interval per spinner),
    so the spinners spin for the sleeper's whole life; `check_convoy` refuses a prediction that
    reaches it."""
    per_round_ms = w["sleep_ms"] + w["parse_ms"] + 5.0 * w["spinners"]
    return max(60, math.ceil(20 * w["rounds"] * per_round_ms / 1000))


def convoy_scenario(sc, w, style, probe):
    """The GIL convoy (threads only). One class `round`, a closed loop of one user and R tasks with
    no think time: each task is one of the sleeper's rounds, `sleep` D (time.sleep on a thread: the
    runtime's thread timer slack) then the CPU step W (`cpu`, the probe's CPU time of W ms of the
    parse loop in the threads style), which needs the GIL back; the next round arrives as the
    previous ends, so the class's latencies are the program's and the makespan (t = 0 to the last
    round's end) is the program's (first round's start to last round's end).

    The K spinners are detached spawns submitted to the pool (`threads: pool`, the program's
    pool.submit(spinner)) by round 0 only (a `repeat` whose `times` is the sequence [1, 0, 0, ...]),
    each one long `cpu` step (convoy_spin_s). Detached, they are not tasks: they enter no latency,
    no n, and not the makespan, which ends at the last root task's end (R-SPAWN-DETACHED-MAKESPAN,
    R-THREADS-SUBMIT-SPAWN) as the program's stop flag ends them then. Their CPU contends for the
    GIL with the sleeper from round 0's start to the last round's end, and on after it, where no
    figure looks (R-CPU-UTILIZATION counts only the makespan's part).
    `threaded {workers: K + 1}`: round 0's worker and the K spinners' (each round then takes the
    worker the previous one freed). The program starts its spinners before t0 (a barrier and 50 ms),
    the scenario at round 0's start: K thread starts (tens of µs each) later, within round 0's sleep.
    """
    r, k = w["rounds"], w["spinners"]
    spin = [{"cpu": f"{convoy_spin_s(w)}s", "label": "spin: while not stop: x += 1"}]
    spawns = [{"spawn": {"name": f"spinner {i}", "detached": True, "program": spin}, "threads": "pool",
               "label": f"pool.submit(spinner) {i}"} for i in range(k)]
    prog = []
    if k:
        prog.append({"repeat": spawns, "times": {"sequence": [1] + [0] * (r - 1)} if r > 1 else 1,
                     "label": "start the spinners (round 0 only)"})
    prog += [{"sleep": ns(w["sleep_ms"]), "label": "time.sleep"}, dict(parse_step(probe, w), label="CPU step")]
    sc["classes"]["round"] = {"arrivals": {"closed": {"users": 1, "count": r}}, "program": prog}


def pool_scenario(sc, w, style, probe):
    """A process pool (processes only): N tasks at t = 0, each the parse step (the sequential probe's CPU
    time of W ms of the parse loop: a worker runs its task as sequential code), under `processes
    {workers: P, strategy: blocking}`; the runtime profile's pool_start, process_start and
    process_dispatch (R-PROCESS-POOL) stand for Pool(P)'s start and its parent handing out the tasks.
    Tiny tasks (W = 0) are a `cpu` of 0: the call itself costs the worker next to nothing."""
    step = parse_step(probe, w) if w["parse_ms"] else {"cpu": "0ns", "label": "noop"}
    sc["classes"]["task"] = {"arrivals": {"batch": {"count": w["n"]}}, "program": [dict(step, label="task")]}


def api_scenario(sc, w, style, probe):
    """The open-loop API server (threads: `threaded {workers: W}`, asyncio: `cooperative`). One class
    `request`, `interval` arrivals whose `every` is the program's own list of gaps (api.gaps, replayed as
    a `sequence`: request k arrives at the sum of the first k gaps, request 0 at t = 0), N of them; each
    request a `sleep` C1 (time.sleep on a worker thread, asyncio.sleep in a coroutine: the runtime's
    thread or loop timer slack), the CPU step (the probe's CPU time of W ms of the parse loop, in the
    program's style) and a `sleep` C2. The producer that makes the arrivals (the program's main thread
    or producer coroutine) is the runtime profile's (R-PRODUCER); latency runs from the scheduled
    arrival on both sides."""
    every = {"sequence": [ns(g * 1e3) for g in api_gaps(w["n"], w["rate"], w["seed"])]}
    sc["classes"]["request"] = {
        "arrivals": {"interval": {"every": every, "count": w["n"]}},
        "program": [{"sleep": ns(w["call1_ms"]), "label": "upstream call 1"}, dict(parse_step(probe, w), label="handle"),
                    {"sleep": ns(w["call2_ms"]), "label": "upstream call 2"}]}


def check_convoy(w, pred):
    """A convoy prediction must end before the spinners' CPU runs out, or they stopped contending early."""
    if is_convoy(w) and pred["makespan_s"] >= convoy_spin_s(w):
        raise CheckError(f"{w['name']}: the predicted makespan {pred['makespan_s']:.3f} s reaches the spinners' "
                         f"{convoy_spin_s(w)} s of CPU: raise convoy_spin_s")


NEW_SCENARIOS = {"pipeline": pipeline_scenario, "crawler": crawler_scenario, "hedged": hedged_scenario,
                 "hedged-off": hedged_scenario}  # and convoy_scenario for every convoy-K (is_convoy)


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


def run_probe(probe, w, out):
    """The probe's figures with the parse's CPU as run `out` measured it (common.WORK_CPU_S): the
    program's work is a fixed number of loop iterations, and a VM's CPU speed drifts between the probe
    and the runs (docs/fidelity.md, How to read), so each run is predicted from its own work's cost.
    The scheduling, what simbench models, is then what the comparison judges."""
    if not w.get("parse_ms") or "work_cpu_mean_s" not in out:
        return probe
    key = str(w["parse_ms"])
    return {**probe, "parse_cpu_ms": {**probe["parse_cpu_ms"], key: out["work_cpu_mean_s"] * 1e3}}


def predict_run(simbench, w, style, probe, cores, out, rep, runtime, workdir):
    """simbench's prediction of one run, from the scenario built with that run's work CPU."""
    path = workdir / "scenarios" / "runs" / f"{w['name']}-{style}-{rep + 1}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scenario(w, style, run_probe(probe, w, out), cores), indent=1) + "\n")
    pred = predict(simbench, path, runtime, workdir)
    check_convoy(w, pred)
    return pred


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


def work_drift_text(row, probe, w):
    """The probe's CPU of the parse beside what the runs measured (common.WORK_CPU_S), and what the
    probe's figure alone would have predicted: how much of an error the machine's drift would be."""
    probe_ms = probe["parse_cpu_ms"][str(w["parse_ms"])]
    run_ms = row["work_cpu_s"] * 1e3
    fp, me = row["from_probe"], row["measured"]
    return (f"{row['style']} {probe_ms:.3f} ms against {run_ms:.3f} ms ({err(probe_ms, run_ms):+.1f} %; "
            f"from the probe's figure: makespan {fmt_s(fp['makespan_s'])} ({err(fp['makespan_s'], me['makespan_s']):+.1f} %), "
            f"p99 {fmt_s(fp['p99_s'])} ({err(fp['p99_s'], me['p99_s']):+.1f} %))")


def p99_spread_text(p99s, median):
    """The runs' p99 range, and its half-width as a share of the median: a row whose own runs spread
    wider than the p99 bound cannot show a model error of that size (the machine's noise is larger)."""
    half = (max(p99s) - min(p99s)) / 2 / median * 100.0 if median > 0 else 0.0
    return f"{fmt_s(min(p99s))} – {fmt_s(max(p99s))} (±{half:.0f} %)"


def describe(w):
    if w["name"] == "downloads":
        return (f"{w['n']} downloads at t0, each a {w['delay_ms']:g} ms server delay and a {w['bytes']}-byte "
                f"body, then a {w['parse_ms']:g} ms CPU parse; threads: ThreadPoolExecutor({w['workers']}); "
                f"asyncio: asyncio.gather, a connection per task")
    if w["name"].startswith("scraper"):
        return (f"{w['n']} pages at t0, server delays uniform {w['min_ms']:g}-{w['max_ms']:g} ms "
                f"(random.Random({w['seed']})), {w['bytes']}-byte bodies, at most {w['connections']} "
                f"connections, a {w['parse_ms']:g} ms CPU parse per page; threads: "
                f"ThreadPoolExecutor({w['connections']}); asyncio: Semaphore({w['connections']}) around a "
                f"connection pool")
    if w["name"] == "pipeline":
        return (f"{w['n']} items: fetched (server delays uniform {w['min_ms']:g}-{w['max_ms']:g} ms, "
                f"random.Random({w['seed']}), at most {w['fetchers']} at once) into a queue of {w['jobs_capacity']}, "
                f"parsed ({w['parse_ms']:g} ms CPU) by {w['parsers']} workers into a queue of "
                f"{w['results_capacity']}, written ({w['write_ms']:g} ms request) by one writer; sequential: "
                f"fetch, parse, write per item in one loop (n = items), else a task per item and stage (n = 3 x items)")
    if w["name"] == "crawler":
        return (f"{w['n']} sites (random.Random({w['seed']})), {w['min_pages']}-{w['max_pages']} pages each, "
                f"{w['links']} links per page, site(s) {', '.join(map(str, w['down']))} down (503: "
                f"{w['attempts']} attempts, backoff {w['backoff_ms']:g} ms x{w['multiplier']:g}, then a "
                f"{w['mirror_ms']:g} ms mirror), a {w['parse_ms']:g} ms parse per page, a detached {w['log_ms']:g} ms "
                f"log per site; threads: ThreadPoolExecutor({w['workers']}), links one after another")
    if is_convoy(w):
        return (f"{w['spinners']} spinner thread(s) (`while not stop: x += 1`) while a sleeper thread does "
                f"{w['rounds']} rounds of time.sleep({w['sleep_ms'] / 1e3:g}) and a {w['parse_ms']:g} ms CPU step, a "
                f"task per round (latency from the round's start); ThreadPoolExecutor({w['spinners'] + 1}); threads "
                f"only")
    if is_pool(w):
        work = f"{w['parse_ms']:g} ms of CPU (the parse loop)" if w["parse_ms"] else "a no-op"
        return (f"multiprocessing.Pool({w['workers']}) (fork), created at t0, imap_unordered over {w['n']} tasks of "
                f"{work} each; processes only")
    if is_api(w):
        how = (f"ThreadPoolExecutor({w['workers']}), the main thread submitting" if w["name"] == "api-overloaded"
               else f"threads: ThreadPoolExecutor({w['workers']}), the main thread submitting; asyncio: a producer "
                    f"coroutine creating a task per request")
        return (f"{w['n']} requests at Poisson times, {w['rate']:g} per second (random.Random({w['seed']})), each a "
                f"{w['call1_ms']:g} ms call (a sleep), {w['parse_ms']:g} ms of CPU, a {w['call2_ms']:g} ms call; "
                f"{how}; latency from the scheduled arrival")
    if w["name"] in ("hedged", "hedged-off"):
        how = (f"a second copy after {w['hedge_ms']:g} ms, the first answer wins (sequential: a {w['hedge_ms']:g} ms "
               f"socket timeout, then the second copy)" if w["hedge"] else "no hedging")
        return (f"{w['n']} clients x {w['requests']} requests one after another, server delays lognormal "
                f"(median {w['median_ms']:g} ms, p99 {w['p99_ms']:g} ms, random.Random({w['seed']})), {how}; "
                f"threads: ThreadPoolExecutor({w['workers']}); latency from each request's issue")
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
            "error | p99 measured | predicted | error | makespan over the runs | p99 over the runs | verdict |")
        add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
        for row in ctx["rows"][w["name"]]:
            me, pr = row["measured"], row["predicted"]
            e_m, e_50, e_99 = (err(pr[k], me[k]) for k in ("makespan_s", "p50_s", "p99_s"))
            spread = f"{fmt_s(min(row['makespans']))} – {fmt_s(max(row['makespans']))}"
            p99_spread = p99_spread_text(row["p99s"], me["p99_s"])
            add(f"| {row['style']} | {row['strategy']} | {fmt_s(me['makespan_s'])} | {fmt_s(pr['makespan_s'])} | "
                f"{e_m:+.1f} % | {fmt_s(me['p50_s'])} | {fmt_s(pr['p50_s'])} | {e_50:+.1f} % | "
                f"{fmt_s(me['p99_s'])} | {fmt_s(pr['p99_s'])} | {e_99:+.1f} % | {spread} | {p99_spread} | "
                f"{'PASS' if row['pass'] else '**FAIL**'} |")
        drift = [work_drift_text(row, ctx["probes"][row["style"]], w) for row in ctx["rows"][w["name"]]
                 if row.get("work_cpu_s") is not None]
        if drift:
            add("")
            add(f"CPU of a {w['parse_ms']:g} ms parse, the probe's (before the runs) against the runs' own "
                "(`time.thread_time`, the median of the runs' means), from which each run is predicted: "
                + "; ".join(drift) + ".")
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
        "imports and the parse loop's calibration), since every task arrives at t0 (the open-loop api rows "
        "instead count each request from its scheduled arrival; the convoy's rounds from their start); "
        "p50 and p99 are numpy's "
        "linear percentiles of the n latencies (common.percentile). *Predicted* is simbench's report.json for the matching "
        "scenario: one strategy per style, sequential = `blocking`, ThreadPoolExecutor(W) = `threaded "
        "{workers: W}` (with the GIL), asyncio = `cooperative` (with a pool `limit` for the scraper's "
        "semaphore); its percentiles are exact up to 100k tasks, by the same definition (docs/report.md, "
        "Percentiles), so with a few dozen tasks the two sides still compare like for like. Each run is "
        "predicted on its own and *predicted* is the median of those predictions (next item).")
    add("- Each run's own work cost. A program's parse is a fixed number of loop iterations "
        "(`--spin-per-ms` from the probe), but this VM's CPU speed drifts with its neighbours' load: the "
        "same loop has taken from 8 000 to 13 600 iterations per ms on different hours of one day, and "
        "by up to 15 % between the probe and a run minutes later. A prediction from the probe's figure "
        "would judge that drift, not the scheduling. So every program records the CPU time "
        "(`time.thread_time`) of each parse it runs (common.WORK_CPU_S; a pool's workers send theirs back "
        "with the result), and each run is predicted from a scenario whose parse is that run's mean "
        "(`target/fidelity/scenarios/runs/`); every other figure is still the probe's. The line under each "
        "table gives the probe's and the runs' CPU of a parse, and what the probe's figure alone predicts.")
    add("- *p99 over the runs* is the range of the program's own p99 over the repeats, and its half-width "
        "as a share of the median: where it is wider than the p99 bound, the program does not reproduce its "
        "own tail to within the bound on this machine, so that row's verdict says as much about the machine's "
        "noise (other processes, the VM's CPU steal, the parse running slower than when the probe measured "
        "it) as about the model. Busy open-loop rows are the most sensitive: near saturation a few per cent "
        "more CPU per request moves the tail by tens of per cent.")
    add("- The scenarios hold no tuned number: the delays are the programs' own, and every other duration "
        "was measured by the probe in the same run, before the programs ran.")
    add("- How the scenarios mirror the programs: every task arrives at t = 0 (`batch`); a task's program "
        "is [connect (`cpu` + `io`), only for the first task on each connection] + `cpu` send + `io` (the "
        "server delay + the extra I/O) + `cpu` receive + `cpu` parse; the asyncio scraper wraps send, delay "
        "and receive in a `limit` on a pool of C connections, as its semaphore does. Tasks with the same "
        "steps share a class, in task order; the scraper's pages each get their own class, so page i has "
        "the same delay in the scenario as in the program (`scraper.page_delays`) and no sampling noise "
        "separates them.")
    names = {w["name"] for w in ctx["workloads"]}
    if names & set(NEW_WORKLOADS):
        add("- The round-2 workloads (examples/python/README.md has the construct-by-construct mapping) open their "
            "connections before t0, so no step pays a connect, and give per-item, per-site and per-request values "
            "as `sequence`s, the programs' own lists in their order, so no sampling noise separates the two sides.")
    if "pipeline" in names:
        add("- pipeline: with queues every item is three tasks (R-QUEUE: a worker class records a task per item got, "
            "from its put): its fetch (t0 to its put into `jobs`), its parse (to its put into `results`) and its "
            "write; the programs report the same three, so n is 3 x items; sequential is one loop, a task per item. "
            "The worker classes are declared first, as the programs start their workers first.")
    if "crawler" in names:
        add("- crawler: a down site's origin answers every attempt with 503, so the failure pattern is a 0/1 "
            "`fail` sequence over the sites; the zero-length failing `io` after the receive charges the 503's "
            "receive as the program pays it. With a handful of sites, p50 and p99 are single sites' times.")
    if names & {"hedged", "hedged-off"}:
        add("- hedged: latency is a request's answer minus its issue (closed loops of one user per client); the "
            "hedge is a `hedge` with a program per copy, so that each copy keeps its own delay; sequential "
            "hedging is a socket "
            "timeout and a second request (`timeout` with `on_expiry: abort` in a `try`).")
    if names & set(CONVOY_WORKLOADS):
        add("- convoy: threads only (examples/python/convoy.py says why). A round is a task of a closed loop "
            "(one user, no think time): `sleep` D, then the CPU step, which needs the GIL back from the spinners; "
            "the spinners are detached spawns of round 0 submitted to the pool (`threads: pool`), each one long "
            "`cpu` step, so they contend for the GIL for the sleeper's whole life but are no tasks: n, the "
            "percentiles and the makespan (to the last round's end) are the sleeper's rounds alone, as in the "
            "program, whose spinners stop with it. CPython's hand-over (ceval_gil.c: the waiter waits the switch "
            "interval, asks for a drop, and the OS picks the next holder among the waiters) decides the tail.")
    if names & set(POOL_WORKLOADS):
        add("- pool: processes only (examples/python/pool.py says why). Latency is t0 (before `Pool(P)` is "
            "created) to the parent having the task's result, so the pool's start is in every latency and in the "
            "makespan; the runtime profile's pool_start, process_start and process_dispatch model the start and "
            "the parent handing out one task at a time (R-PROCESS-POOL). docs/model.md names what is not modelled: "
            "CPython's Pool._handle_workers loops while a result waits to be read, holding the parent's GIL from "
            "the result handler, which slows a pool whose workers use every core.")
    if names & set(API_WORKLOADS):
        add("- api: open-loop arrivals, the program's own gaps replayed as the scenario's `interval.every` "
            "sequence; the program's producer (the main thread's `time.sleep` and `submit`, or a coroutine's "
            "`asyncio.sleep` and `create_task`) is the profile's (R-PRODUCER), and a request's latency runs from its "
            "scheduled arrival, so a late producer counts on both sides. Its calls are sleeps, so no server is "
            "involved and a call's length is the sleep's plus the runtime's timer slack.")
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
    ap.add_argument("--workloads", default="default",
                    help="comma-separated workloads to check, of " + ", ".join(ALL_WORKLOADS)
                    + "; or `default` (" + ",".join(DEFAULT_WORKLOADS) + "), `new` (" + ",".join(NEW_WORKLOADS)
                    + ": their scenarios need the scenario language's round 2), `convoy` ("
                    + ",".join(CONVOY_WORKLOADS) + ": threads rows only), `pool` (" + ",".join(POOL_WORKLOADS)
                    + ": processes rows only), `api` (" + ",".join(API_WORKLOADS) + ") or `all`")
    ap.add_argument("--only", dest="workloads", help="the same as --workloads")
    ap.add_argument("--programs-only", action="store_true",
                    help="write the scenarios and run the programs, but run no simbench and write no doc: a smoke "
                         "run of the programs (prints each run's figures), e.g. for workloads whose scenarios "
                         "this simbench cannot parse yet")
    a = ap.parse_args()
    started = time.monotonic()
    reps = a.reps or (1 if a.quick else 3)
    workdir = Path(a.workdir)
    (workdir / "scenarios").mkdir(parents=True, exist_ok=True)
    ws = workloads(a.quick, parse_workloads(a.workloads))
    cores = os.cpu_count() or 1
    version = "" if a.programs_only else subprocess.run([a.simbench, "--version"], capture_output=True,
                                                        text=True).stdout.strip()
    machine = dict(cores=cores, cpu=platform.machine(), os=f"{platform.system()} {platform.release()}",
                   python=subprocess.run([a.python, "--version"], capture_output=True, text=True).stdout.strip(),
                   simbench=version or "?", load_start=loadavg())
    print(f"fidelity: {cores} cores, {machine['python']}, load {machine['load_start']}", file=sys.stderr)

    if a.programs_only:
        runtime, runtime_desc = None, "none (--programs-only: simbench is not run)"
    else:
        runtime, runtime_desc = simbench_runtime(a.simbench, a.runtime, a.quick, a.python, workdir)
    print(f"fidelity: runtime model: {runtime_desc}", file=sys.stderr)

    server = Server(a.python)
    try:
        parse_args = [x for ms in sorted({w["parse_ms"] for w in ws if w.get("parse_ms")})
                      for x in ("--parse-ms", str(ms))]
        probe_argv = [a.python, str(EX / "probe.py"), "--port", str(server.port), "--bytes", "20000",
                      "--k", "40" if a.quick else "150", *parse_args]
        probes = {}
        first = run_json(probe_argv + ["--style", "sequential"], 120, "probe.py --style sequential")
        spin_per_ms = first["spin_per_ms"]
        for style in STYLES:
            probes[style] = first if style == "sequential" else run_json(
                probe_argv + ["--style", style, "--spin-per-ms", repr(spin_per_ms)], 120, f"probe.py --style {style}")
        probes["processes"] = first  # a pool's worker runs its task as sequential code
        print(f"fidelity: probed; parse loop {spin_per_ms:.0f} iterations/ms", file=sys.stderr)

        predicted = {}
        for w in ws:
            for style in styles_of(w):
                path = workdir / "scenarios" / f"{w['name']}-{style}.json"
                path.write_text(json.dumps(scenario(w, style, probes[style], cores), indent=1) + "\n")
                if not a.programs_only:
                    predicted[w["name"], style] = predict(a.simbench, path, runtime, workdir)
                    check_convoy(w, predicted[w["name"], style])

        server.stats(reset=True)
        runs, run_predictions = {}, {}
        with open(workdir / "runs.jsonl", "w") as raw:
            for rep in range(reps):
                for w in ws:
                    for style in styles_of(w):
                        argv = program_argv(a.python, w, style, server.port, spin_per_ms)
                        out = run_json(argv, 180, f"{w['name']} --style {style}")
                        if out.get("n") != expected_n(w, style):
                            raise CheckError(f"{shlex.join(argv)} reported n={out.get('n')}, "
                                             f"expected {expected_n(w, style)}")
                        raw.write(json.dumps(out) + "\n")
                        runs.setdefault((w["name"], style), []).append(out)
                        pred = None
                        if not a.programs_only:
                            pred = predict_run(a.simbench, w, style, probes[style], cores, out, rep, runtime,
                                               workdir)
                            run_predictions.setdefault((w["name"], style), []).append(pred)
                        print(f"fidelity: rep {rep + 1}/{reps} {w['name']:17} {style:10} makespan "
                              f"{out['makespan_s']:.3f} s p50 {out['p50_s']:.4f} s p99 {out['p99_s']:.4f} s"
                              + (f" (predicted makespan {pred['makespan_s']:.3f})" if pred else "")
                              + (f" requests {out['requests']}" if "requests" in out else ""), file=sys.stderr)
        server_stats = server.stats()
    finally:
        server.stop()
    if a.programs_only:
        print(f"fidelity: --programs-only: scenarios in {workdir / 'scenarios'}, runs in {workdir / 'runs.jsonl'}; "
              f"no prediction, no doc", file=sys.stderr)
        return 0

    rows = {}
    ok = True
    for w in ws:
        for style in styles_of(w):
            outs = runs[w["name"], style]
            meas = {k: statistics.median(o[k] for o in outs) for k in ("makespan_s", "p50_s", "p99_s")}
            preds = run_predictions[w["name"], style]
            pred = {k: statistics.median(p[k] for p in preds) for k in ("makespan_s", "p50_s", "p99_s")}
            passed = (abs(err(pred["makespan_s"], meas["makespan_s"])) <= MAKESPAN_BOUND
                      and abs(err(pred["p99_s"], meas["p99_s"])) <= P99_BOUND)
            ok &= passed
            strat = strategy(style, w)
            kind = next(iter(strat))
            settings = {k: v for k, v in strat[kind].items() if k != "label"}
            rows.setdefault(w["name"], []).append(dict(
                style=style, strategy=f"`{kind}`" + (f" {json.dumps(settings)}" if settings else ""),
                measured=meas, predicted=pred, from_probe=predicted[w["name"], style],
                makespans=[o["makespan_s"] for o in outs],
                p99s=[o["p99_s"] for o in outs], **{"pass": passed},
                work_cpu_s=(statistics.median(o["work_cpu_mean_s"] for o in outs)
                            if all("work_cpu_mean_s" in o for o in outs) else None)))

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
