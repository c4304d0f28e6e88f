"""An open-loop API server: requests arrive at Poisson times, each an upstream call, a few ms of CPU, another call.

    python3 api.py --style {threads,asyncio} [--n 400] [--rate 100] [--seed 3] [--workers 16]
                   [--call1-ms 10] [--work-ms 3] [--call2-ms 5] [--spin-per-ms R]

The arrivals do not wait for the server: request k is due at `arrivals[k]` (gaps drawn by
`random.Random(seed).expovariate(rate)`, the first request at t0), whether or not earlier ones
have finished, as the clients of a real service send them. A producer makes each one when it is
due, written the way such a program's producer is written (docs/model.md, R-PRODUCER):

- threads: the main thread sleeps until each arrival (`time.sleep`) and submits the request to a
  ThreadPoolExecutor(P); with P too small for the rate the requests queue in the executor;
- asyncio: the main coroutine, as the producer, sleeps until each arrival (`asyncio.sleep`) and makes it a task
  (`asyncio.create_task`).

A request is the handler of an API endpoint: an upstream call (C1 ms: `time.sleep` on a worker
thread, `asyncio.sleep` in a coroutine; a sleep rather than a socket, so no server is needed and
the I/O's length is exact), then W ms of CPU (the parse loop, `common.parse_work`, holding the
GIL), then a second upstream call (C2 ms). Its latency runs from its scheduled arrival (not from
when the producer got round to it: a late producer is latency the clients see) to its end; the
makespan from t0 to the last request's end.

Prints one JSON line (see common.report_latencies); it also holds `producer_lag_p99_s`, the
99th percentile of how late the producer made each arrival, and `work_cpu_mean_s`, the mean CPU
time of a request's W ms of work as this run measured it.
"""

import argparse
import asyncio
import concurrent.futures
import random
import sys
import time

from common import parse_work, percentile, report_latencies, spin_rate

DEFAULTS = dict(n=400, rate=100.0, seed=3, workers=16, call1_ms=10.0, work_ms=3.0, call2_ms=5.0)


def gaps(n, rate, seed):
    """The n gaps after each arrival, in seconds (exponential of mean 1/rate: Poisson arrivals);
    arrival 0 is at t0 and arrival k at the sum of the first k gaps, so the last gap is unused.
    The fidelity check replays the same list as the scenario's `interval.every` sequence."""
    rng = random.Random(seed)
    return [rng.expovariate(rate) for _ in range(n)]


def arrival_times(n, rate, seed):
    at, out = 0.0, []
    for g in gaps(n, rate, seed):
        out.append(at)
        at += g
    return out


def run_threads(a, rate, arrivals):
    c1, c2 = a.call1_ms / 1e3, a.call2_ms / 1e3
    n = len(arrivals)
    ends = [0.0] * n

    def handle(k):
        time.sleep(c1)
        parse_work(a.work_ms, rate)
        time.sleep(c2)
        ends[k] = time.monotonic()

    lag, futures = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.workers) as ex:
        t0 = time.monotonic()
        for k, at in enumerate(arrivals):
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            lag.append(time.monotonic() - (t0 + at))
            futures.append(ex.submit(handle, k))
    for f in futures:
        f.result()  # a request that raised fails the run, as asyncio.gather does
    return t0, ends, lag


async def run_asyncio(a, rate, arrivals):
    c1, c2 = a.call1_ms / 1e3, a.call2_ms / 1e3
    loop = asyncio.get_running_loop()
    n = len(arrivals)
    ends = [0.0] * n
    tasks = []

    async def handle(k):
        await asyncio.sleep(c1)
        parse_work(a.work_ms, rate)
        await asyncio.sleep(c2)
        ends[k] = loop.time()

    lag = []
    t0 = loop.time()
    for k, at in enumerate(arrivals):
        delay = t0 + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lag.append(loop.time() - (t0 + at))
        tasks.append(asyncio.create_task(handle(k)))
    await asyncio.gather(*tasks)
    return t0, ends, lag


def main(a):
    if a.n < 1 or a.rate <= 0 or a.workers < 1 or min(a.call1_ms, a.work_ms, a.call2_ms) < 0:
        sys.exit("--n and --workers must be >= 1, --rate > 0, --call1-ms, --work-ms and --call2-ms >= 0")
    rate = spin_rate(a)
    arrivals = arrival_times(a.n, a.rate, a.seed)
    if a.style == "threads":
        t0, ends, lag = run_threads(a, rate, arrivals)
    else:
        t0, ends, lag = asyncio.run(run_asyncio(a, rate, arrivals))
    lat = [end - (t0 + at) for end, at in zip(ends, arrivals)]
    report_latencies("api", a.style, lat, max(ends) - t0,
                     extra={"producer_lag_p99_s": percentile(sorted(lag), 0.99)},
                     n=a.n, rate=a.rate, seed=a.seed, workers=a.workers, call1_ms=a.call1_ms,
                     work_ms=a.work_ms, call2_ms=a.call2_ms, spin_per_ms=rate)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--style", choices=["threads", "asyncio"], required=True,
                   help="sequential has no open-loop form: one thread cannot accept while it serves")
    p.add_argument("--n", type=int, default=DEFAULTS["n"], help="N: requests")
    p.add_argument("--rate", type=float, default=DEFAULTS["rate"], help="requests per second (Poisson)")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="seed of the arrival gaps")
    p.add_argument("--workers", type=int, default=DEFAULTS["workers"],
                   help="ThreadPoolExecutor workers (threads style)")
    p.add_argument("--call1-ms", type=float, default=DEFAULTS["call1_ms"], help="C1: first upstream call, ms")
    p.add_argument("--work-ms", type=float, default=DEFAULTS["work_ms"],
                   help="W: CPU per request, ms of the parse loop")
    p.add_argument("--call2-ms", type=float, default=DEFAULTS["call2_ms"], help="C2: second upstream call, ms")
    p.add_argument("--spin-per-ms", type=float, default=None,
                   help="iterations of the parse loop per ms (default: measured at start)")
    main(p.parse_args())
