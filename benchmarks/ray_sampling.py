"""Sampling throughput of the Ray backend against the local one, and the per-call overhead, measured in one run.

On a local Ray instance with as many CPUs as workers (1 and 2), the same phase is sampled by `Sampler` (forked
worker processes) and by `RaySampler` (Ray actors): a Car Circle phase of 4 requests x 1,000 steps (8 whole
500-step episodes), timed over `calls` calls after a warm-up call (which starts the workers and compiles the
tasks' models). The per-call overhead is the time of a call of one request of one step. Prints steps per
second of both, their ratio (ray / local; the target is >= 0.8) and the overheads. Timings on a machine shared
with other work vary from run to run: compare the two backends within one run.

    .venv/bin/python benchmarks/ray_sampling.py [calls]
"""
import sys
import time

import torch

from metacpo.cluster import RaySampler
from metacpo.rollouts import GaussianPolicy, ObsNormalizer, Request, Sampler
from metacpo.tasks import sample

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TASKS = sample("circle", "train", 4, seed=0)


def seconds_per_call(sampler, requests, policy, calls: int) -> float:
    "Mean seconds of a `sample` call after one warm-up call (frozen normalizer: every call does the same work)."
    normalizer = ObsNormalizer.new(40)
    normalizer.frozen = True
    sampler.sample(requests, policy, normalizer)
    start = time.perf_counter()
    for _ in range(calls):
        sampler.sample(requests, policy, normalizer)
    return (time.perf_counter() - start) / calls


def measure(make, workers: int, policy) -> tuple[float, float]:
    "(steps per second on the phase, seconds of a one-step call) of the sampler `make(workers)` builds."
    phase = [Request(task, 1000, seed=i) for i, task in enumerate(TASKS)]
    with make(workers) as sampler:
        rate = sum(r.n_steps for r in phase) / seconds_per_call(sampler, phase, policy, CALLS)
        overhead = seconds_per_call(sampler, [Request(TASKS[0], 1, seed=0)], policy, 10 * CALLS)
    return rate, overhead


def main():
    import ray
    torch.manual_seed(0)
    policy = GaussianPolicy(40, 2, hidden=(24, 12))
    print(f"{'workers':>7s} {'local steps/s':>13s} {'ray steps/s':>11s} {'ray/local':>9s} "
          f"{'local call overhead':>19s} {'ray call overhead':>17s}")
    for workers in (1, 2):
        ray.init(address="local", num_cpus=workers, include_dashboard=False, logging_level="WARNING")
        local_rate, local_overhead = measure(lambda n: Sampler("Car", n_workers=n), workers, policy)
        ray_rate, ray_overhead = measure(lambda n: RaySampler("Car", n_workers=n), workers, policy)
        ray.shutdown()
        print(f"{workers:7d} {local_rate:13.0f} {ray_rate:11.0f} {ray_rate / local_rate:9.2f} "
              f"{1e3 * local_overhead:16.1f} ms {1e3 * ray_overhead:14.1f} ms", flush=True)


if __name__ == "__main__":
    main()
