"""The calibration's peer models (../shared/calibration/README.md) in SimPy.

    python simpy_models.py downloads --tasks 100000 --seed 1
    python simpy_models.py mm8 --customers 1000000 --seed 1

Prints one JSON object: the model, its size, the seed, the wall time of
building and running the simulation (interpreter start-up and imports
excluded), the mean latency and, for batch means, the mean latency of each
of 20 consecutive batches of tasks (in order of completion).

The same models as simbench scenarios: downloads-100k.json, mm8-1m.json.
"""
import argparse
import json
import math
import random
import time

import simpy

BATCHES = 20


def downloads(tasks, seed):
    """N tasks at t = 0; each waits a lognormal latency (mean 200 ms, log-space
    sigma 0.5), then holds the one shared CPU for 2 ms."""
    rng = random.Random(seed)
    sigma = 0.5
    mu = math.log(0.2) - sigma * sigma / 2
    env = simpy.Environment()
    cpu = simpy.Resource(env, capacity=1)
    latencies = []

    def download(env):
        start = env.now
        yield env.timeout(rng.lognormvariate(mu, sigma))
        with cpu.request() as req:
            yield req
            yield env.timeout(0.002)
        latencies.append(env.now - start)

    for _ in range(tasks):
        env.process(download(env))
    env.run()
    return latencies


def mm8(customers, seed):
    """M/M/8: Poisson arrivals at 7.2/s, exponential service with mean 1 s, 8
    servers (rho = 0.9)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=8)
    latencies = []

    def customer(env):
        arrived = env.now
        with servers.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1.0))
        latencies.append(env.now - arrived)

    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(7.2))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["downloads", "mm8"])
    parser.add_argument("--tasks", "--customers", type=int, dest="n")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.n or (100_000 if args.model == "downloads" else 1_000_000)
    t0 = time.perf_counter()
    latencies = downloads(n, args.seed) if args.model == "downloads" else mm8(n, args.seed)
    wall = time.perf_counter() - t0
    size = len(latencies) // BATCHES
    batch_means = [sum(latencies[i * size:(i + 1) * size]) / size for i in range(BATCHES)]
    print(json.dumps({
        "model": args.model,
        "tasks": len(latencies),
        "seed": args.seed,
        "wall_s": wall,
        "mean_latency_s": sum(latencies) / len(latencies),
        "batch_means_s": batch_means,
        "simpy": simpy.__version__,
    }))


if __name__ == "__main__":
    main()
