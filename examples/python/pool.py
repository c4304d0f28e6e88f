"""A process pool of CPU tasks: multiprocessing.Pool(P).imap_unordered over N tasks of W ms each.

    python3 pool.py --style processes [--workers 2] [--n 200] [--work-ms 2] [--spin-per-ms R]

The program a `processes` strategy of `blocking` workers stands for (docs/model.md,
R-PROCESS-POOL): the clock starts before `Pool(P)` is created (fork start method), so the
makespan includes starting the workers, which `Pool.__init__` does one after another
(Lib/multiprocessing/pool.py, `_repopulate_pool_static`); then every task is handed out by the
parent's task-handler thread (`Pool._handle_tasks`, one task per message with chunksize 1), run by
whichever worker is free (`worker`), and its result read back by the result-handler thread. Each
task is W ms of the parse loop (`common.parse_work`), which holds its own process's GIL.

All N tasks arrive at t0; a task's latency is from t0 to the parent having its result
(imap_unordered yields results as they come). Tiny tasks (`--work-ms 0`) measure the pool's
per-task cost: the parent hands them out one at a time, so the makespan is about N times that
cost, whatever P is.

Only `--style processes`: threads and asyncio share one GIL, which is a different workload
(scenarios/cpu-bound.json compares them).

Prints one JSON line (see common.report_latencies).
"""

import argparse
import multiprocessing
import sys
import time

from common import WORK_CPU_S, parse_work, report_latencies, spin_rate

DEFAULTS = dict(workers=2, n=200, work_ms=2.0)


def task(job):
    """One task in a worker process: its CPU time goes back with the result, for the parent's
    common.WORK_CPU_S (the worker's own list is its process's copy)."""
    work_ms, rate = job
    return parse_work(work_ms, rate)


def run_pool(a, rate):
    ctx = multiprocessing.get_context("fork")
    jobs = [(a.work_ms, rate)] * a.n
    lat = []
    t0 = time.perf_counter()
    with ctx.Pool(a.workers) as pool:
        for cpu in pool.imap_unordered(task, jobs):
            lat.append(time.perf_counter() - t0)
            if a.work_ms > 0:
                WORK_CPU_S.append(cpu)
        makespan = time.perf_counter() - t0
    return lat, makespan


def main(a):
    if a.workers < 1 or a.n < 1 or a.work_ms < 0:
        sys.exit("--workers and --n must be >= 1, --work-ms >= 0")
    rate = spin_rate(a)
    lat, makespan = run_pool(a, rate)
    report_latencies("pool", a.style, lat, makespan, workers=a.workers, n=a.n, work_ms=a.work_ms,
                     spin_per_ms=rate)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--style", choices=["processes"], required=True,
                   help="processes only: see the docstring for why not threads or asyncio")
    p.add_argument("--workers", type=int, default=DEFAULTS["workers"], help="P: pool processes")
    p.add_argument("--n", type=int, default=DEFAULTS["n"], help="N: tasks, all at t0")
    p.add_argument("--work-ms", type=float, default=DEFAULTS["work_ms"],
                   help="W: CPU per task, ms of the parse loop")
    p.add_argument("--spin-per-ms", type=float, default=None,
                   help="iterations of the parse loop per ms (default: measured at start)")
    main(p.parse_args())
