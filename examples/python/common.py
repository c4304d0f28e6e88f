"""Shared pieces of the fidelity programs (stdlib only).

- ``spin``: the CPU "parse" work, a deterministic pure-Python loop; its speed
  is measured once (``spin_per_ms``) and a parse of P ms runs
  ``round(P * spin_per_ms)`` iterations.
- ``SyncClient`` (http.client, one keep-alive connection) and ``AsyncClient``
  (a minimal HTTP/1.1 client on asyncio streams), both reading whole bodies.
- ``Clock`` and ``report``: every program takes t0 just before it creates its
  first task and prints one JSON line with each task's latency (finish - t0:
  all tasks arrive at t0), the makespan, p50 and p99 (nearest rank, as an
  HdrHistogram's value at a quantile) and n.

The programs and the probe (probe.py) import this module, so the work the
probe measures is byte for byte the work the programs do.
"""

import argparse
import asyncio
import http.client
import json
import math
import statistics
import sys
import time

HOST = "127.0.0.1"


def spin(iters):
    """Pure-Python CPU work: `iters` rounds of an LCG-like update. Holds the GIL throughout."""
    x = 0
    for i in range(iters):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def measure_spin_per_ms(rounds=7, iters=200_000):
    """Iterations of `spin` per millisecond on this machine: the median over `rounds` timed runs of
    `iters` iterations (about 10-20 ms each), measured with the thread's CPU clock so that a busy
    neighbour process does not count."""
    spin(iters)  # warm up
    per_ms = []
    for _ in range(rounds):
        t = time.thread_time()
        spin(iters)
        per_ms.append(iters / ((time.thread_time() - t) * 1e3))
    return statistics.median(per_ms)


# The CPU time (time.thread_time) of every parse this process ran: what a scenario's `cpu` step
# stands for, as this run saw it. The probe measures it once, before the runs; a machine whose CPU
# slows down or speeds up between the two (a VM's neighbours) shows here, and scripts/fidelity.py
# predicts each run from its own figure. `report` and `report_latencies` print its mean.
WORK_CPU_S = []


def parse_work(parse_ms, spin_per_ms):
    """The CPU parse of one page: `parse_ms` milliseconds of `spin`. Returns its CPU time (seconds),
    which it also records in WORK_CPU_S (list.append is atomic under the GIL)."""
    if parse_ms <= 0:
        return 0.0
    start = time.thread_time()
    spin(round(parse_ms * spin_per_ms))
    cpu = time.thread_time() - start
    WORK_CPU_S.append(cpu)
    return cpu


def work_cpu_fields():
    """`work_cpu_mean_s` and `work_count` of this run's parses, for its JSON line ({} if none ran)."""
    if not WORK_CPU_S:
        return {}
    return {"work_cpu_mean_s": sum(WORK_CPU_S) / len(WORK_CPU_S), "work_count": len(WORK_CPU_S)}


def item_path(delay_ms, nbytes, status=None):
    """The server's URL for one item; `status` (e.g. 503) makes the answer a failure after the delay."""
    path = f"/item?delay_ms={delay_ms:.3f}&bytes={nbytes}"
    return path if status is None else f"{path}&status={status}"


class HTTPStatusError(RuntimeError):
    """The server answered, with a status other than 200 (the body was read: the connection is reusable)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class SyncClient:
    """One HTTP/1.1 keep-alive connection through http.client (sequential and thread styles)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection(HOST, port)

    def connect(self):
        self.conn.connect()

    def send(self, path):
        self.conn.request("GET", path)

    def receive(self):
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise HTTPStatusError(r.status, f"server answered {r.status} {r.reason}: {body[:200]!r}")
        return body

    def get(self, path):
        self.send(path)
        return self.receive()

    def close(self):
        self.conn.close()


class AsyncClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (asyncio style)."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def send(self, path):
        if self.writer is None:
            await self.connect()
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode("ascii"))
        await self.writer.drain()

    async def receive(self):
        status = await self.reader.readline()
        if not status:
            raise RuntimeError("server closed the connection")
        parts = status.split(None, 2)
        length = None
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no Content-Length in the answer {status!r}")
        body = await self.reader.readexactly(length)
        if len(parts) < 2 or parts[1] != b"200":
            code = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
            raise HTTPStatusError(code, f"server answered {status!r}: {body[:200]!r}")
        return body

    async def get(self, path):
        await self.send(path)
        return await self.receive()

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass


def percentile(sorted_values, q):
    """numpy's default (linear, Hyndman and Fan type 7) percentile, as simbench's reports give it
    (docs/report.md, Percentiles): h = (n - 1) q, then x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    n = len(sorted_values)
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


class Clock:
    """t0 and the finish time of each task, by index."""

    def __init__(self, n):
        self.finish = [None] * n
        self.t0 = time.perf_counter()

    def done(self, i):
        self.finish[i] = time.perf_counter()


def report(workload, style, clock, **params):
    """Print the run's one JSON line and fail if a task did not finish."""
    missing = [i for i, f in enumerate(clock.finish) if f is None]
    if missing:
        raise RuntimeError(f"tasks {missing[:10]} never finished")
    lat = [f - clock.t0 for f in clock.finish]
    s = sorted(lat)
    out = {
        "workload": workload,
        "style": style,
        "n": len(lat),
        "makespan_s": s[-1],
        "p50_s": percentile(s, 0.50),
        "p99_s": percentile(s, 0.99),
        "latencies_s": [round(x, 6) for x in lat],
        **work_cpu_fields(),
        "params": params,
    }
    print(json.dumps(out), flush=True)


def report_latencies(workload, style, latencies, makespan, extra=None, **params):
    """The same line as `report`, for programs whose tasks do not all arrive at t0 (each latency is
    finish - arrival, as simbench measures it) or that report figures of their own (`extra`)."""
    s = sorted(latencies)
    out = {
        "workload": workload,
        "style": style,
        "n": len(s),
        "makespan_s": makespan,
        "p50_s": percentile(s, 0.50),
        "p99_s": percentile(s, 0.99),
        "latencies_s": [round(x, 6) for x in latencies],
        **work_cpu_fields(),
        **(extra or {}),
        "params": params,
    }
    print(json.dumps(out), flush=True)


def summary(latencies):
    """p50, p99 (nearest rank) and max of a list of latencies, for per-stage figures."""
    s = sorted(latencies)
    return {"n": len(s), "p50_s": percentile(s, 0.50), "p99_s": percentile(s, 0.99), "max_s": s[-1]} if s else {"n": 0}


def base_args(description, defaults):
    """The options every program takes; `defaults` sets n, workers and the rest per program."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--style", choices=["sequential", "threads", "asyncio"], required=True)
    p.add_argument("--n", type=int, default=defaults["n"], help="tasks, all arriving at t0")
    p.add_argument("--workers", type=int, default=defaults["workers"],
                   help="ThreadPoolExecutor workers (threads style)")
    if defaults.get("server", True):
        p.add_argument("--port", type=int, required=True, help="port of server.py on 127.0.0.1")
        p.add_argument("--bytes", type=int, default=defaults.get("bytes", 20000), help="response body size")
        p.add_argument("--parse-ms", type=float, default=defaults["parse_ms"], help="CPU parse per task, ms")
        p.add_argument("--spin-per-ms", type=float, default=None,
                       help="iterations of the parse loop per ms (default: measured at start)")
    return p


def spin_rate(args):
    rate = args.spin_per_ms or measure_spin_per_ms()
    if rate <= 0:
        sys.exit("--spin-per-ms must be positive")
    return rate


def fetch_all(args, workload, delays, limit=None):
    """Fetch one page per delay in `args.style`, parse each, and print the report line.

    sequential: one keep-alive connection, pages in order. threads: a
    ThreadPoolExecutor(args.workers), one keep-alive connection per worker
    thread. asyncio: one task per page, all gathered; without `limit`, each
    task opens its own connection (asyncio.gather of downloads); with `limit`
    C, an asyncio.Semaphore(C) guards a pool of at most C keep-alive
    connections (a scraper's connector), and the parse runs after the
    connection is handed back. Connections are closed after the makespan.
    """
    rate = spin_rate(args)
    paths = [item_path(d, args.bytes) for d in delays]
    n = len(paths)
    params = dict(n=n, workers=args.workers, limit=limit, bytes=args.bytes, parse_ms=args.parse_ms,
                  spin_per_ms=rate)

    if args.style == "sequential":
        client = SyncClient(args.port)
        clock = Clock(n)
        for i, path in enumerate(paths):
            client.get(path)
            parse_work(args.parse_ms, rate)
            clock.done(i)
        report(workload, args.style, clock, **params)
        client.close()
    elif args.style == "threads":
        import concurrent.futures
        import threading

        local = threading.local()
        clients = []

        def task(i):
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = SyncClient(args.port)
                clients.append(client)
            client.get(paths[i])
            parse_work(args.parse_ms, rate)
            clock.done(i)

        clock = Clock(n)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
            futures = [pool.submit(task, i) for i in range(n)]
            for f in futures:
                f.result()
        report(workload, args.style, clock, **params)
        for c in clients:
            c.close()
    else:
        asyncio.run(_fetch_async(args, workload, paths, limit, rate, params))


async def _fetch_async(args, workload, paths, limit, rate, params):
    n = len(paths)
    clients = []
    idle = []
    sem = asyncio.Semaphore(limit) if limit else None

    async def one(i):
        if sem is None:
            client = AsyncClient(args.port)
            clients.append(client)
            await client.get(paths[i])
        else:
            async with sem:
                client = idle.pop() if idle else None
                if client is None:
                    client = AsyncClient(args.port)
                    clients.append(client)
                await client.get(paths[i])
                idle.append(client)
        parse_work(args.parse_ms, rate)
        clock.done(i)

    clock = Clock(n)
    await asyncio.gather(*(one(i) for i in range(n)))
    report(workload, args.style, clock, **params)
    for c in clients:
        await c.close()
