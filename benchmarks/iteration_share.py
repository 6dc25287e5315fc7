"""Share of a demo meta-iteration's wall time spent sampling vs updating, for each algorithm.

Runs a few iterations of every algorithm with the `demo` preset (Car Circle, 2 tasks x 2 batches x 2000 steps per
iteration) in a temporary directory and prints, per algorithm, the mean seconds per iteration spent

sampling  inside the sampler: switching its workers' environments to each task, running whole episodes
updating  everything else in the iteration: critic fits, advantages, surrogate gradients, meta-gradient, QPs, line search

and the updating share. Target: updating under 10% of the iteration. The first iteration of a run is reported apart:
it also pays one-off costs (starting the workers, torch's first autograd passes).

    .venv/bin/python benchmarks/iteration_share.py [iterations]
"""
import sys
import tempfile
from dataclasses import replace

from metacpo.checks import ALGORITHMS
from metacpo.config import PRESETS
from metacpo.runs import train

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 4

if __name__ == "__main__":
    cfg = replace(PRESETS["demo"], iterations=ITERATIONS + 1)
    print(f"demo preset: seconds per iteration, mean of iterations 2 to {ITERATIONS + 1} (first iteration apart)")
    print(f"{'algorithm':10s} {'sampling':>9s} {'updating':>9s} {'updating share':>15s} {'first: sampling':>16s} {'updating':>9s}")
    for algorithm in ALGORITHMS:
        with tempfile.TemporaryDirectory() as d:
            first, *rest = train(algorithm, cfg, d, progress=False).history
        sampling = sum(r.sample_s for r in rest) / ITERATIONS
        updating = sum(r.update_s for r in rest) / ITERATIONS
        print(f"{algorithm:10s} {sampling:9.2f} {updating:9.2f} {updating / (sampling + updating):15.1%} "
              f"{first.sample_s:16.2f} {first.update_s:9.2f}")
