"""simbench calibrate: measures a CPython runtime profile's constants.

Run by `simbench calibrate` (the script arrives on standard input). Prints
one JSON object on standard output: the raw measurements, the derived
constants (nanoseconds, bytes) and facts about the interpreter and machine.
The method follows ../shared/calibration/README.md (docs/model.md,
R-RUNTIME-CPYTHON): each figure is the median of a few repetitions.
"""

import asyncio
import gc
import json
import os
import platform
import selectors
import statistics
import sys
import threading
import time

QUICK = "--quick" in sys.argv
REPEAT = 3 if QUICK else 5


def median_of(fn, repeat=REPEAT):
    return statistics.median(fn() for _ in range(repeat))


# ----- the event loop ---------------------------------------------------


async def _sleep0():
    await asyncio.sleep(0)


def per_task_sleep0(n):
    """Seconds per task to create and run n tasks that await sleep(0)."""

    async def main():
        start = time.perf_counter()
        await asyncio.gather(*[_sleep0() for _ in range(n)])
        return time.perf_counter() - start

    gc.collect()
    return asyncio.run(main()) / n


def per_task_create(n):
    """Seconds per task to create n tasks (not run)."""

    async def main():
        start = time.perf_counter()
        tasks = [asyncio.ensure_future(_sleep0()) for _ in range(n)]
        elapsed = time.perf_counter() - start
        await asyncio.gather(*tasks)
        return elapsed

    gc.collect()
    return asyncio.run(main()) / n


def loop_sleep_slack(count, d):
    async def main():
        start = time.perf_counter()
        for _ in range(count):
            await asyncio.sleep(d)
        return time.perf_counter() - start

    return (asyncio.run(main()) - count * d) / count


# ----- threads ----------------------------------------------------------


def thread_sleep_slack(count, d):
    start = time.perf_counter()
    for _ in range(count):
        time.sleep(d)
    return (time.perf_counter() - start - count * d) / count


def thread_start(count):
    start = time.perf_counter()
    for _ in range(count):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
    return (time.perf_counter() - start) / count


def context_switch(rounds):
    """Seconds per hand-over between two threads (half a round trip)."""
    import queue

    ping, pong = queue.SimpleQueue(), queue.SimpleQueue()

    def echo():
        for _ in range(rounds):
            pong.put(ping.get())

    t = threading.Thread(target=echo)
    t.start()
    start = time.perf_counter()
    for i in range(rounds):
        ping.put(i)
        pong.get()
    elapsed = time.perf_counter() - start
    t.join()
    return elapsed / (2 * rounds)


def gil_handoff(spinners, seconds):
    """Seconds from one thread's last bytecode to the next holder's first, when CPU-bound threads
    hand the GIL over (ceval_gil.c drop_gil / take_gil): the median gap between consecutive runs."""
    stop = False
    runs = []

    def spin(i):
        pc = time.perf_counter
        last = start = pc()
        while not stop:
            t = pc()
            if t - last > 0.0003:
                runs.append((start, last))
                start = t
            last = t

    threads = [threading.Thread(target=spin, args=(i,)) for i in range(spinners)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop = True
    for t in threads:
        t.join()
    runs.sort()
    gaps = sorted(b[0] - a[1] for a, b in zip(runs, runs[1:]) if b[0] > a[1])
    return gaps[len(gaps) // 2] if gaps else 0.0


def sleeper_among_spinners(spinners, rounds, d=0.010):
    """Mean seconds a time.sleep(d) takes to return with the GIL among `spinners` CPU-bound threads
    (the convoy: ceval_gil.c take_gil waits a switch interval, then asks for a drop)."""
    stop = False

    def spin():
        x = 0
        while not stop:
            x += 1

    threads = [threading.Thread(target=spin) for _ in range(spinners)]
    for t in threads:
        t.start()
    time.sleep(0.02)
    total = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        time.sleep(d)
        total += time.perf_counter() - start
    stop = True
    for t in threads:
        t.join()
    return total / rounds


# ----- process pools ----------------------------------------------------


def _noop(_=None):
    return None


def _first_task_at(_):
    """When a worker starts its first task (perf_counter is system-wide on
    Linux), holding it so that each worker takes one."""
    at = time.perf_counter()
    time.sleep(0.05)
    return at


def pool_ready(processes):
    """Seconds from creating a fork Pool until its last worker runs a task."""
    import multiprocessing

    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        firsts = pool.map(_first_task_at, range(processes), chunksize=1)
    return max(firsts) - start


def pool_dispatch(count):
    """Seconds per tiny task of a Pool(2)'s imap_unordered: the parent hands
    them out one at a time, so its cost sets the pace."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_noop, range(8), chunksize=1)
        start = time.perf_counter()
        for _ in pool.imap_unordered(_noop, range(count)):
            pass
        return (time.perf_counter() - start) / count


# ----- the producer of open-loop arrivals (R-PRODUCER) ------------------


def _noop_call():
    return None


def producer_step(count):
    """CPU seconds per executor.submit of a no-op to a started
    ThreadPoolExecutor(1), by the submitting thread's clock: what a producer
    pays per arrival it makes."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as ex:
        ex.submit(_noop_call).result()
        start = time.thread_time()
        futures = [ex.submit(_noop_call) for _ in range(count)]
        elapsed = time.thread_time() - start
        for f in futures:
            f.result()
    return elapsed / count


def producer_lag(rate, cpu_s, seconds):
    """An asyncio producer making `rate` arrivals per second, each a task of
    `cpu_s` of CPU: its lag (creation minus schedule), as (p50, p99) seconds.
    Not a constant: what R-PRODUCER should predict, for comparison."""
    lags = []

    async def handle():
        end = time.thread_time() + cpu_s
        while time.thread_time() < end:
            pass

    async def main():
        loop = asyncio.get_running_loop()
        tasks = []
        t0 = loop.time()
        for i in range(round(rate * seconds)):
            at = t0 + i / rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lags.append(loop.time() - at)
            tasks.append(asyncio.create_task(handle()))
        await asyncio.gather(*tasks)

    asyncio.run(main())
    lags.sort()
    pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    return [pick(0.5), pick(0.99)]


# ----- memory -----------------------------------------------------------


def rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def memory_per_coroutine(n):
    async def main():
        gc.collect()
        before = rss_bytes()
        tasks = [asyncio.ensure_future(asyncio.sleep(3600)) for _ in range(n)]
        await asyncio.sleep(0)
        after = rss_bytes()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return None if before is None else (after - before) / n

    return asyncio.run(main())


def memory_per_thread(n):
    gc.collect()
    before = rss_bytes()
    release = threading.Event()
    threads = [threading.Thread(target=release.wait) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    after = rss_bytes()
    release.set()
    for t in threads:
        t.join()
    return None if before is None else (after - before) / n


# ----- derivation -------------------------------------------------------


def fit_line(xs, ys):
    """(a, b) of the least-squares line y = a + b x, both clamped at 0 (a
    slack that shrinks with the duration is noise, not a model)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = max(0.0, sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx)
    return max(0.0, my - b * mx), b


def main():
    small, large = (2_000, 20_000) if QUICK else (10_000, 100_000)
    raw = {}
    # Memory first, while the heap has no freed arenas to reuse.
    raw["memory_per_coroutine_bytes"] = memory_per_coroutine(large)
    raw["memory_per_thread_bytes"] = memory_per_thread(100 if QUICK else 500)
    raw["sleep0_small_s"] = t1 = median_of(lambda: per_task_sleep0(small))
    raw["sleep0_large_s"] = t2 = median_of(lambda: per_task_sleep0(large))
    raw["create_large_s"] = c2 = median_of(lambda: per_task_create(large))
    # Sleep overshoot at each duration (R-RUNTIME-SLACK): a + b * d by
    # least squares, for the loop's timers and for time.sleep.
    durations = [0.001, 0.005, 0.020, 0.050, 0.100]
    rounds = lambda d: max(2 if QUICK else 3, round((0.1 if QUICK else 0.3) / d))
    raw["sleep_durations_s"] = durations
    raw["loop_sleep_slack_s"] = [median_of(lambda: loop_sleep_slack(rounds(d), d), 3) for d in durations]
    raw["thread_sleep_slack_s"] = [median_of(lambda: thread_sleep_slack(rounds(d), d), 3) for d in durations]
    loop_slack, loop_per_s = fit_line(durations, raw["loop_sleep_slack_s"])
    thread_slack, thread_per_s = fit_line(durations, raw["thread_sleep_slack_s"])
    raw["thread_start_s"] = median_of(lambda: thread_start(100 if QUICK else 500))
    raw["context_switch_s"] = median_of(lambda: context_switch(2_000 if QUICK else 20_000))
    raw["switch_interval_s"] = sys.getswitchinterval()
    raw["gil_handoff_s"] = median_of(lambda: gil_handoff(3, 0.3 if QUICK else 1.0), 3)
    # Not constants: what the GIL rule (R-GIL-CONVOY) should predict, for comparison.
    raw["sleep_10ms_among_spinners_s"] = {
        str(k): sleeper_among_spinners(k, 10 if QUICK else 50) for k in (1, 3, 7)
    }
    raw["sizes"] = [small, large]
    # Process pools (R-PROCESS-POOL): ready at a + b × P, by least squares.
    raw["pool_sizes"] = sizes = [1, 2, 4]
    raw["pool_ready_s"] = [median_of(lambda: pool_ready(p)) for p in sizes]
    pool_start, process_start = fit_line(sizes, raw["pool_ready_s"])
    raw["pool_dispatch_s"] = median_of(lambda: pool_dispatch(500 if QUICK else 2_000))
    raw["producer_step_s"] = median_of(lambda: producer_step(2_000 if QUICK else 20_000))
    # R-LOOP-SELECT: epoll, poll and devpoll round the selector's timeout
    # up to a whole millisecond (Lib/selectors.py); kqueue and select do not.
    raw["selector"] = selector = selectors.DefaultSelector.__name__
    millisecond_selectors = ("EpollSelector", "PollSelector", "DevpollSelector")
    raw["loop_timeout_resolution_s"] = 0.001 if selector in millisecond_selectors else 0.0
    # Not a constant: 200 arrivals per second of 2 ms of CPU each.
    raw["asyncio_producer_lag_s"] = producer_lag(200, 0.002, 0.5 if QUICK else 2.0)

    # Per task in the sleep(0) run: one creation and two steps, with live
    # coroutines averaging N/2, N and N/2: the collector's share is
    # g × 2N / 1000 per task (g per 1000 live per operation).
    g = max(0.0, (t2 - t1) / (2 * (large - small)) * 1000)
    task_create = max(0.0, c2 - g * large / 2 / 1000)
    loop_step = max(0.0, (t1 - task_create - g * 2 * small / 1000) / 2)
    ns = lambda s: max(0, round(s * 1e9))
    constants = {
        "task_create": ns(task_create),
        "loop_step": ns(loop_step),
        "gc_per_1000_live": ns(g),
        "timer_slack_loop": ns(loop_slack),
        "timer_slack_thread": ns(thread_slack),
        "thread_start": ns(raw["thread_start_s"]),
        "context_switch": ns(raw["context_switch_s"]),
        "switch_interval": ns(raw["switch_interval_s"]),
        "memory_per_coroutine": max(0, round(raw["memory_per_coroutine_bytes"] or 2900)),
        "memory_per_thread": max(0, round(raw["memory_per_thread_bytes"] or 16896)),
        # Seconds of lateness per second asked, as nanoseconds per second.
        "timer_slack_loop_per_s": ns(loop_per_s),
        "timer_slack_thread_per_s": ns(thread_per_s),
        "gil_handoff": ns(raw["gil_handoff_s"]),
        "pool_start": ns(pool_start),
        "process_start": ns(process_start),
        "process_dispatch": ns(raw["pool_dispatch_s"]),
        "producer_step": ns(raw["producer_step_s"]),
        "loop_timeout_resolution": ns(raw["loop_timeout_resolution_s"]),
    }
    facts = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "quick": QUICK,
    }
    json.dump({"constants": constants, "raw": raw, "facts": facts}, sys.stdout)


main()
