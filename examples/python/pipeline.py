"""A producer/consumer pipeline: fetch N items -> bounded queue -> P parsers -> bounded queue -> one writer.

    python3 pipeline.py --style sequential|threads|asyncio --port P [--n 80] [--fetchers 8] [--parsers 2]
                        [--jobs-capacity 4] [--results-capacity 4] [--min-ms 20] [--max-ms 60] [--seed 11]
                        [--parse-ms 8] [--write-ms 2] [--bytes 20000] [--spin-per-ms R]

Item i's fetch asks the server for a delay of fetch_delays(...)[i] (random.Random(seed).uniform,
to the microsecond); the parse is common.parse_work(--parse-ms); the write is one more request
with a fixed delay (--write-ms), standing for a database insert. Every request asks for --bytes.

asyncio: one task per item, at most F fetches at once (an asyncio.Semaphore(F) around a pool
  of F connections), each then `await jobs.put(i)` (asyncio.Queue(maxsize));
  P parser tasks `await jobs.get()`, parse (holding the loop), `await results.put(i)`,
  `jobs.task_done()`; one writer task `await results.get()`, writes on its own connection,
  `results.task_done()`. main: the workers are created first, then the fetches are gathered,
  `await jobs.join()`, `await results.join()`, and the workers are cancelled.
threads: the fetches on a ThreadPoolExecutor(F) (a pool of F connections), each ending with
  `jobs.put(i)` (queue.Queue(maxsize), blocking when full); P parser threads and one writer
  thread (threading.Thread, started first) loop on `get()` until a sentinel (None): main puts
  one sentinel per parser when every fetch is done, joins them, then one for the writer.
sequential: the idiomatic single-threaded loop, item by item: fetch, parse, write (one
  connection); there are no queues, since one thread cannot run a stage while another waits.

Connections are opened before t0 (a warm connection pool), so no request in the run pays a
connect. Latencies follow simbench's rule for worker classes (docs: R-QUEUE): with queues, each
item gives three tasks: its fetch (t0 -> its put into `jobs` returned), its parse (that put ->
its put into `results` returned) and its write (that put -> the write's answer), listed in that
order (n = 3N); sequential: one task per item (t0 -> its write's answer, n = N). The line also
holds per-stage figures (`stages`) and each item's end-to-end time (`items`).
Prints one JSON line (see common.report_latencies).
"""

import asyncio
import queue
import random
import threading
import time

from common import (AsyncClient, SyncClient, base_args, item_path, parse_work, report_latencies, spin_rate,
                    summary)

DEFAULTS = dict(n=80, workers=8, parse_ms=8.0, fetchers=8, parsers=2, jobs_capacity=4, results_capacity=4,
                min_ms=20.0, max_ms=60.0, seed=11, write_ms=2.0)


def fetch_delays(n, seed, min_ms, max_ms):
    """Each item's fetch delay in ms, to the microsecond."""
    rng = random.Random(seed)
    return [round(rng.uniform(min_ms, max_ms), 3) for _ in range(n)]


class Record:
    """The times the stages need: each item's put into jobs and results, and every stage task's latency."""

    def __init__(self, n):
        self.t0 = time.perf_counter()
        self.put_jobs = [None] * n
        self.put_results = [None] * n
        self.end = [None] * n
        self.fetch = [None] * n  # by item
        self.parse = []  # in the order the parsers finished
        self.write = []

    def emit(self, a, style, params):
        missing = [i for i, e in enumerate(self.end) if e is None]
        if missing:
            raise RuntimeError(f"items {missing[:10]} never written")
        items = [e - self.t0 for e in self.end]
        if style == "sequential":
            lat, stages = items, {}
        else:
            lat = self.fetch + self.parse + self.write
            stages = {"fetch": summary(self.fetch), "parse": summary(self.parse), "write": summary(self.write)}
        report_latencies("pipeline", style, lat, max(items), extra={"stages": stages, "items": summary(items)},
                         **params)


def run_sequential(a, fetch_paths, write_path, rate, params):
    client = SyncClient(a.port)
    client.connect()
    rec = Record(a.n)
    for i, path in enumerate(fetch_paths):
        client.get(path)
        parse_work(a.parse_ms, rate)
        client.get(write_path)
        rec.end[i] = time.perf_counter()
    rec.emit(a, "sequential", params)
    client.close()


def run_threads(a, fetch_paths, write_path, rate, params):
    import concurrent.futures

    conns = queue.LifoQueue()
    all_clients = []
    for _ in range(a.fetchers):
        c = SyncClient(a.port)
        c.connect()
        conns.put(c)
        all_clients.append(c)
    wclient = SyncClient(a.port)
    wclient.connect()
    all_clients.append(wclient)
    jobs = queue.Queue(maxsize=a.jobs_capacity)
    results = queue.Queue(maxsize=a.results_capacity)

    def fetch(i):
        c = conns.get()
        c.get(fetch_paths[i])
        conns.put(c)
        jobs.put(i)
        t = time.perf_counter()
        rec.put_jobs[i] = t
        rec.fetch[i] = t - rec.t0

    def parser():
        while True:
            i = jobs.get()
            if i is None:
                return
            parse_work(a.parse_ms, rate)
            results.put(i)
            t = time.perf_counter()
            rec.put_results[i] = t
            rec.parse.append(t - rec.put_jobs[i])

    def writer():
        while True:
            i = results.get()
            if i is None:
                return
            wclient.get(write_path)
            t = time.perf_counter()
            rec.end[i] = t
            rec.write.append(t - rec.put_results[i])

    rec = Record(a.n)
    workers = [threading.Thread(target=parser) for _ in range(a.parsers)]
    wthread = threading.Thread(target=writer)
    for t in workers + [wthread]:
        t.start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.fetchers) as pool:
        for f in [pool.submit(fetch, i) for i in range(a.n)]:
            f.result()
    for _ in workers:
        jobs.put(None)
    for t in workers:
        t.join()
    results.put(None)
    wthread.join()
    rec.emit(a, "threads", params)
    for c in all_clients:
        c.close()


async def run_asyncio(a, fetch_paths, write_path, rate, params):
    idle = []
    for _ in range(a.fetchers):
        c = AsyncClient(a.port)
        await c.connect()
        idle.append(c)
    clients = list(idle)
    wclient = AsyncClient(a.port)
    await wclient.connect()
    clients.append(wclient)
    jobs = asyncio.Queue(maxsize=a.jobs_capacity)
    results = asyncio.Queue(maxsize=a.results_capacity)
    sem = asyncio.Semaphore(a.fetchers)

    async def fetch(i):
        async with sem:
            c = idle.pop()
            await c.get(fetch_paths[i])
            idle.append(c)
        await jobs.put(i)
        t = time.perf_counter()
        rec.put_jobs[i] = t
        rec.fetch[i] = t - rec.t0

    async def parser():
        while True:
            i = await jobs.get()
            parse_work(a.parse_ms, rate)
            await results.put(i)
            t = time.perf_counter()
            rec.put_results[i] = t
            rec.parse.append(t - rec.put_jobs[i])
            jobs.task_done()

    async def writer():
        while True:
            i = await results.get()
            await wclient.get(write_path)
            t = time.perf_counter()
            rec.end[i] = t
            rec.write.append(t - rec.put_results[i])
            results.task_done()

    rec = Record(a.n)
    workers = [asyncio.create_task(parser()) for _ in range(a.parsers)] + [asyncio.create_task(writer())]
    await asyncio.gather(*(fetch(i) for i in range(a.n)))
    await jobs.join()
    await results.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    rec.emit(a, "asyncio", params)
    for c in clients:
        await c.close()


def main(a):
    rate = spin_rate(a)
    if min(a.fetchers, a.parsers, a.jobs_capacity, a.results_capacity) < 1:
        raise SystemExit("--fetchers, --parsers and the capacities must be at least 1")
    delays = fetch_delays(a.n, a.seed, a.min_ms, a.max_ms)
    fetch_paths = [item_path(d, a.bytes) for d in delays]
    write_path = item_path(a.write_ms, a.bytes)
    params = dict(n=a.n, fetchers=a.fetchers, parsers=a.parsers, jobs_capacity=a.jobs_capacity,
                  results_capacity=a.results_capacity, min_ms=a.min_ms, max_ms=a.max_ms, seed=a.seed,
                  parse_ms=a.parse_ms, write_ms=a.write_ms, bytes=a.bytes, spin_per_ms=rate)
    if a.style == "sequential":
        run_sequential(a, fetch_paths, write_path, rate, params)
    elif a.style == "threads":
        run_threads(a, fetch_paths, write_path, rate, params)
    else:
        asyncio.run(run_asyncio(a, fetch_paths, write_path, rate, params))


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.add_argument("--fetchers", type=int, default=DEFAULTS["fetchers"],
                   help="F: fetches at once (threads: the ThreadPoolExecutor's workers; asyncio: a Semaphore)")
    p.add_argument("--parsers", type=int, default=DEFAULTS["parsers"], help="P: parser workers")
    p.add_argument("--jobs-capacity", type=int, default=DEFAULTS["jobs_capacity"], help="maxsize of fetch -> parse")
    p.add_argument("--results-capacity", type=int, default=DEFAULTS["results_capacity"],
                   help="maxsize of parse -> write")
    p.add_argument("--min-ms", type=float, default=DEFAULTS["min_ms"])
    p.add_argument("--max-ms", type=float, default=DEFAULTS["max_ms"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--write-ms", type=float, default=DEFAULTS["write_ms"], help="the writer's request delay")
    main(p.parse_args())
