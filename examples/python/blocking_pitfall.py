"""The blocking pitfall: N-1 tasks sleep 100 ms; one more calls time.sleep(1.0). No server.

    python3 blocking_pitfall.py --style sequential|threads|asyncio [--n 100] [--workers 100]
                                [--sleep-ms 100] [--block-ms 1000]

As scenarios/blocking-pitfall.json: the sleepers are created first, the
blocker last. sequential: every call is time.sleep, one after another;
threads: ThreadPoolExecutor(--workers), every call time.sleep; asyncio: the
sleepers await asyncio.sleep, the blocker calls time.sleep inside its
coroutine and stalls the loop.
Prints one JSON line (see common.report).
"""

import asyncio
import concurrent.futures
import time

from common import Clock, base_args, report

DEFAULTS = dict(n=100, workers=100, server=False)


def main(a):
    n = a.n
    sleep_s, block_s = a.sleep_ms / 1e3, a.block_ms / 1e3
    params = dict(n=n, workers=a.workers, sleep_ms=a.sleep_ms, block_ms=a.block_ms)

    def blocking_task(i):
        time.sleep(block_s if i == n - 1 else sleep_s)
        clock.done(i)

    if a.style == "sequential":
        clock = Clock(n)
        for i in range(n):
            blocking_task(i)
    elif a.style == "threads":
        clock = Clock(n)
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.workers) as pool:
            for f in [pool.submit(blocking_task, i) for i in range(n)]:
                f.result()
    else:

        async def task(i):
            if i == n - 1:
                time.sleep(block_s)  # the pitfall: a blocking call inside a coroutine
            else:
                await asyncio.sleep(sleep_s)
            clock.done(i)

        async def run():
            nonlocal clock
            clock = Clock(n)
            await asyncio.gather(*(task(i) for i in range(n)))

        clock = None
        asyncio.run(run())
    report("blocking-pitfall", a.style, clock, **params)


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.add_argument("--sleep-ms", type=float, default=100.0)
    p.add_argument("--block-ms", type=float, default=1000.0)
    main(p.parse_args())
