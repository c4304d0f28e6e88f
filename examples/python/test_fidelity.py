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
DOWNLOADS = dict(name="downloads", n=6, workers=2, delay_ms=100.0, parse_ms=2.0, bytes=1000)
SCRAPER = dict(name="scraper", n=12, connections=3, min_ms=20.0, max_ms=40.0, seed=3, parse_ms=3.0, bytes=1000)
PITFALL = dict(name="blocking-pitfall", n=10, workers=10, sleep_ms=100.0, block_ms=300.0)


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

    def test_pitfall_asyncio_stalls_the_sleepers(self):
        out = fidelity.run_json(fidelity.program_argv(PY, PITFALL, "asyncio", 0, 1.0), 60, "pitfall")
        self.assertGreaterEqual(out["p50_s"], PITFALL["block_ms"] / 1e3)

    def test_a_program_that_cannot_connect_fails_loudly(self):
        argv = fidelity.program_argv(PY, DOWNLOADS, "sequential", 1, 10000.0)  # nothing listens on port 1
        with self.assertRaises(fidelity.CheckError) as e:
            fidelity.run_json(argv, 60, "downloads")
        self.assertIn("failed", str(e.exception))


class Scenarios(unittest.TestCase):
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
