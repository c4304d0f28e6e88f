"""Hedged requests against a heavy-tailed backend: U clients, R requests each, a second copy after H ms.

    python3 hedged.py --style sequential|threads|asyncio --port P [--users 4] [--requests 50]
                      [--median-ms 20] [--p99-ms 400] [--seed 13] [--hedge-ms 50] [--no-hedge]
                      [--workers 16] [--bytes 20000] [--spin-per-ms R]

Request i (client u's j-th: i = u * R + j) has two server delays, request_delays(...)[i]: its
first copy's and its second copy's, each a draw of random.Random(seed).lognormvariate with that
median and 99th percentile, to the microsecond (drawn request by request, first copy then
second). Each client sends its requests one after another, the next as soon as the previous
one has its answer; a request's latency is its answer's time minus the time it was issued.

asyncio: a task per client, gathered. Per request: t1 = create_task(fetch(copy 0));
  `asyncio.wait({t1}, timeout=H)`; if not done, t2 = create_task(fetch(copy 1)) and
  `asyncio.wait({t1, t2}, return_when=FIRST_COMPLETED)`; the loser is cancelled (its
  connection closed: it has an answer in flight).
threads: a ThreadPoolExecutor(--workers) runs the U client loops; per request, copy 0 is
  submitted to the same pool, `concurrent.futures.wait([f1], timeout=H)`, then copy 1 is
  submitted and `wait([f1, f2], FIRST_COMPLETED)`; the loser is abandoned: it runs on, holding
  its thread and connection until its answer arrives.
sequential: one thread cannot wait for two answers at once, so the sequential form of a hedge
  is a per-call timeout: send copy 0 with a socket timeout of H (`sock.settimeout`); on
  TimeoutError, drop that connection and send copy 1 without a timeout (what `requests.get(url,
  timeout=H)` and a retry do). All U x R requests run one after another.
--no-hedge: copy 0 only, waited for.

Connections are opened before t0, enough that no request waits for one or pays a connect
(asyncio: 2U plus one per request that may lose a copy; threads: one per worker; sequential:
one plus one per possible timeout). The line also holds `requests` (copies sent: the added
load), `hedges` (second copies sent), `second_won` (second copies that answered first) and
`connects_in_run` (connections opened after t0 because the spares ran out: 0 expected).
Prints one JSON line (see common.report_latencies).
"""

import asyncio
import math
import random
import time

from common import AsyncClient, SyncClient, base_args, item_path, report_latencies

DEFAULTS = dict(n=4, workers=16, parse_ms=0.0, requests=50, median_ms=20.0, p99_ms=400.0, seed=13, hedge_ms=50.0)
Z99 = 2.3263478740408408  # the standard normal's 99th percentile


def request_delays(n, seed, median_ms, p99_ms):
    """[(first copy's delay, second copy's delay)] in ms, to the microsecond, for each request."""
    rng = random.Random(seed)
    mu, sigma = math.log(median_ms), math.log(p99_ms / median_ms) / Z99
    return [(round(rng.lognormvariate(mu, sigma), 3), round(rng.lognormvariate(mu, sigma), 3)) for _ in range(n)]


def spares(delays, hedge_ms):
    """Requests whose first copy may outlast the hedge delay (each may lose a connection)."""
    return sum(1 for d0, _ in delays if d0 > 0.5 * hedge_ms)


class Counts:
    def __init__(self):
        self.requests = self.hedges = self.second_won = self.connects_in_run = 0


def run_sequential(a, paths, delays, cnt):
    import collections

    pool = collections.deque()
    for _ in range(1 + (spares(delays, a.hedge_ms) if a.hedge else 0) + 4):
        c = SyncClient(a.port)
        c.connect()
        pool.append(c)
    n = len(paths)
    lat = [None] * n
    t0 = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        c = pool[0]
        cnt.requests += 1
        c.send(paths[i][0])
        if not a.hedge:
            c.receive()
        else:
            c.conn.sock.settimeout(a.hedge_ms / 1e3)
            try:
                c.receive()
                c.conn.sock.settimeout(None)
            except TimeoutError:
                pool.popleft().close()  # an answer is in flight on it: unusable
                if not pool:  # not expected: a spare per request that may time out
                    cnt.connects_in_run += 1
                    pool.append(SyncClient(a.port))
                c = pool[0]
                cnt.requests += 1
                cnt.hedges += 1
                cnt.second_won += 1
                c.get(paths[i][1])
        lat[i] = time.perf_counter() - t
    return lat, time.perf_counter() - t0


def run_threads(a, paths, cnt):
    import concurrent.futures as cf
    import queue
    import threading

    conns = queue.LifoQueue()
    for _ in range(a.workers):
        c = SyncClient(a.port)
        c.connect()
        conns.put(c)
    lock = threading.Lock()
    n = len(paths)
    lat = [None] * n

    def fetch(path):
        with lock:
            cnt.requests += 1
        c = conns.get()
        try:
            c.get(path)
        finally:
            conns.put(c)

    def request(i):
        f1 = pool.submit(fetch, paths[i][0])
        if not a.hedge:
            return f1.result()
        done, _ = cf.wait([f1], timeout=a.hedge_ms / 1e3)
        if not done:
            with lock:
                cnt.hedges += 1
            f2 = pool.submit(fetch, paths[i][1])
            done, _ = cf.wait([f1, f2], return_when=cf.FIRST_COMPLETED)
            if f1 not in done:
                with lock:
                    cnt.second_won += 1
        for f in done:
            f.result()  # raise the winner's error, if any; the loser is abandoned

    def client(u):
        for j in range(a.requests):
            i = u * a.requests + j
            t = time.perf_counter()
            request(i)
            lat[i] = time.perf_counter() - t
        return time.perf_counter()

    pool = cf.ThreadPoolExecutor(max_workers=a.workers)
    t0 = time.perf_counter()
    ends = [f.result() for f in [pool.submit(client, u) for u in range(a.n)]]
    makespan = max(ends) - t0
    pool.shutdown(wait=False)  # abandoned losers run on; the interpreter joins them at exit
    return lat, makespan


async def run_asyncio(a, paths, delays, cnt):
    idle = []
    for _ in range(2 * a.n + (spares(delays, a.hedge_ms) if a.hedge else 0) + 4):
        c = AsyncClient(a.port)
        await c.connect()
        idle.append(c)
    n = len(paths)
    lat = [None] * n

    async def fetch(path):
        cnt.requests += 1
        if not idle:  # not expected: the pool has a spare for every request that may lose a copy
            cnt.connects_in_run += 1
        c = idle.pop() if idle else AsyncClient(a.port)
        try:
            await c.get(path)
        except asyncio.CancelledError:
            if c.writer is not None:
                c.writer.close()  # an answer is in flight on it: unusable
            raise
        idle.append(c)

    async def request(i):
        t1 = asyncio.create_task(fetch(paths[i][0]))
        if not a.hedge:
            return await t1
        done, _ = await asyncio.wait({t1}, timeout=a.hedge_ms / 1e3)
        if not done:
            cnt.hedges += 1
            t2 = asyncio.create_task(fetch(paths[i][1]))
            done, pending = await asyncio.wait({t1, t2}, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
            if t1 not in done:
                cnt.second_won += 1
        for t in done:
            t.result()

    async def client(u):
        for j in range(a.requests):
            i = u * a.requests + j
            t = time.perf_counter()
            await request(i)
            lat[i] = time.perf_counter() - t
        return time.perf_counter()

    t0 = time.perf_counter()
    ends = await asyncio.gather(*(client(u) for u in range(a.n)))
    return lat, max(ends) - t0


def main(a):
    # --parse-ms and --spin-per-ms are accepted for a uniform command line; there is no parse here
    n = a.n * a.requests
    delays = request_delays(n, a.seed, a.median_ms, a.p99_ms)
    paths = [(item_path(d0, a.bytes), item_path(d1, a.bytes)) for d0, d1 in delays]
    cnt = Counts()
    if a.style == "sequential":
        lat, makespan = run_sequential(a, paths, delays, cnt)
    elif a.style == "threads":
        lat, makespan = run_threads(a, paths, cnt)
    else:
        lat, makespan = asyncio.run(run_asyncio(a, paths, delays, cnt))
    report_latencies("hedged", a.style, lat, makespan,
                     extra={"requests": cnt.requests, "hedges": cnt.hedges, "second_won": cnt.second_won,
                            "connects_in_run": cnt.connects_in_run},
                     users=a.n, requests_per_user=a.requests, median_ms=a.median_ms, p99_ms=a.p99_ms,
                     seed=a.seed, hedge_ms=a.hedge_ms if a.hedge else None, workers=a.workers, bytes=a.bytes)


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.add_argument("--users", dest="n", type=int, help="U: clients (same as --n)")
    p.add_argument("--requests", type=int, default=DEFAULTS["requests"], help="R: requests per client")
    p.add_argument("--median-ms", type=float, default=DEFAULTS["median_ms"])
    p.add_argument("--p99-ms", type=float, default=DEFAULTS["p99_ms"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--hedge-ms", type=float, default=DEFAULTS["hedge_ms"], help="H: send a second copy after this")
    p.add_argument("--no-hedge", dest="hedge", action="store_false", help="one copy per request, waited for")
    main(p.parse_args())
