"""A whole comparison's environment steps per second against what its cores could step, measured in one run.

Runs `metacpo compare` on the local backend in a temporary directory: by default the demo preset cut to a few
iterations and two seeds (about five minutes on two cores); with `--full`, the demo comparison itself, what
`make run` runs. It prints

  steps     environment steps of the comparison's runs: their meta-training and meta-tests (`run_steps`)
  runs      seconds until every run is trained and meta-tested; then the report and the pictures' seconds
  rate      steps / runs' seconds, against
            cores x physics: the family's physics alone (10 mj_step + mj_forward of a train task's compiled model,
                             `env_speed.py`'s measure), the rate no environment step can beat
            cores x env.step: the environment's step alone, without a policy, a sampler or any update

and the floor these rates put under the comparison's wall time: its steps on every core at the physics rate, and at
the env.step rate. The physics and env.step rates are measured in this run, in this process, before the comparison.

    .venv/bin/python benchmarks/comparison_throughput.py [--full] [--iterations N]
"""
import argparse
import os
import tempfile
import time
from dataclasses import replace

import torch

import metacpo.compare as compare_module
from metacpo.compare import compare, comparison_runs, run_steps
from metacpo.config import PRESETS
from metacpo.tasks import sample
from env_speed import step_against_physics


def runs_and_pictures_seconds(cfg, out_dir: str) -> tuple[float, float]:
    "Seconds of the comparison's runs, and of its report and pictures after them (stamped where the report starts)."
    report, stamps = compare_module.write_report, {}
    def stamped(*args, **kwargs):
        stamps["runs done"] = time.perf_counter()
        return report(*args, **kwargs)
    compare_module.write_report = stamped
    try:
        start = time.perf_counter()
        compare(cfg, out_dir, progress=False)
        end = time.perf_counter()
    finally:
        compare_module.write_report = report
    return stamps["runs done"] - start, end - stamps["runs done"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the demo comparison itself (make run's)")
    parser.add_argument("--iterations", type=int, default=4, help="meta-iterations per run unless --full")
    args = parser.parse_args()
    cfg = PRESETS["demo"] if args.full else replace(PRESETS["demo"], iterations=args.iterations, seeds=2)
    torch.set_num_threads(1)
    cores = os.cpu_count()
    step_s, physics_s = step_against_physics(sample(cfg.family, cfg.train_split, 1, seed=0)[0], cfg.agent, 3000, seed=0)
    with tempfile.TemporaryDirectory() as d:
        steps = sum(run_steps(run_cfg) for _, run_cfg, _ in comparison_runs(cfg, d))
        runs_s, pictures_s = runs_and_pictures_seconds(cfg, d)
    rate = steps / runs_s
    print(f"{'full demo' if args.full else f'demo cut to {cfg.iterations} iterations x {cfg.seeds} seeds'}: "
          f"{len(cfg.arms) * cfg.seeds} runs, {steps:,} environment steps, {cores} cores")
    print(f"runs {runs_s:.0f} s, then report and pictures {pictures_s:.0f} s ({pictures_s / (runs_s + pictures_s):.0%} of the wall time)")
    print(f"physics {1 / physics_s:.0f} steps/s, env.step {1 / step_s:.0f} steps/s ({step_s / physics_s:.2f}x the physics time) per core")
    print(f"rate {rate:.0f} steps/s: {rate * physics_s / cores:.2f} of cores x physics, {rate * step_s / cores:.2f} of cores x env.step")
    print(f"floor of the runs' wall time: {steps * physics_s / cores:.0f} s at the physics rate, "
          f"{steps * step_s / cores:.0f} s at the env.step rate, against {runs_s:.0f} s")


if __name__ == "__main__":
    main()
