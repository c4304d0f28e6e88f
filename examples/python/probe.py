"""Measure, in one style, what one request and one parse cost, for the simbench scenarios.

    python3 probe.py --style sequential|threads|asyncio --port P [--k 100] [--bytes 20000]
                     [--parse-ms 2 --parse-ms 3] [--spin-per-ms R] [--delay-ms 10]

Prints one JSON line (milliseconds, means over the samples: a makespan is a
sum of costs, so their mean, tail included, is what it adds up):

- send_cpu_ms, recv_cpu_ms: the client's CPU (time.thread_time of the thread
  that does the request) to send a request and to read and check the
  answer, on a warm keep-alive connection; in asyncio, from before
  create_task to the task's end, so the task's creation and the loop's own
  steps are included;
- io_extra_ms: the rest of a request's wall time (wall - CPU) beyond the
  delay the server was asked for (--delay-ms): loopback transfer, the
  server's work, its sleep overshoot, the thread's or loop's wake-up;
- connect_cpu_ms, connect_io_ms: the same split for opening a connection;
- parse_cpu_ms: for each --parse-ms, the CPU time the parse loop actually
  takes (what the scenarios use), and parse_ms its wall time (longer when
  other processes take the core);
- spin_per_ms: the parse loop's iterations per ms used (measured here when
  not given: common.measure_spin_per_ms).

Styles measure the way their programs run: sequential in the main thread;
threads in a ThreadPoolExecutor(1) worker, the requests submitted together;
asyncio in a coroutine awaiting one task per request.
"""

import argparse
import asyncio
import concurrent.futures
import json
import time

from common import AsyncClient, SyncClient, item_path, measure_spin_per_ms, parse_work


def mean(xs):
    return sum(xs) / len(xs)


class Samples:
    def __init__(self):
        self.send, self.recv, self.io, self.ccpu, self.cio = [], [], [], [], []

    def request(self, w0, c0, c1, c2, w2, delay_s):
        self.send.append(c1 - c0)
        self.recv.append(c2 - c1)
        self.io.append((w2 - w0) - (c2 - c0) - delay_s)

    def connect(self, w0, c0, c1, w1):
        self.ccpu.append(c1 - c0)
        self.cio.append((w1 - w0) - (c1 - c0))


def sync_requests(port, path, k, delay_s, smp):
    client = SyncClient(port)
    client.get(path)  # connect and warm up
    for _ in range(k):
        w0, c0 = time.perf_counter(), time.thread_time()
        client.send(path)
        c1 = time.thread_time()
        client.receive()
        c2, w2 = time.thread_time(), time.perf_counter()
        smp.request(w0, c0, c1, c2, w2, delay_s)
    client.close()


def sync_connects(port, path, k, smp):
    for _ in range(k):
        client = SyncClient(port)
        w0, c0 = time.perf_counter(), time.thread_time()
        client.connect()
        c1, w1 = time.thread_time(), time.perf_counter()
        smp.connect(w0, c0, c1, w1)
        client.get(path)
        client.close()


async def async_probe(port, path, k, delay_s, smp):
    client = AsyncClient(port)
    await client.get(path)

    async def one():
        # c0/w0 are taken before create_task; the send ends when the request is written.
        await client.send(path)
        marks.append(time.thread_time())
        await client.receive()

    for _ in range(k):
        marks = []
        w0, c0 = time.perf_counter(), time.thread_time()
        await asyncio.create_task(one())
        c2, w2 = time.thread_time(), time.perf_counter()
        smp.request(w0, c0, marks[0], c2, w2, delay_s)
    await client.close()
    for _ in range(k // 3):
        client = AsyncClient(port)
        w0, c0 = time.perf_counter(), time.thread_time()
        await client.connect()
        c1, w1 = time.thread_time(), time.perf_counter()
        smp.connect(w0, c0, c1, w1)
        await client.get(path)
        await client.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--style", choices=["sequential", "threads", "asyncio"], required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--k", type=int, default=100, help="requests measured (connections: k/3)")
    p.add_argument("--bytes", type=int, default=20000)
    p.add_argument("--delay-ms", type=float, default=10.0, help="server delay of the measured requests")
    p.add_argument("--parse-ms", type=float, action="append", default=[])
    p.add_argument("--spin-per-ms", type=float, default=None)
    a = p.parse_args()
    rate = a.spin_per_ms or measure_spin_per_ms()
    path = item_path(a.delay_ms, a.bytes)
    delay_s = a.delay_ms / 1e3
    smp = Samples()
    if a.style == "sequential":
        sync_requests(a.port, path, a.k, delay_s, smp)
        sync_connects(a.port, path, a.k // 3, smp)
    elif a.style == "threads":
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(sync_requests, a.port, path, a.k, delay_s, smp).result()
            pool.submit(sync_connects, a.port, path, a.k // 3, smp).result()
    else:
        asyncio.run(async_probe(a.port, path, a.k, delay_s, smp))
    parse, parse_cpu = {}, {}
    for ms in a.parse_ms:
        walls, cpus = [], []
        for _ in range(60):
            w, c = time.perf_counter(), time.thread_time()
            parse_work(ms, rate)
            cpus.append(time.thread_time() - c)
            walls.append(time.perf_counter() - w)
        parse[str(ms)] = mean(walls) * 1e3
        parse_cpu[str(ms)] = mean(cpus) * 1e3
    out = dict(
        style=a.style,
        k=a.k,
        spin_per_ms=rate,
        send_cpu_ms=mean(smp.send) * 1e3,
        recv_cpu_ms=mean(smp.recv) * 1e3,
        io_extra_ms=mean(smp.io) * 1e3,
        connect_cpu_ms=mean(smp.ccpu) * 1e3,
        connect_io_ms=mean(smp.cio) * 1e3,
        parse_ms=parse,
        parse_cpu_ms=parse_cpu,
    )
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
