"""Share of a demo meta-iteration's wall time spent sampling vs updating, for each algorithm.

Runs a few iterations of every algorithm with the `demo` preset (Car Circle, 2 tasks x 2 batches x 1000 steps per
iteration) in a temporary directory and prints, per algorithm, the mean seconds per iteration spent

sampling  inside the sampler: building the environments of each new task, stepping them, batched policy inference
updating  everything else: critic fits, advantages, surrogate gradients, meta-gradient, QPs, line search, checkpoint

and the updating share. Target: updating under 10% of the iteration.

    .venv/bin/python benchmarks/iteration_share.py [iterations]
"""
import sys
import tempfile
import time
from dataclasses import replace

from metacpo.config import ALGORITHMS, PRESETS
from metacpo.training import train

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 4

if __name__ == "__main__":
    cfg = replace(PRESETS["demo"], iterations=ITERATIONS)
    print(f"demo preset, {ITERATIONS} iterations per algorithm, seconds per iteration")
    print(f"{'algorithm':10s} {'wall':>6s} {'sampling':>9s} {'updating':>9s} {'updating share':>15s}")
    for algorithm in ALGORITHMS:
        with tempfile.TemporaryDirectory() as d:
            start = time.perf_counter()
            history = train(algorithm, cfg, d, progress=False).history
            wall = (time.perf_counter() - start) / ITERATIONS
        sampling = sum(r["sample_s"] for r in history) / ITERATIONS
        updating = sum(r["update_s"] for r in history) / ITERATIONS
        print(f"{algorithm:10s} {wall:6.2f} {sampling:9.2f} {updating:9.2f} {updating / (sampling + updating):15.1%}")
