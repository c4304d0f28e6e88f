"""Tests of the fidelity harness: the server, the programs' output, the scenarios it writes.

    python3 -m unittest discover -s examples/python -v

The simbench tests need target/release/simbench (scripts/fidelity.sh builds
it); they are skipped, with a note, when it is missing.
"""

import json
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import fidelity  # noqa: E402

SIMBENCH = ROOT / "target" / "release" / "simbench"
PY = sys.executable

# Round numbers, so that predictions can be computed by hand.
PROBE = dict(send_cpu_ms=0.1, recv_cpu_ms=0.4, io_extra_ms=0.5, connect_cpu_ms=0.2, connect_io_ms=0.3,
             parse_ms={"2.0": 2.5, "3.0": 3.5}, parse_cpu_ms={"2.0": 2.0, "3.0": 3.0})
# (the round-2 workloads below parse 2 or 3 ms too, so the same PROBE serves them)
DOWNLOADS = dict(name="downloads", n=6, workers=2, delay_ms=100.0, parse_ms=2.0, bytes=1000)
SCRAPER = dict(name="scraper", n=12, connections=3, min_ms=20.0, max_ms=40.0, seed=3, parse_ms=3.0, bytes=1000)
PITFALL = dict(name="blocking-pitfall", n=10, workers=10, sleep_ms=100.0, block_ms=300.0)
# The round-2 workloads (issue 16), small enough to run in a second or two each.
PIPELINE = dict(name="pipeline", n=8, fetchers=2, parsers=2, jobs_capacity=2, results_capacity=2, min_ms=5.0,
                max_ms=15.0, seed=3, parse_ms=2.0, write_ms=1.0, bytes=1000)
CRAWLER = dict(name="crawler", n=3, workers=3, seed=2, min_pages=1, max_pages=3, page_min_ms=5.0, page_max_ms=15.0,
               link_min_ms=2.0, link_max_ms=8.0, links=2, down=[1], attempts=2, backoff_ms=5.0, multiplier=2.0,
               mirror_ms=3.0, log_ms=50.0, parse_ms=3.0, bytes=1000)
HEDGED = dict(name="hedged", n=2, requests=8, median_ms=5.0, p99_ms=80.0, seed=4, hedge_ms=15.0, hedge=True, workers=8,
              bytes=1000)
HEDGED_OFF = dict(HEDGED, name="hedged-off", hedge=False)
# The GIL convoy (threads only): K spinners, R rounds of a D ms sleep and a 2 ms CPU step (PROBE's parse).
CONVOY = dict(name="convoy-3", spinners=3, rounds=12, sleep_ms=5.0, parse_ms=2.0)
# A process pool (processes only): P workers, N tasks of W ms of the parse loop (PROBE's parse).
POOL = dict(name="pool-2", workers=2, n=20, parse_ms=2.0)
# The open-loop API server (threads and asyncio): N requests at Poisson times, a call (a sleep), W ms
# of the parse loop (PROBE's parse), a call; a high rate, so that a run takes a few tens of ms.
API = dict(name="api", n=20, rate=1000.0, seed=3, workers=4, call1_ms=4.0, parse_ms=2.0, call2_ms=1.0)
NEW = (PIPELINE, CRAWLER, HEDGED, HEDGED_OFF)
KINDS = {"io", "cpu", "sleep", "blocking", "gather", "spawn", "join", "timeout", "limit", "to_thread", "call", "try",
         "retry", "repeat", "choose", "put", "get", "hedge"}


def steps_of(program):
    """Every step of a program, depth first, nested programs included (the language of /work/ref/language.md)."""
    for step in program:
        yield step
        kind = next(k for k in step if k in KINDS)
        v = step[kind]
        if kind == "gather":
            for b in v:
                yield from steps_of(b["program"] if isinstance(b, dict) else b)
        elif kind in ("spawn", "timeout", "limit"):
            yield from steps_of(v["program"])
        elif kind == "hedge" and v and isinstance(v[0], list):
            for copy in v:  # a program per copy (R-HEDGE-COPIES)
                yield from steps_of(copy)
        elif kind in ("to_thread", "retry", "repeat", "hedge"):
            yield from steps_of(v)
        elif kind == "try":
            yield from steps_of(v)
            yield from steps_of(step.get("except", []))
        elif kind == "choose":
            for b in v:
                yield from steps_of(b["program"])


def kinds_of(sc):
    return {next(k for k in st if k in KINDS) for c in sc["classes"].values() for st in steps_of(c["program"])}


def runs(sc):
    """Whether this simbench runs the scenario `sc` (a dict) without an error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.json"
        path.write_text(json.dumps(sc))
        p = subprocess.run([str(SIMBENCH), "run", str(path), "--out", tmp, "--no-charts", "--quiet"],
                           capture_output=True, text=True)
        return p.returncode == 0


def supports_round2():
    """Whether this simbench parses the round-2 language (a scenario with a queue), so that the tests below
    of the new scenarios under simbench run by themselves once it lands."""
    if not SIMBENCH.exists():
        return False
    return runs({"name": "round2-probe", "queues": {"q": {"capacity": 1}}, "classes": {
        "w": {"arrivals": {"workers": 1}, "program": [{"get": "q"}, {"cpu": "1ms"}]},
        "p": {"arrivals": {"batch": {"count": 2}}, "program": [{"put": "q"}]}}, "strategies": ["cooperative"]})


def supports_interval_sequence():
    """Whether this simbench takes interval arrivals whose `every` is a sequence of gaps
    (R-ARRIVALS-INTERVAL), as the api scenarios' arrivals are, so that the tests below of them
    under simbench run by themselves once it does."""
    if not SIMBENCH.exists():
        return False
    return runs({"name": "interval-sequence-probe", "classes": {
        "c": {"arrivals": {"interval": {"every": {"sequence": ["1ms", "0ms"]}, "count": 3}},
              "program": [{"sleep": "1ms"}, {"cpu": "1ms"}]}}, "strategies": ["cooperative"]})


def api_plan(arrivals, workers, call1_s, cpu_s, call2_s):
    """By hand, the ideal model's run of the api scenario when no two requests' steps interfere:
    FIFO onto `workers` threads (asyncio: as many as requests), each request held for its whole
    call 1 + CPU + call 2. Per request: (arrival, start, CPU start, CPU end, end)."""
    import heapq

    free = [0.0] * min(workers, len(arrivals))
    out = []
    for at in arrivals:
        start = max(at, heapq.heappop(free))
        end = start + call1_s + cpu_s + call2_s
        heapq.heappush(free, end)
        out.append((at, start, start + call1_s, start + call1_s + cpu_s, end))
    return out


def api_plan_is_clear(plan, margin=1e-4):
    """Whether no event of a request (arrival, start, CPU start or end, end) falls within `margin` of
    another request's CPU step: then neither the GIL nor the loop makes any request wait, and
    api_plan is exactly what the ideal model does."""
    return not any(a - margin < t < b + margin for k, (_, _, a, b, _) in enumerate(plan)
                   for j, ev in enumerate(plan) if j != k for t in ev)


class Percentiles(unittest.TestCase):
    """The programs' percentiles are simbench's (docs/report.md, Percentiles): Python's
    statistics.quantiles(method="inclusive") is the same definition as numpy's default."""

    def test_percentile_is_the_linear_interpolation(self):
        import random
        import statistics

        from common import percentile

        rng = random.Random(1)
        for n in (2, 3, 10, 57, 400):
            xs = sorted(rng.expovariate(1.0) for _ in range(n))
            cuts = statistics.quantiles(xs, n=100, method="inclusive")
            for q in (50, 90, 99):
                self.assertAlmostEqual(percentile(xs, q / 100), cuts[q - 1], places=12, msg=f"n={n} q={q}")
        self.assertEqual(percentile([4.0], 0.99), 4.0)


class ApiArrivals(unittest.TestCase):
    """api.gaps and api.arrival_times: the program's arrivals, which its scenario replays."""

    def test_gaps_are_seeded_and_counted(self):
        from api import arrival_times, gaps

        for n, rate, seed in ((1, 100.0, 3), (7, 250.0, 5), (400, 100.0, 3)):
            with self.subTest(n=n, rate=rate, seed=seed):
                g = gaps(n, rate, seed)
                self.assertEqual(len(g), n)
                self.assertEqual(g, gaps(n, rate, seed))  # the same seed, the same gaps
                self.assertNotEqual(g, gaps(n, rate, seed + 1))
                self.assertTrue(all(x > 0 for x in g))
                at = arrival_times(n, rate, seed)
                self.assertEqual(len(at), n)
                self.assertEqual(at[0], 0.0)  # request 0 at t0
                for k in range(n):  # request k at the sum of the first k gaps; the last gap is unused
                    self.assertAlmostEqual(at[k], sum(g[:k]), places=9)
        # a longer list starts with the shorter one: the gaps are one seeded stream
        self.assertEqual(gaps(10, 100.0, 3), gaps(400, 100.0, 3)[:10])

    def test_gaps_are_exponential_of_mean_one_over_rate(self):
        # n = 20,000: the mean's standard error is 0.7 % of 1/rate, the bound 5 % (7 of them); the share
        # of gaps above the mean is e^-1 = 0.368 for an exponential (0.5 for a uniform or a symmetric
        # law), its standard error 0.0034, the bound 0.03
        import math
        import statistics

        from api import gaps

        n = 20000
        for rate, seed in ((100.0, 3), (250.0, 5), (150.0, 7)):
            with self.subTest(rate=rate, seed=seed):
                g = gaps(n, rate, seed)
                self.assertAlmostEqual(statistics.fmean(g) * rate, 1.0, delta=0.05)
                self.assertAlmostEqual(sum(x > 1 / rate for x in g) / n, math.exp(-1), delta=0.03)


class ServerAndPrograms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = fidelity.Server(PY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def status(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.server.port}{path}", timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_item_waits_and_answers_the_size_asked(self):
        status, body = self.status("/item?delay_ms=30&bytes=100000")
        self.assertEqual((status, len(body)), (200, 100000))
        stats = self.server.stats(reset=True)
        self.assertGreaterEqual(stats["count"], 1)
        self.assertGreaterEqual(stats["max_ms"], 0.0)  # never early: the overshoot is late-only

    def test_bad_requests_are_refused(self):
        self.assertEqual(self.status("/nothing")[0], 404)
        self.assertEqual(self.status("/item?delay_ms=abc")[0], 400)
        self.assertEqual(self.status("/item?delay_ms=-1")[0], 400)

    def test_every_program_and_style_prints_its_line(self):
        for w in (DOWNLOADS, SCRAPER, PITFALL):
            for style in fidelity.STYLES:
                with self.subTest(workload=w["name"], style=style):
                    out = fidelity.run_json(fidelity.program_argv(PY, w, style, self.server.port, 10000.0), 60,
                                            w["name"])
                    self.assertEqual(out["n"], w["n"])
                    lat = out["latencies_s"]
                    self.assertEqual(len(lat), w["n"])
                    self.assertAlmostEqual(out["makespan_s"], max(lat), places=5)
                    self.assertLessEqual(out["p50_s"], out["p99_s"])
                    if w is DOWNLOADS and style == "sequential":
                        self.assertGreaterEqual(out["makespan_s"], w["n"] * w["delay_ms"] / 1e3)

    def test_status_makes_a_failure_after_the_delay(self):
        status, body = self.status("/item?delay_ms=20&bytes=300&status=503")
        self.assertEqual((status, len(body)), (503, 300))
        self.assertEqual(self.status("/item?delay_ms=1&bytes=3&status=200")[0], 200)
        self.assertEqual(self.status("/item?delay_ms=1&status=404")[0], 400)  # only 200 and 5xx
        self.assertEqual(self.status("/item?delay_ms=1&status=abc")[0], 400)

    def run_new(self, w, style):
        out = fidelity.run_json(fidelity.program_argv(PY, w, style, self.server.port, 10000.0), 60, w["name"])
        n = fidelity.expected_n(w, style)
        self.assertEqual((out["n"], len(out["latencies_s"])), (n, n))
        self.assertLessEqual(out["p50_s"], out["p99_s"])
        self.assertLessEqual(out["p99_s"], out["makespan_s"] + 1e-6)
        return out

    def test_pipeline_every_style(self):
        from pipeline import fetch_delays

        delays = fetch_delays(PIPELINE["n"], PIPELINE["seed"], PIPELINE["min_ms"], PIPELINE["max_ms"])
        for style in fidelity.STYLES:
            with self.subTest(style=style):
                out = self.run_new(PIPELINE, style)
                self.assertEqual(out["items"]["n"], PIPELINE["n"])
                self.assertAlmostEqual(out["makespan_s"], out["items"]["max_s"], places=6)
                if style == "sequential":
                    self.assertEqual(out["stages"], {})
                    work = sum(delays) + PIPELINE["n"] * (PIPELINE["parse_ms"] + PIPELINE["write_ms"])
                    self.assertGreaterEqual(out["makespan_s"], work / 1e3)
                else:
                    self.assertEqual([out["stages"][k]["n"] for k in ("fetch", "parse", "write")], [PIPELINE["n"]] * 3)
                    # the parses alone need n x parse_ms of the GIL / the loop
                    self.assertGreaterEqual(out["makespan_s"], PIPELINE["n"] * PIPELINE["parse_ms"] / 1e3)

    def test_crawler_every_style_sends_the_planned_requests(self):
        from crawler import site_plans

        w = CRAWLER
        plans = site_plans(w["n"], w["seed"], w["min_pages"], w["max_pages"], w["page_min_ms"], w["page_max_ms"],
                           w["link_min_ms"], w["link_max_ms"])
        want = sum(p["pages"] * ((w["attempts"] + 1 if k in w["down"] else 1) + w["links"]) + 1
                   for k, p in enumerate(plans))
        for style in fidelity.STYLES:
            with self.subTest(style=style):
                out = self.run_new(w, style)
                self.assertEqual(out["requests"], want)
                self.assertEqual(out["params"]["plans"], plans)
        # the down site waits its backoffs on every page
        k = w["down"][0]
        self.assertGreaterEqual(out["latencies_s"][k], plans[k]["pages"] * w["backoff_ms"] / 1e3)

    def test_hedged_every_style_counts_its_copies(self):
        from hedged import request_delays

        delays = request_delays(HEDGED["n"] * HEDGED["requests"], HEDGED["seed"], HEDGED["median_ms"],
                                HEDGED["p99_ms"])
        sure = sum(d0 > 3 * HEDGED["hedge_ms"] for d0, _ in delays)  # certainly hedged (more may be on a busy machine)
        self.assertGreater(sure, 0, "the test's seed should give some slow first copies")
        for style in fidelity.STYLES:
            with self.subTest(style=style):
                out = self.run_new(HEDGED, style)
                self.assertEqual(out["requests"], out["n"] + out["hedges"])
                self.assertTrue(sure <= out["hedges"] <= out["n"], (sure, out["hedges"]))
                self.assertIn("connects_in_run", out)
                self.assertLessEqual(out["second_won"], out["hedges"])
                off = self.run_new(HEDGED_OFF, style)
                self.assertEqual((off["requests"], off["hedges"]), (off["n"], 0))
                # the slowest request without hedging waits its whole first copy
                self.assertGreaterEqual(off["makespan_s"], max(d0 for d0, _ in delays) / 1e3)

    def test_convoy_prints_its_line(self):
        for w in (CONVOY, dict(CONVOY, name="convoy-1", spinners=1)):
            with self.subTest(workload=w["name"]):
                self.assertEqual(fidelity.styles_of(w), ["threads"])
                out = fidelity.run_json(fidelity.program_argv(PY, w, "threads", 0, 10000.0), 60, w["name"])
                n = fidelity.expected_n(w, "threads")
                self.assertEqual((n, out["n"], len(out["latencies_s"])), (w["rounds"],) * 3)
                self.assertEqual(out["params"]["spinners"], w["spinners"])
                self.assertEqual(out["params"]["workers"], w["spinners"] + 1)
                self.assertGreater(out["spins"], 0)  # the spinners ran
                # the rounds follow one another: their latencies add up to the makespan
                self.assertAlmostEqual(sum(out["latencies_s"]), out["makespan_s"], delta=1e-5 * w["rounds"])
                self.assertGreaterEqual(min(out["latencies_s"]), w["sleep_ms"] / 1e3)
                self.assertLessEqual(out["p50_s"], out["p99_s"])
                self.assertLessEqual(out["p99_s"], out["max_s"] + 1e-9)

    def test_single_style_programs_refuse_the_others(self):
        # the convoy has threads only, the pool processes only, the API server threads and asyncio
        # (their docstrings say why)
        for w, style, other in ((CONVOY, "threads", "asyncio"), (POOL, "processes", "threads"),
                                (API, "threads", "sequential"), (API, "asyncio", "processes")):
            with self.subTest(workload=w["name"], other=other):
                argv = fidelity.program_argv(PY, w, style, 0, 10000.0)
                argv[argv.index("--style") + 1] = other
                with self.assertRaises(fidelity.CheckError) as e:
                    fidelity.run_json(argv, 60, w["name"])
                self.assertIn("invalid choice", str(e.exception))

    def test_api_prints_its_line(self):
        from api import arrival_times

        w = API
        arrivals = arrival_times(w["n"], w["rate"], w["seed"])
        self.assertEqual(fidelity.styles_of(w), ["threads", "asyncio"])
        for style in fidelity.styles_of(w):
            with self.subTest(style=style):
                out = fidelity.run_json(fidelity.program_argv(PY, w, style, 0, 10000.0), 60, w["name"])
                self.assertEqual((out["workload"], out["style"]), ("api", style))
                n = fidelity.expected_n(w, style)
                self.assertEqual((n, out["n"], len(out["latencies_s"])), (w["n"],) * 3)
                self.assertEqual(out["params"], dict(n=w["n"], rate=w["rate"], seed=w["seed"], workers=w["workers"],
                                                     call1_ms=w["call1_ms"], work_ms=w["parse_ms"],
                                                     call2_ms=w["call2_ms"], spin_per_ms=10000.0))
                lat = out["latencies_s"]
                # a sleep never ends early: every request takes at least its two calls
                self.assertGreaterEqual(min(lat), (w["call1_ms"] + w["call2_ms"]) / 1e3 - 1e-6)
                # latency runs from the scheduled arrival: arrival + latency is the request's end, the
                # last of which is the makespan (latencies are rounded to the microsecond)
                self.assertAlmostEqual(max(at + x for at, x in zip(arrivals, lat)), out["makespan_s"], delta=2e-6)
                self.assertGreaterEqual(out["makespan_s"], arrivals[-1] + min(lat) - 1e-6)
                self.assertLessEqual(out["p50_s"], out["p99_s"])
                self.assertLessEqual(out["p99_s"], max(lat) + 1e-6)
                # one CPU figure per request's work, no more than the run's wall time can hold
                self.assertEqual(out["work_count"], w["n"])
                self.assertLess(out["work_cpu_mean_s"] * w["n"], out["makespan_s"] * 2)  # 2 cores at most
                # the producer is never early (it sleeps until each arrival is due), and not later than the run
                self.assertGreaterEqual(out["producer_lag_p99_s"], 0.0)
                self.assertLess(out["producer_lag_p99_s"], out["makespan_s"])

    def test_api_threads_queue_in_the_executor(self):
        # one worker, arrivals about 1 ms apart: the requests wait for the worker in turn, so request k
        # ends no earlier than (k + 1) x (C1 + C2), and its latency, from its scheduled arrival, holds that
        # wait: the run takes far more than the arrivals' span plus one request
        from api import arrival_times

        w = dict(API, name="api-overloaded", n=8, workers=1)
        arrivals = arrival_times(w["n"], w["rate"], w["seed"])
        out = fidelity.run_json(fidelity.program_argv(PY, w, "threads", 0, 10000.0), 60, w["name"])
        self.assertEqual(out["params"]["workers"], 1)
        call_s = (w["call1_ms"] + w["call2_ms"]) / 1e3
        self.assertGreaterEqual(out["makespan_s"], w["n"] * call_s)
        for k, (at, x) in enumerate(zip(arrivals, out["latencies_s"])):
            self.assertGreaterEqual(x, (k + 1) * call_s - at - 1e-6, k)

    def test_pool_prints_its_line(self):
        for w in (POOL, dict(POOL, name="pool-tiny", n=50, parse_ms=0.0)):
            with self.subTest(workload=w["name"]):
                self.assertEqual(fidelity.styles_of(w), ["processes"])
                out = fidelity.run_json(fidelity.program_argv(PY, w, "processes", 0, 10000.0), 60, w["name"])
                self.assertEqual((fidelity.expected_n(w, "processes"), out["n"], len(out["latencies_s"])),
                                 (w["n"],) * 3)
                self.assertEqual(out["params"]["workers"], w["workers"])
                # results come back as they are done: the last is the makespan
                self.assertAlmostEqual(max(out["latencies_s"]), out["makespan_s"], delta=5e-3)
                # P workers cannot do N tasks of W ms in less than N W / P
                self.assertGreaterEqual(out["makespan_s"], w["n"] * w["parse_ms"] / w["workers"] / 1e3 * 0.9)
                # the workers' CPU comes back with the results, one figure per task; no-ops report none
                if w["parse_ms"]:
                    self.assertEqual(out["work_count"], w["n"])
                    self.assertGreater(out["work_cpu_mean_s"], 0.0)
                else:
                    self.assertNotIn("work_cpu_mean_s", out)

    def test_pitfall_asyncio_stalls_the_sleepers(self):
        out = fidelity.run_json(fidelity.program_argv(PY, PITFALL, "asyncio", 0, 1.0), 60, "pitfall")
        self.assertGreaterEqual(out["p50_s"], PITFALL["block_ms"] / 1e3)

    def test_a_program_that_cannot_connect_fails_loudly(self):
        argv = fidelity.program_argv(PY, DOWNLOADS, "sequential", 1, 10000.0)  # nothing listens on port 1
        with self.assertRaises(fidelity.CheckError) as e:
            fidelity.run_json(argv, 60, "downloads")
        self.assertIn("failed", str(e.exception))


class Scenarios(unittest.TestCase):
    def test_a_run_is_predicted_from_its_own_parse_cpu(self):
        out = {"work_cpu_mean_s": 0.0025}
        probe = fidelity.run_probe(PROBE, DOWNLOADS, out)
        self.assertEqual(probe["parse_cpu_ms"], {"2.0": 2.5, "3.0": 3.0})  # the workload's parse only
        self.assertEqual(PROBE["parse_cpu_ms"]["2.0"], 2.0)  # the probe itself is left as it was
        self.assertEqual({k: v for k, v in probe.items() if k != "parse_cpu_ms"},
                         {k: v for k, v in PROBE.items() if k != "parse_cpu_ms"})
        steps = [st for c in fidelity.scenario(DOWNLOADS, "threads", probe, 2)["classes"].values()
                 for st in c["program"] if st.get("label") == "parse"]
        self.assertEqual({st["cpu"] for st in steps}, {"2500000ns"})
        # a run that measured nothing (no parse, or an older program) keeps the probe's figures
        self.assertIs(fidelity.run_probe(PROBE, DOWNLOADS, {}), PROBE)
        self.assertIs(fidelity.run_probe(PROBE, dict(POOL, parse_ms=0.0), out), PROBE)

    def test_classes_cover_every_task_in_order(self):
        for w in (DOWNLOADS, SCRAPER):
            for style in fidelity.STYLES:
                sc = fidelity.scenario(w, style, PROBE, 2)
                counts = [c["arrivals"]["batch"]["count"] for c in sc["classes"].values()]
                self.assertEqual(sum(counts), w["n"], (w["name"], style))

    def test_scraper_pages_keep_the_programs_delays(self):
        from scraper import page_delays

        sc = fidelity.scenario(SCRAPER, "sequential", PROBE, 2)
        ios = []
        for c in sc["classes"].values():
            server = [s for s in c["program"] if s.get("label") == "server"][0]
            ios += [int(server["io"][:-2])] * c["arrivals"]["batch"]["count"]
        want = [round((d + PROBE["io_extra_ms"]) * 1e6) for d in page_delays(12, 3, 20.0, 40.0)]
        self.assertEqual(ios, want)

    def test_workload_selection(self):
        names = lambda ws: [w["name"] for w in ws]  # noqa: E731
        self.assertEqual(names(fidelity.workloads(False)), fidelity.DEFAULT_WORKLOADS)
        self.assertEqual(names(fidelity.workloads(True, fidelity.parse_workloads("crawler,downloads"))),
                         ["downloads", "crawler"])
        self.assertEqual(fidelity.parse_workloads("all"), fidelity.ALL_WORKLOADS)
        self.assertEqual(fidelity.parse_workloads("new"), fidelity.NEW_WORKLOADS)
        self.assertEqual(fidelity.parse_workloads("convoy"), fidelity.CONVOY_WORKLOADS)
        self.assertEqual(names(fidelity.workloads(False, ["convoy-7", "convoy-1"])), ["convoy-1", "convoy-7"])
        self.assertNotIn("convoy-1", fidelity.DEFAULT_WORKLOADS)
        self.assertEqual(fidelity.parse_workloads("pool"), fidelity.POOL_WORKLOADS)
        self.assertNotIn("pool-2", fidelity.DEFAULT_WORKLOADS)
        with self.assertRaises(fidelity.CheckError):
            fidelity.workloads(False, ["crawlr"])
        for quick in (False, True):  # every workload has its parameters in both sets
            self.assertEqual(names(fidelity.workloads(quick, fidelity.ALL_WORKLOADS)), fidelity.ALL_WORKLOADS)

    def test_api_workload_selection(self):
        names = lambda ws: [w["name"] for w in ws]  # noqa: E731
        self.assertEqual(fidelity.API_WORKLOADS, ["api", "api-busy", "api-overloaded"])
        self.assertEqual(fidelity.parse_workloads("api"), fidelity.API_WORKLOADS)  # `api` names the group
        self.assertEqual(fidelity.parse_workloads("api-busy,downloads"), ["api-busy", "downloads"])
        self.assertEqual([x for x in fidelity.ALL_WORKLOADS if x.startswith("api")], fidelity.API_WORKLOADS)
        self.assertFalse(set(fidelity.API_WORKLOADS) & set(fidelity.DEFAULT_WORKLOADS))
        for quick in (False, True):
            ws = fidelity.workloads(quick, fidelity.parse_workloads("api"))
            self.assertEqual(names(ws), fidelity.API_WORKLOADS)
            self.assertEqual(names(fidelity.workloads(quick, ["api-overloaded", "api"])), ["api", "api-overloaded"])
            for w in ws:
                with self.subTest(quick=quick, workload=w["name"]):
                    self.assertTrue(fidelity.is_api(w))
                    self.assertFalse(fidelity.is_convoy(w) or fidelity.is_pool(w))
                    threads_only = w["name"] == "api-overloaded"  # asyncio has no pool to overload
                    self.assertEqual(fidelity.styles_of(w), ["threads"] if threads_only else ["threads", "asyncio"])
                    self.assertEqual(fidelity.expected_n(w, "threads"), w["n"])
                    text = fidelity.describe(w)
                    self.assertIn(f"{w['n']} requests", text)
                    self.assertIn(f"ThreadPoolExecutor({w['workers']})", text)
                    self.assertEqual("asyncio" in text, not threads_only)
                    argv = fidelity.program_argv(PY, w, "threads", 0, 10000.0)
                    self.assertEqual(Path(argv[1]).name, "api.py")
        self.assertFalse(fidelity.is_api(DOWNLOADS) or fidelity.is_api(POOL) or fidelity.is_api(CONVOY))

    def new_scenario(self, w, style):
        sc = fidelity.scenario(w, style, PROBE, 2)
        self.assertEqual(json.loads(json.dumps(sc)), sc)  # plain JSON
        return sc

    def test_new_scenarios_use_the_round2_kinds(self):
        crawler = {"cpu", "io", "repeat", "try", "retry", "gather", "spawn"}
        hedge = {"cpu", "io", "hedge"}
        want = {
            ("pipeline", "sequential"): {"cpu", "io"},
            ("pipeline", "threads"): {"cpu", "io", "get", "put"},
            ("pipeline", "asyncio"): {"cpu", "io", "get", "put", "limit"},
            ("crawler", "sequential"): crawler - {"spawn"},  # the log inline
            ("crawler", "threads"): crawler, ("crawler", "asyncio"): crawler,
            ("hedged", "sequential"): {"cpu", "io", "try", "timeout"},
            ("hedged", "threads"): hedge, ("hedged", "asyncio"): hedge,
            ("hedged-off", "sequential"): {"cpu", "io"}, ("hedged-off", "threads"): {"cpu", "io"},
            ("hedged-off", "asyncio"): {"cpu", "io"},
        }
        for w in NEW:
            for style in fidelity.STYLES:
                self.assertEqual(kinds_of(self.new_scenario(w, style)), want[w["name"], style], (w["name"], style))

    def test_pipeline_scenario_mirrors_the_program(self):
        from pipeline import fetch_delays

        w = PIPELINE
        delays = [f"{round((d + PROBE['io_extra_ms']) * 1e6)}ns" for d in
                  fetch_delays(w["n"], w["seed"], w["min_ms"], w["max_ms"])]
        seq = self.new_scenario(w, "sequential")
        self.assertNotIn("queues", seq)
        self.assertEqual(seq["classes"]["item"]["arrivals"], {"batch": {"count": w["n"]}})
        ios = [s["io"] for s in seq["classes"]["item"]["program"] if "io" in s]
        self.assertEqual(ios, [{"sequence": delays}, f"{round((w['write_ms'] + 0.5) * 1e6)}ns"])
        for style in ("threads", "asyncio"):
            sc = self.new_scenario(w, style)
            self.assertEqual(sc["queues"], {"jobs": {"capacity": w["jobs_capacity"]},
                                            "results": {"capacity": w["results_capacity"]}})
            self.assertEqual(list(sc["classes"]), ["parse", "write", "fetch"])  # workers first, as started
            self.assertEqual(sc["classes"]["parse"]["arrivals"], {"workers": w["parsers"]})
            self.assertEqual(sc["classes"]["write"]["arrivals"], {"workers": 1})
            self.assertEqual(sc["classes"]["fetch"]["arrivals"], {"batch": {"count": w["n"]}})
            fetch = list(steps_of(sc["classes"]["fetch"]["program"]))
            self.assertEqual([s["io"] for s in fetch if "io" in s], [{"sequence": delays}])
            self.assertEqual(fetch[-1], {"put": "jobs"})
            parse = sc["classes"]["parse"]["program"]
            self.assertEqual([parse[0], parse[2]], [{"get": "jobs"}, {"put": "results"}])
            self.assertEqual(sum(c["arrivals"]["batch"]["count"] * 3 for c in sc["classes"].values()
                                 if "batch" in c["arrivals"]), fidelity.expected_n(w, style))
        self.assertEqual(self.new_scenario(w, "asyncio")["pools"], {"connections": w["fetchers"]})
        self.assertEqual(self.new_scenario(w, "threads")["strategies"][0]["threaded"]["workers"],
                         w["fetchers"] + w["parsers"] + 1)

    def test_crawler_scenario_mirrors_the_program(self):
        from crawler import site_plans

        w = CRAWLER
        plans = site_plans(w["n"], w["seed"], w["min_pages"], w["max_pages"], w["page_min_ms"], w["page_max_ms"],
                           w["link_min_ms"], w["link_max_ms"])
        for style in fidelity.STYLES:
            sc = self.new_scenario(w, style)
            site = sc["classes"]["site"]
            self.assertEqual(site["arrivals"], {"batch": {"count": w["n"]}})
            repeat, *log = site["program"]
            self.assertEqual(repeat["times"], {"sequence": [p["pages"] for p in plans]})
            fallback, parse, links = repeat["repeat"]
            retry = fallback["try"][0]
            self.assertEqual((retry["attempts"], retry["backoff"], retry["multiplier"], retry["jitter"], retry["on"]),
                             (w["attempts"], f"{round(w['backoff_ms'] * 1e6)}ns", w["multiplier"], "none",
                              ["failed"]))
            self.assertEqual(retry["retry"][-1]["fail"], {"sequence": [int(k in w["down"]) for k in range(w["n"])]})
            self.assertEqual(retry["retry"][1]["io"], {"sequence": [f"{round((p['page_ms'] + 0.5) * 1e6)}ns"
                                                                    for p in plans]})
            self.assertEqual(fallback["on"], ["failed"])
            self.assertEqual(fallback["except"][1]["io"], f"{round((w['mirror_ms'] + 0.5) * 1e6)}ns")
            self.assertEqual(parse["cpu"], f"{round(PROBE['parse_cpu_ms'][str(w['parse_ms'])] * 1e6)}ns")
            self.assertEqual((links["gather"][0]["copies"], links["mode"]), (w["links"], "gather"))
            if style == "sequential":  # the log inline, as the program calls it
                self.assertEqual([s["label"] for s in log], ["log: send", "log", "log: receive"])
            else:
                (spawn,) = log
                self.assertTrue(spawn["spawn"]["detached"])
                self.assertEqual(spawn.get("threads"), "pool" if style == "threads" else None)
                log = spawn["spawn"]["program"]
            self.assertEqual(log[1]["io"], f"{round((w['log_ms'] + 0.5) * 1e6)}ns")

    def test_hedged_scenario_mirrors_the_program(self):
        from hedged import request_delays

        w = HEDGED
        delays = request_delays(w["n"] * w["requests"], w["seed"], w["median_ms"], w["p99_ms"])
        io = lambda ds: {"sequence": [f"{round((d + PROBE['io_extra_ms']) * 1e6)}ns" for d in ds]}  # noqa: E731
        seq = self.new_scenario(w, "sequential")
        self.assertEqual(list(seq["classes"]), ["client"])
        c = seq["classes"]["client"]
        self.assertEqual(c["arrivals"], {"closed": {"users": 1, "count": w["n"] * w["requests"]}})
        send, tr = c["program"]
        self.assertEqual(tr["on"], ["timeout"])
        t = tr["try"][0]["timeout"]
        self.assertEqual((t["after"], t["on_expiry"]), (f"{round(w['hedge_ms'] * 1e6)}ns", "abort"))
        self.assertEqual(t["program"][0]["io"], io(d0 for d0, _ in delays))
        self.assertEqual(tr["except"][1]["io"], io(d1 for _, d1 in delays))
        for style in ("threads", "asyncio"):
            sc = self.new_scenario(w, style)
            self.assertEqual(list(sc["classes"]), [f"client{u}" for u in range(w["n"])])
            for u, cl in enumerate(sc["classes"].values()):
                mine = delays[u * w["requests"]:(u + 1) * w["requests"]]
                self.assertEqual(cl["arrivals"], {"closed": {"users": 1, "count": w["requests"]}})
                (h,) = cl["program"]
                self.assertEqual((h["after"], h.get("threads")),
                                 (f"{round(w['hedge_ms'] * 1e6)}ns", "pool" if style == "threads" else None))
                self.assertNotIn("copies", h)
                first, second = h["hedge"]
                self.assertEqual(first[1]["io"], io(d0 for d0, _ in mine))
                self.assertEqual(second[1]["io"], io(d1 for _, d1 in mine))
            if style == "threads":
                self.assertEqual(sc["strategies"][0]["threaded"]["workers"], w["workers"])
        off = self.new_scenario(HEDGED_OFF, "asyncio")
        self.assertEqual([s["label"] for s in off["classes"]["client0"]["program"]],
                         ["first copy: send", "first copy", "first copy: receive"])

    def test_convoy_scenario_mirrors_the_program(self):
        w = CONVOY
        sc = self.new_scenario(w, "threads")
        self.assertEqual(sc["strategies"], [{"threaded": {"workers": w["spinners"] + 1, "label": "threads"}}])
        self.assertEqual(list(sc["classes"]), ["round"])  # the spinners are no class: no tasks of theirs
        rnd = sc["classes"]["round"]
        self.assertEqual(rnd["arrivals"], {"closed": {"users": 1, "count": w["rounds"]}})
        self.assertEqual(kinds_of(sc), {"repeat", "spawn", "sleep", "cpu"})
        start, sleep, work = rnd["program"]
        self.assertEqual(start["times"], {"sequence": [1] + [0] * (w["rounds"] - 1)})  # round 0 starts them
        self.assertEqual(len(start["repeat"]), w["spinners"])
        for spawn in start["repeat"]:
            self.assertTrue(spawn["spawn"]["detached"])
            self.assertEqual(spawn["threads"], "pool")
            (spin,) = spawn["spawn"]["program"]
            self.assertEqual(spin["cpu"], f"{fidelity.convoy_spin_s(w)}s")
        self.assertEqual(sleep["sleep"], f"{round(w['sleep_ms'] * 1e6)}ns")
        self.assertEqual(work["cpu"], f"{round(PROBE['parse_cpu_ms'][str(w['parse_ms'])] * 1e6)}ns")
        # the spinners' CPU outlasts any plausible sleeper: 20 x R x (D + W + 5 ms per spinner)
        self.assertGreaterEqual(fidelity.convoy_spin_s(w), 20 * w["rounds"] * (5.0 + 2.0 + 15.0) / 1e3)
        none = self.new_scenario(dict(w, spinners=0), "threads")
        self.assertEqual([list(s)[0] for s in none["classes"]["round"]["program"]], ["sleep", "cpu"])

    def test_pool_scenario_mirrors_the_program(self):
        sc = self.new_scenario(POOL, "processes")
        self.assertEqual(sc["strategies"],
                         [{"processes": {"workers": POOL["workers"], "strategy": "blocking", "label": "processes"}}])
        (task,) = sc["classes"].values()
        self.assertEqual(task["arrivals"], {"batch": {"count": POOL["n"]}})
        (step,) = task["program"]
        self.assertEqual(step["cpu"], f"{round(PROBE['parse_cpu_ms'][str(POOL['parse_ms'])] * 1e6)}ns")
        (tiny,) = self.new_scenario(dict(POOL, parse_ms=0.0), "processes")["classes"]["task"]["program"]
        self.assertEqual(tiny["cpu"], "0ns")

    def test_api_scenario_mirrors_the_program(self):
        from api import arrival_times, gaps

        for w in (API, dict(API, name="api-overloaded", workers=1)):
            for style in fidelity.styles_of(w):
                with self.subTest(workload=w["name"], style=style):
                    # the program's own options, as the harness runs it
                    argv = fidelity.program_argv(PY, w, style, 0, 10000.0)
                    opt = dict(zip(argv[2::2], argv[3::2]))
                    self.assertEqual(opt["--style"], style)
                    n, rate, seed = int(opt["--n"]), float(opt["--rate"]), int(opt["--seed"])
                    sc = self.new_scenario(w, style)
                    self.assertEqual(list(sc["classes"]), ["request"])
                    self.assertNotIn("pools", sc)
                    self.assertNotIn("queues", sc)
                    req = sc["classes"]["request"]
                    self.assertEqual(list(req["arrivals"]), ["interval"])
                    interval = req["arrivals"]["interval"]
                    self.assertEqual(interval["count"], n)
                    every = interval["every"]["sequence"]
                    self.assertEqual(every, [f"{round(g * 1e9)}ns" for g in gaps(n, rate, seed)])
                    # gap k follows arrival k (R-ARRIVALS-INTERVAL): the arrivals are the program's, to a ns each
                    at_ns = [0]
                    for g in every[:-1]:
                        at_ns.append(at_ns[-1] + int(g[:-2]))
                    for k, at in enumerate(arrival_times(n, rate, seed)):
                        self.assertLessEqual(abs(at_ns[k] - at * 1e9), k + 1, k)
                    self.assertEqual(kinds_of(sc), {"sleep", "cpu"})
                    call1, work, call2 = req["program"]
                    self.assertEqual(call1["sleep"], f"{round(float(opt['--call1-ms']) * 1e6)}ns")
                    self.assertEqual(work["cpu"], f"{round(PROBE['parse_cpu_ms'][opt['--work-ms']] * 1e6)}ns")
                    self.assertEqual(call2["sleep"], f"{round(float(opt['--call2-ms']) * 1e6)}ns")
                    if style == "threads":
                        self.assertEqual(sc["strategies"],
                                         [{"threaded": {"workers": int(opt["--workers"]), "label": "threads"}}])
                    else:
                        self.assertEqual(sc["strategies"], [{"cooperative": {"label": "asyncio"}}])

    @unittest.skipUnless(supports_interval_sequence(),
                         "this simbench does not take interval arrivals with a sequence of gaps "
                         "(R-ARRIVALS-INTERVAL) yet, or target/release/simbench is not built")
    def test_simbench_runs_the_api_scenarios(self):
        # The harness's own (quick) api workloads, under the ideal model and the cpython profile (with
        # the producer, R-PRODUCER, and asyncio's rounded selector timeout, R-LOOP-SELECT): every
        # request arrives and completes, none takes less than its steps, and the profile's costs only
        # add to the ideal figures.
        from api import arrival_times

        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for w in fidelity.workloads(True, fidelity.API_WORKLOADS):
                steps_s = (w["call1_ms"] + PROBE["parse_cpu_ms"][str(w["parse_ms"])] + w["call2_ms"]) / 1e3
                last = arrival_times(w["n"], w["rate"], w["seed"])[-1]
                for style in fidelity.styles_of(w):
                    sc = fidelity.scenario(w, style, PROBE, 2)
                    path = tmp / f"{w['name']}-{style}.json"
                    path.write_text(json.dumps(sc))
                    got = {}
                    for runtime in (None, "cpython"):
                        with self.subTest(workload=w["name"], style=style, runtime=runtime or "ideal"):
                            got[runtime] = fidelity.predict(str(SIMBENCH), path, runtime, tmp)
                            r = json.loads((tmp / "reports" / sc["name"] / "report.json").read_text())["results"][0]
                            self.assertEqual((r["tasks"]["arrived"], r["tasks"]["completed"]), (w["n"], w["n"]))
                            self.assertGreaterEqual(r["latency_s"]["p50"], steps_s - 1e-9)
                            self.assertGreaterEqual(got[runtime]["makespan_s"], last + steps_s - 1e-6)
                            self.assertLessEqual(got[runtime]["p99_s"], got[runtime]["makespan_s"])
                    with self.subTest(workload=w["name"], style=style, runtime="cpython vs ideal"):
                        for k in ("makespan_s", "p50_s", "p99_s"):
                            self.assertGreaterEqual(got["cpython"][k], got[None][k], k)

    @unittest.skipUnless(supports_interval_sequence(),
                         "this simbench does not take interval arrivals with a sequence of gaps "
                         "(R-ARRIVALS-INTERVAL) yet, or target/release/simbench is not built")
    def test_simbench_predicts_the_hand_computed_api_figures(self):
        # The ideal model, seeds whose requests never meet on the GIL or the loop (checked below), so
        # each request holds a thread for C1 + CPU + C2 exactly: threads queue FIFO for W = 2 workers,
        # asyncio requests run at once. The mean latency depends on every arrival, the makespan on the
        # last: both must be the program's arrivals to the ns.
        from api import arrival_times

        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for style, n, rate, seed in (("threads", 10, 150.0, 9), ("asyncio", 10, 100.0, 35)):
                with self.subTest(style=style):
                    w = dict(API, name=f"api-hand-{style}", n=n, rate=rate, seed=seed, workers=2, call1_ms=10.0,
                             call2_ms=5.0)
                    cpu_s = PROBE["parse_cpu_ms"][str(w["parse_ms"])] / 1e3
                    plan = api_plan(arrival_times(n, rate, seed), w["workers"] if style == "threads" else n,
                                    w["call1_ms"] / 1e3, cpu_s, w["call2_ms"] / 1e3)
                    self.assertTrue(api_plan_is_clear(plan), "the test's seed should keep the CPU steps apart")
                    lat = [end - at for at, *_, end in plan]
                    if style == "threads":  # the seed makes requests wait for a worker
                        self.assertGreater(max(lat), 2 * (w["call1_ms"] + w["call2_ms"]) / 1e3)
                    sc = fidelity.scenario(w, style, PROBE, 2)
                    path = tmp / f"{w['name']}.json"
                    path.write_text(json.dumps(sc))
                    got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                    r = json.loads((tmp / "reports" / sc["name"] / "report.json").read_text())["results"][0]
                    self.assertAlmostEqual(got["makespan_s"], max(end for *_, end in plan), places=8)
                    self.assertAlmostEqual(r["latency_s"]["mean"], sum(lat) / n, places=8)
                    self.assertAlmostEqual(r["latency_s"]["max"], max(lat), places=8)

    @unittest.skipUnless(supports_round2(), "this simbench does not parse the round-2 language (issue 16) yet")
    def test_simbench_runs_the_convoy_scenarios(self):
        # Whatever the GIL model: no spinner, no wait (R x (D + W) exactly, ideal model); with spinners the
        # sleeper waits for the GIL, and only its R rounds are tasks: the spinners are in no figure.
        w = CONVOY
        bare = w["rounds"] * (w["sleep_ms"] + PROBE["parse_cpu_ms"][str(w["parse_ms"])]) / 1e3
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for k in (0, 1, 3):
                with self.subTest(spinners=k):
                    cw = dict(w, name=f"convoy-{k}", spinners=k)
                    sc = fidelity.scenario(cw, "threads", PROBE, 2)
                    path = tmp / f"convoy-{k}.json"
                    path.write_text(json.dumps(sc))
                    got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                    fidelity.check_convoy(cw, got)
                    r = json.loads((tmp / "reports" / sc["name"] / "report.json").read_text())["results"][0]
                    self.assertEqual(r["tasks"]["arrived"], w["rounds"])
                    self.assertEqual(r["tasks"]["completed"], w["rounds"])
                    self.assertEqual(r["peak_threads"], k + 1)
                    self.assertLessEqual(got["p99_s"], got["makespan_s"])
                    if k == 0:
                        self.assertAlmostEqual(got["makespan_s"], bare, places=6)
                    else:
                        self.assertGreater(got["makespan_s"], bare)
                        self.assertLess(got["makespan_s"], fidelity.convoy_spin_s(cw))

    @unittest.skipUnless(supports_round2(), "this simbench does not parse the round-2 language (issue 16) yet")
    def test_simbench_accepts_the_new_scenarios(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for w in NEW:
                for style in fidelity.STYLES:
                    with self.subTest(workload=w["name"], style=style):
                        text = json.dumps(fidelity.scenario(w, style, PROBE, 2))
                        path = tmp / f"{w['name']}-{style}.json"
                        path.write_text(text)
                        got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                        self.assertGreater(got["makespan_s"], 0)

    @unittest.skipUnless(supports_round2(), "this simbench does not parse the round-2 language (issue 16) yet")
    def test_simbench_predicts_the_sequential_round2_figures(self):
        # One thread, the ideal model: a makespan is the sum of its steps. A request costs
        # 0.1 + (delay + 0.5) + 0.4 ms with PROBE.
        from crawler import site_plans
        from hedged import request_delays
        from pipeline import fetch_delays

        req = lambda d: 0.1 + d + 0.5 + 0.4  # noqa: E731
        w = PIPELINE
        pipeline = sum(req(d) + w["parse_ms"] + req(w["write_ms"])
                       for d in fetch_delays(w["n"], w["seed"], w["min_ms"], w["max_ms"]))
        w = CRAWLER
        crawler = 0.0
        for k, p in enumerate(site_plans(w["n"], w["seed"], w["min_pages"], w["max_pages"], w["page_min_ms"],
                                         w["page_max_ms"], w["link_min_ms"], w["link_max_ms"])):
            if k in w["down"]:  # every attempt fails, the backoffs between them, then the mirror
                page = (w["attempts"] * req(p["page_ms"]) + sum(w["backoff_ms"] * w["multiplier"] ** a
                                                                 for a in range(w["attempts"] - 1))
                        + req(w["mirror_ms"]))
            else:
                page = req(p["page_ms"])
            crawler += p["pages"] * (page + w["parse_ms"] + w["links"] * req(p["link_ms"])) + req(w["log_ms"])
        w = HEDGED
        delays = request_delays(w["n"] * w["requests"], w["seed"], w["median_ms"], w["p99_ms"])
        # the socket timeout covers the wait (delay + 0.5) and the receive (0.4); a first copy that
        # answers before H but whose receive would cross H is an edge the test avoids
        edge = [d0 for d0, _ in delays if d0 + 0.5 < w["hedge_ms"] <= d0 + 0.9]
        hedged = sum(req(d0) if d0 + 0.5 < w["hedge_ms"] else 0.1 + w["hedge_ms"] + req(d1) for d0, d1 in delays)
        off = sum(req(d0) for d0, _ in delays)
        cases = [(PIPELINE, pipeline), (CRAWLER, crawler), (HEDGED_OFF, off)] + ([] if edge else [(HEDGED, hedged)])
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for w, makespan_ms in cases:
                with self.subTest(workload=w["name"]):
                    path = tmp / f"{w['name']}-sequential.json"
                    path.write_text(json.dumps(fidelity.scenario(w, "sequential", PROBE, 2)))
                    got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                    self.assertAlmostEqual(got["makespan_s"], makespan_ms / 1e3, places=6)

    @unittest.skipUnless(SIMBENCH.exists(), "target/release/simbench not built; run scripts/fidelity.sh first")
    def test_simbench_predicts_the_hand_computed_figures(self):
        # sequential downloads: the first task connects (0.2 + 0.3 ms), every task then costs
        # 0.1 + (100 + 0.5) + 0.4 + 2.0 = 103.0 ms: makespan 6 x 103.0 + 0.5 = 618.5 ms.
        # asyncio downloads: the loop runs the six connects' CPU (0.2 ms each) back to back, 0-1.2 ms;
        # connect k's io ends at 0.2(k + 1) + 0.3; the next iteration (1.2 ms) sends for tasks 0-3
        # (ready by then), the one after (1.6 ms) for tasks 4-5, so task 0's server io (100.5 ms) ends
        # at 101.8 ms; it receives and parses (2.4 ms) alone, then tasks 1-5, ready meanwhile, follow
        # one after another: the last ends at 101.8 + 6 x 2.4 = 116.2 ms.
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            cases = [(DOWNLOADS, "sequential", 0.6185),
                     (DOWNLOADS, "asyncio", 0.1162),
                     (PITFALL, "sequential", 9 * 0.1 + 0.3),
                     (PITFALL, "threads", 0.3),
                     (PITFALL, "asyncio", 0.3)]
            for w, style, makespan in cases:
                path = tmp / f"{w['name']}-{style}.json"
                path.write_text(json.dumps(fidelity.scenario(w, style, PROBE, 2)))
                got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                self.assertAlmostEqual(got["makespan_s"], makespan, places=6, msg=(w["name"], style))

    @unittest.skipUnless(SIMBENCH.exists(), "target/release/simbench not built; run scripts/fidelity.sh first")
    def test_simbench_accepts_every_generated_scenario(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for w in (DOWNLOADS, SCRAPER, PITFALL):
                for style in fidelity.STYLES:
                    path = tmp / f"{w['name']}-{style}.json"
                    path.write_text(json.dumps(fidelity.scenario(w, style, PROBE, 2)))
                    got = fidelity.predict(str(SIMBENCH), path, None, tmp)
                    self.assertGreater(got["makespan_s"], 0)


if __name__ == "__main__":
    unittest.main()
