"""The GIL convoy: a thread back from time.sleep must take the GIL from K CPU-bound threads.

    python3 convoy.py --style threads [--spinners 3] [--rounds 100] [--sleep-ms 10] [--work-ms 0.5]
                      [--spin-per-ms R]

A ThreadPoolExecutor(K + 1): K spinner threads run a pure-Python busy loop (`while not stop:
x += 1`), which holds the GIL whenever it runs, while one sleeper thread does R rounds of
`time.sleep(D)` followed by a small CPU step (`common.parse_work(W)`, W ms of the parse loop: a
request's handling after its I/O). `time.sleep` releases the GIL; to run again the sleeper must
take it back from a spinner. CPython (Python/ceval_gil.c, take_gil): the waiter waits up to
sys.getswitchinterval() (5 ms), then sets a drop request; the holder drops the GIL at its next
eval-breaker check, and the next holder is whichever waiting thread the OS wakes first, the
sleeper or another spinner (which then holds it for another interval). With one spinner a round
costs about D + 5 ms; with several, the sleeper often loses the race and waits intervals more.

Each round is one task (one request): its latency runs from the round's start (the previous
round's end) to the end of its CPU step, so the latencies add up to the makespan, from the first
round's start (t0, taken in the sleeper thread) to the last round's end. The spinners are
submitted first and are spinning (a barrier, then 50 ms) before the sleeper starts; they stop at
once when the sleeper finishes (a stop flag), so they do not extend the run.

Only `--style threads`: sequential has one thread, so nothing can spin while it sleeps; in
asyncio a busy loop in a coroutine never yields, so the sleeper would never run (the blocking
pitfall, not a convoy), and spinners moved to threads (`asyncio.to_thread`) make a different
workload, the event loop's thread taking the GIL back after each epoll wait.

Prints one JSON line (see common.report_latencies); it also holds `mean_s`, `max_s` and
`spins` (the spinners' loop iterations, all together).
"""

import argparse
import concurrent.futures
import sys
import threading
import time

from common import parse_work, percentile, report_latencies, spin_rate

DEFAULTS = dict(spinners=3, rounds=100, sleep_ms=10.0, work_ms=0.5)


def run_threads(a, rate):
    k, rounds, d = a.spinners, a.rounds, a.sleep_ms / 1e3
    state = {"stop": False}
    ready = threading.Barrier(k + 1)

    def spinner():
        ready.wait()
        x = 0
        while not state["stop"]:
            x += 1
        return x

    def sleeper():
        lat = []
        try:
            t = t0 = time.perf_counter()
            for _ in range(rounds):
                time.sleep(d)
                parse_work(a.work_ms, rate)
                now = time.perf_counter()
                lat.append(now - t)
                t = now
            return lat, t - t0
        finally:
            state["stop"] = True  # the spinners stop at their next check

    with concurrent.futures.ThreadPoolExecutor(max_workers=k + 1) as pool:
        spinners = [pool.submit(spinner) for _ in range(k)]
        ready.wait()
        time.sleep(0.05)  # every spinner is in its loop
        try:
            lat, makespan = pool.submit(sleeper).result()
        finally:
            state["stop"] = True
        spins = sum(f.result() for f in spinners)
    return lat, makespan, spins


def main(a):
    if a.spinners < 0 or a.rounds < 1 or a.sleep_ms < 0 or a.work_ms < 0:
        sys.exit("--spinners must be >= 0, --rounds >= 1, --sleep-ms and --work-ms >= 0")
    rate = spin_rate(a)
    lat, makespan, spins = run_threads(a, rate)
    s = sorted(lat)
    report_latencies("convoy", a.style, lat, makespan,
                     extra={"mean_s": sum(lat) / len(lat), "max_s": s[-1], "p90_s": percentile(s, 0.90),
                            "spins": spins},
                     spinners=a.spinners, rounds=a.rounds, sleep_ms=a.sleep_ms, work_ms=a.work_ms,
                     spin_per_ms=rate, workers=a.spinners + 1, switch_interval_s=sys.getswitchinterval())


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--style", choices=["threads"], required=True,
                   help="threads only: see the docstring for why not sequential or asyncio")
    p.add_argument("--spinners", type=int, default=DEFAULTS["spinners"], help="K: CPU-bound threads")
    p.add_argument("--rounds", type=int, default=DEFAULTS["rounds"], help="R: the sleeper's rounds (tasks)")
    p.add_argument("--sleep-ms", type=float, default=DEFAULTS["sleep_ms"], help="D: time.sleep per round, ms")
    p.add_argument("--work-ms", type=float, default=DEFAULTS["work_ms"],
                   help="W: CPU step after each sleep, ms of the parse loop")
    p.add_argument("--spin-per-ms", type=float, default=None,
                   help="iterations of the parse loop per ms (default: measured at start)")
    main(p.parse_args())
