"""N downloads, each waiting a fixed server delay, then a small CPU parse.

    python3 downloads.py --style sequential|threads|asyncio --port P [--n 40] [--delay-ms 200]
                         [--workers 8] [--bytes 20000] [--parse-ms 2] [--spin-per-ms R]

sequential: one after another on one keep-alive connection;
threads: ThreadPoolExecutor(--workers), one connection per worker thread;
asyncio: asyncio.gather of N tasks, each on its own connection.
Prints one JSON line (see common.report).
"""

from common import base_args, fetch_all

DEFAULTS = dict(n=40, workers=8, parse_ms=2.0, delay_ms=200.0)


def delays(n, delay_ms):
    return [delay_ms] * n


if __name__ == "__main__":
    p = base_args(__doc__.splitlines()[0], DEFAULTS)
    p.add_argument("--delay-ms", type=float, default=DEFAULTS["delay_ms"], help="server delay per download")
    a = p.parse_args()
    fetch_all(a, "downloads", delays(a.n, a.delay_ms))
