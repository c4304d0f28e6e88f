"""A crawler: S seed sites, a pagination loop per site, retries with backoff, a fallback, links per page.

    python3 crawler.py --style sequential|threads|asyncio --port P [--sites 4] [--seed 5]
                       [--min-pages 2] [--max-pages 6] [--page-min-ms 30] [--page-max-ms 90]
                       [--link-min-ms 10] [--link-max-ms 40] [--links 3] [--down 1]
                       [--attempts 3] [--backoff-ms 20] [--multiplier 2] [--mirror-ms 15]
                       [--log-ms 200] [--parse-ms 1] [--workers S] [--bytes 20000] [--spin-per-ms R]

Site k's plan (site_plans: random.Random(seed), drawn site by site) is its number of pages
(randint(min_pages, max_pages)), its page delay and its link delay (uniform, to the microsecond);
every page of a site takes the same delays. The sites listed in --down have their origin down:
the server answers each of their page requests with 503 after the page delay (item_path's
status), every attempt, so their pages end on the fallback. Per site:

    for page in range(pages):                       # pagination
        try:
            fetch_with_retries(page_url)            # --attempts tries, sleeping backoff * multiplier**k
        except HTTPStatusError:                     #   between them (no jitter)
            fetch(mirror_url)                       # the fallback: a cached copy (--mirror-ms)
        parse(--parse-ms)                           # extract the links
        gather(fetch(link) for link in links)       # --links link fetches at once
    detached: log(site)                             # a logging request (--log-ms), never awaited

asyncio: a task per site, gathered; links by asyncio.gather; retries' sleeps are asyncio.sleep;
  the log is asyncio.create_task(...) that nobody awaits: the program reports when every site
  is done and asyncio.run cancels the logs still pending.
threads: a ThreadPoolExecutor(--workers, default S) runs a task per site; the links of a page
  are fetched one after another on the site's thread (a thread has nothing to gather with); the
  log is pool.submit(log) on the same pool, never waited for (the interpreter waits for it at
  exit, after the report).
sequential: the sites one after another, links one after another, the log called inline at the
  end of each site (sequential code cannot leave work behind).

Connections are opened before t0 (a warm pool large enough that no request waits for one or
pays a connect): asyncio S * (links + 1), threads one per worker, sequential one. A task is a
site: its latency is the end of its last page's links (threads, asyncio) or of its log
(sequential) minus t0. The line also holds the requests sent (`requests`: pages' attempts,
mirrors, links, and one log per site, counted when it is created, whether or not it has run).
Prints one JSON line (see common.report_latencies).
"""

import asyncio
import random
import time

from common import (AsyncClient, HTTPStatusError, SyncClient, base_args, item_path, parse_work,
                    report_latencies, spin_rate)

DEFAULTS = dict(n=4, workers=None, parse_ms=1.0, seed=5, min_pages=2, max_pages=6, page_min_ms=30.0,
                page_max_ms=90.0, link_min_ms=10.0, link_max_ms=40.0, links=3, down="1", attempts=3,
                backoff_ms=20.0, multiplier=2.0, mirror_ms=15.0, log_ms=200.0)


def site_plans(sites, seed, min_pages, max_pages, page_min_ms, page_max_ms, link_min_ms, link_max_ms):
    """Each site's pages, page delay and link delay (ms, to the microsecond)."""
    rng = random.Random(seed)
    plans = []
    for _ in range(sites):
        pages = rng.randint(min_pages, max_pages)
        page_ms = round(rng.uniform(page_min_ms, page_max_ms), 3)
        link_ms = round(rng.uniform(link_min_ms, link_max_ms), 3)
        plans.append(dict(pages=pages, page_ms=page_ms, link_ms=link_ms))
    return plans


def parse_down(text):
    return sorted({int(x) for x in text.split(",") if x.strip()}) if text else []


def backoff_s(a, attempt):
    """The sleep after failed attempt `attempt` (0-based): backoff * multiplier**attempt."""
    return a.backoff_ms * a.multiplier ** attempt / 1e3


def run_sequential(a, plans, down, rate, params):
    client = SyncClient(a.port)
    client.connect()
    sent = 0

    def get(path):
        nonlocal sent
        sent += 1
        return client.get(path)

    t0 = time.perf_counter()
    lat = []
    for k, plan in enumerate(plans):
        page_path = item_path(plan["page_ms"], a.bytes, 503 if k in down else None)
        link_path = item_path(plan["link_ms"], a.bytes)
        for _ in range(plan["pages"]):
            try:
                for attempt in range(a.attempts):
                    try:
                        get(page_path)
                        break
                    except HTTPStatusError:
                        if attempt == a.attempts - 1:
                            raise
                        time.sleep(backoff_s(a, attempt))
            except HTTPStatusError:
                get(item_path(a.mirror_ms, a.bytes))
            parse_work(a.parse_ms, rate)
            for _ in range(a.links):
                get(link_path)
        get(item_path(a.log_ms, a.bytes))  # the log, inline
        lat.append(time.perf_counter() - t0)
    report_latencies("crawler", "sequential", lat, max(lat), extra={"requests": sent}, **params)
    client.close()


def run_threads(a, plans, down, rate, params):
    import concurrent.futures
    import queue
    import threading

    workers = a.workers or len(plans)
    conns = queue.LifoQueue()
    for _ in range(workers):
        c = SyncClient(a.port)
        c.connect()
        conns.put(c)
    lock = threading.Lock()
    sent = [0]

    def get(path, count=True):
        if count:
            with lock:
                sent[0] += 1
        c = conns.get()
        try:
            return c.get(path)
        finally:
            conns.put(c)

    def fetch_with_retries(path):
        for attempt in range(a.attempts):
            try:
                return get(path)
            except HTTPStatusError:
                if attempt == a.attempts - 1:
                    raise
                time.sleep(backoff_s(a, attempt))

    def site(k):
        plan = plans[k]
        page_path = item_path(plan["page_ms"], a.bytes, 503 if k in down else None)
        link_path = item_path(plan["link_ms"], a.bytes)
        for _ in range(plan["pages"]):
            try:
                fetch_with_retries(page_path)
            except HTTPStatusError:
                get(item_path(a.mirror_ms, a.bytes))
            parse_work(a.parse_ms, rate)
            for _ in range(a.links):
                get(link_path)
        with lock:
            sent[0] += 1  # counted when submitted, so that the figure does not depend on when it runs
        pool.submit(get, item_path(a.log_ms, a.bytes), False)  # fire and forget
        return time.perf_counter() - t0

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
    t0 = time.perf_counter()
    futures = [pool.submit(site, k) for k in range(len(plans))]
    lat = [f.result() for f in futures]
    report_latencies("crawler", "threads", lat, max(lat), extra={"requests": sent[0]}, workers=workers,
                     **params)
    pool.shutdown(wait=False)  # the logs run on; the interpreter joins their threads at exit


async def run_asyncio(a, plans, down, rate, params):
    idle = []
    for _ in range(len(plans) * (a.links + 1)):
        c = AsyncClient(a.port)
        await c.connect()
        idle.append(c)
    sent = 0
    connects = 0

    async def get(path, count=True):
        nonlocal sent, connects
        sent += count
        if idle:
            c = idle.pop()
        else:  # not expected: the pool is sized for the most requests at once
            c = AsyncClient(a.port)
            connects += 1
        await c.get(path)
        idle.append(c)

    async def fetch_with_retries(path):
        for attempt in range(a.attempts):
            try:
                return await get(path)
            except HTTPStatusError:
                if attempt == a.attempts - 1:
                    raise
                await asyncio.sleep(backoff_s(a, attempt))

    logs = set()

    async def site(k):
        nonlocal sent
        plan = plans[k]
        page_path = item_path(plan["page_ms"], a.bytes, 503 if k in down else None)
        link_path = item_path(plan["link_ms"], a.bytes)
        for _ in range(plan["pages"]):
            try:
                await fetch_with_retries(page_path)
            except HTTPStatusError:
                await get(item_path(a.mirror_ms, a.bytes))
            parse_work(a.parse_ms, rate)
            await asyncio.gather(*(get(link_path) for _ in range(a.links)))
        sent += 1  # counted when created, so that the figure does not depend on when it runs
        t = asyncio.create_task(get(item_path(a.log_ms, a.bytes), False))  # fire and forget
        logs.add(t)  # a reference, so the task is not garbage-collected; never awaited
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    lat = await asyncio.gather(*(site(k) for k in range(len(plans))))
    report_latencies("crawler", "asyncio", lat, max(lat), extra={"requests": sent, "connects_in_run": connects},
                     **params)
    # returning ends asyncio.run, which cancels the logs still pending


def main(a):
    rate = spin_rate(a)
    plans = site_plans(a.n, a.seed, a.min_pages, a.max_pages, a.page_min_ms, a.page_max_ms, a.link_min_ms,
                       a.link_max_ms)
    down = parse_down(a.down)
    params = dict(sites=a.n, seed=a.seed, plans=plans, down=down, links=a.links, attempts=a.attempts,
                  backoff_ms=a.backoff_ms, multiplier=a.multiplier, mirror_ms=a.mirror_ms, log_ms=a.log_ms,
                  parse_ms=a.parse_ms, bytes=a.bytes, spin_per_ms=rate)
    if a.attempts < 1 or a.links < 1:
        raise SystemExit("--attempts and --links must be at least 1")
    if a.style == "sequential":
        run_sequential(a, plans, down, rate, params)
    elif a.style == "threads":
        run_threads(a, plans, down, rate, params)
    else:
        asyncio.run(run_asyncio(a, plans, down, rate, params))


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.set_defaults(n=DEFAULTS["n"])
    p.add_argument("--sites", dest="n", type=int, help="S: seed sites (the tasks; same as --n)")
    for name in ("min_pages", "max_pages", "links", "attempts"):
        p.add_argument("--" + name.replace("_", "-"), type=int, default=DEFAULTS[name])
    for name in ("page_min_ms", "page_max_ms", "link_min_ms", "link_max_ms", "backoff_ms", "multiplier",
                 "mirror_ms", "log_ms"):
        p.add_argument("--" + name.replace("_", "-"), type=float, default=DEFAULTS[name])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--down", default=DEFAULTS["down"], help="comma-separated indexes of sites whose origin is down")
    main(p.parse_args())
