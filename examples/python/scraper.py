"""N pages with seeded random latencies, at most C connections, a CPU parse per page.

    python3 scraper.py --style sequential|threads|asyncio --port P [--n 200] [--connections 10]
                       [--min-ms 50] [--max-ms 150] [--seed 7] [--bytes 20000] [--parse-ms 3]

Page i's server delay is the i-th draw of random.Random(seed).uniform(min, max),
rounded to the microsecond (page_delays), sent in its URL; the fidelity
harness builds the simbench scenario from the same list, page by page.
sequential: one connection; threads: ThreadPoolExecutor(C), one connection
per worker; asyncio: a task per page, an asyncio.Semaphore(C) around a pool
of C connections, the parse after the connection is released.
Prints one JSON line (see common.report).
"""

import random

from common import base_args, fetch_all

DEFAULTS = dict(n=200, workers=10, parse_ms=3.0, min_ms=50.0, max_ms=150.0, seed=7)


def page_delays(n, seed, min_ms, max_ms):
    """Each page's delay in ms, to the microsecond."""
    rng = random.Random(seed)
    return [round(rng.uniform(min_ms, max_ms), 3) for _ in range(n)]


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.add_argument("--connections", type=int, default=None, help="C: connections at once (default: --workers)")
    p.add_argument("--min-ms", type=float, default=DEFAULTS["min_ms"])
    p.add_argument("--max-ms", type=float, default=DEFAULTS["max_ms"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    a = p.parse_args()
    c = a.connections or a.workers
    a.workers = c
    fetch_all(a, "scraper", page_delays(a.n, a.seed, a.min_ms, a.max_ms), limit=c)
