"""A loopback HTTP/1.1 server with injected latency, for the fidelity check (stdlib only).

    python3 server.py [--port 0]

prints one JSON line {"port": P} once it listens on 127.0.0.1:P, then serves
until killed:

- GET /item?delay_ms=D&bytes=B[&status=S]  waits D ms, counted from when
  the request line arrived, then answers with a body of B bytes
  (keep-alive); status S (default 200; 500-599 allowed) makes it a failure
  the client sees only after the delay, as an overloaded backend's 503;
- GET /stats[?reset=1]          the sleep overshoot since the last reset: how
  much later than asked each delayed answer was sent, as JSON
  {"count", "mean_ms", "p50_ms", "p99_ms", "max_ms"}.

It runs on asyncio streams in its own process, so thousands of waiting
requests cost it only timers, and HTTP/1.1 keep-alive connections are
served until the client closes them (or sends "Connection: close"). The
delay is one asyncio.sleep to the deadline; asyncio rounds its epoll
timeout up to the millisecond, so answers come about 0.3-1 ms late: the
overshoot /stats reports, which the fidelity harness measures and adds to
each request's modelled I/O.
"""

import argparse
import asyncio
import json
import math
import sys
from urllib.parse import parse_qs, urlsplit

BODY = b"x" * 65536
overshoots = []


def answer(status, body, close):
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error",
              502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n"
        f"Content-Type: application/octet-stream\r\nConnection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    return head.encode("ascii") + body


def body_of(nbytes):
    global BODY
    while len(BODY) < nbytes:
        BODY += BODY
    return BODY[:nbytes]


def stats(reset):
    s = sorted(overshoots)
    n = len(s)
    out = {"count": n}
    if n:
        out.update(
            mean_ms=sum(s) / n * 1e3,
            p50_ms=s[max(0, math.ceil(0.5 * n) - 1)] * 1e3,
            p99_ms=s[max(0, math.ceil(0.99 * n) - 1)] * 1e3,
            max_ms=s[-1] * 1e3,
        )
    if reset:
        overshoots.clear()
    return json.dumps(out).encode("ascii")


async def serve_one(target, loop, t_recv):
    url = urlsplit(target)
    q = parse_qs(url.query)
    if url.path == "/stats":
        return 200, stats(q.get("reset") == ["1"])
    if url.path != "/item":
        return 404, b"unknown path; use /item?delay_ms=D&bytes=B[&status=S] or /stats\n"
    try:
        delay = float(q.get("delay_ms", ["0"])[0]) / 1e3
        nbytes = int(q.get("bytes", ["0"])[0])
        status = int(q.get("status", ["200"])[0])
    except ValueError:
        return 400, b"delay_ms must be a number, bytes and status integers\n"
    if delay < 0 or nbytes < 0:
        return 400, b"delay_ms and bytes must not be negative\n"
    if status != 200 and not 500 <= status <= 599:
        return 400, b"status must be 200 or 500-599\n"
    if delay > 0:
        deadline = t_recv + delay
        await asyncio.sleep(deadline - loop.time())
        overshoots.append(loop.time() - deadline)
    return status, body_of(nbytes)


async def handle(reader, writer):
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            t_recv = loop.time()
            close = False
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.partition(b":")
                if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                    close = True
            parts = line.decode("latin-1").split()
            if len(parts) != 3 or parts[0] != "GET":
                status, body, close = 400, b"only GET is served\n", True
            else:
                status, body = await serve_one(parts[1], loop, t_recv)
            writer.write(answer(status, body, close))
            await writer.drain()
            if close:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    try:
        asyncio.run(main(p.parse_args().port))
    except KeyboardInterrupt:
        sys.exit(0)
