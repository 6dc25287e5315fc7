"""A comparison's wall time with its runs one after another against side by side, measured in one run.

The same small comparison (the demo preset cut to `iterations` meta-iterations, its four arms x 2 seeds, 4
held-out tasks, 2 adaptation steps) is run twice on the local backend in fresh directories: one run at a time,
each sampling on one worker per core (`runs_at_once=1`, what a comparison did before), and one run per core at
once, each on one worker (`runs_at_once=None`, the default). A run's updates take one core while its sampler
waits, so on its own it leaves cores idle between its phases; runs side by side fill them. Prints both wall
times, their ratio, and whether the two comparisons' logs agree number for number (they must: where a run
samples never changes its numbers). Timings on a machine shared with other work vary from run to run: compare
the two within one run.

    .venv/bin/python benchmarks/runs_at_once.py [iterations]
"""
import sys
import tempfile
import time
from dataclasses import replace

from metacpo.cluster import Backend
from metacpo.config import PRESETS
from metacpo.compare import compare
from metacpo.report import load_logs

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 6
CFG = replace(PRESETS["demo"], iterations=ITERATIONS, seeds=2, test_tasks=4, test_steps=2, test_mean_episodes=1)
TIMES = ["sample_s", "update_s"]  # the only columns that may differ between the two


def timed_comparison(runs_at_once: int | None, out_dir: str):
    "(wall seconds, training log, test log) of the comparison run in `out_dir` with `runs_at_once`."
    start = time.perf_counter()
    compare(CFG, out_dir, progress=False, backend=Backend("local", runs_at_once=runs_at_once))
    seconds = time.perf_counter() - start
    train_log, test_log = load_logs(out_dir, CFG)
    return seconds, train_log.drop(columns=TIMES), test_log


def main():
    n_runs = len(CFG.arms) * CFG.seeds
    print(f"{n_runs} runs of {ITERATIONS} iterations ({', '.join(CFG.arms)} x {CFG.seeds} seeds)", flush=True)
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as side:
        one_s, one_train, one_test = timed_comparison(1, one)
        print(f"one at a time:  {one_s:7.1f} s", flush=True)
        side_s, side_train, side_test = timed_comparison(None, side)
        print(f"side by side:   {side_s:7.1f} s", flush=True)
    print(f"one at a time / side by side: {one_s / side_s:.2f}")
    print(f"same numbers: {one_train.equals(side_train) and one_test.equals(side_test)}")


if __name__ == "__main__":
    main()
