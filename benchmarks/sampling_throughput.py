"""A meta-iteration's sampling throughput against what its workers could step alone, measured in one run.

For the `demo` and `paper` presets on Car Circle and on Point Button, this script measures
  single   steps per second of one environment of the family in this process (random Gaussian actions like an
           untrained policy's, whole episodes, resets included): the rate one worker could reach at best
  physics  steps per second of that environment's physics alone (10 mj_step + mj_forward of the same compiled model,
           `env_speed.py`'s measure): the rate no environment step can beat
  sampling a meta-iteration's environment steps divided by the seconds its sampler calls took (Meta-CPO, iterations
           after the first, whose sampling also starts the workers and compiles their first models)
and prints sampling / (workers x single), the share of the workers' stepping capacity a meta-iteration uses, and
sampling / (workers x physics), the share of the physical limit.

    .venv/bin/python benchmarks/sampling_throughput.py [iterations]
"""
import os
import sys
import tempfile
import time
from dataclasses import replace

import numpy as np
import torch

from metacpo.config import PRESETS
from metacpo.sg_tasks import make_env
from metacpo.tasks import sample
from metacpo.runs import train
from metacpo.training import steps_per_iteration
from env_speed import ACTION_STD, step_against_physics

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
SETTINGS = [(preset, family, agent) for preset in ("demo", "paper") for family, agent in (("circle", "Car"), ("button", "Point"))]


def single_env_rate(family: str, agent: str, horizon: int, episodes: int = 4) -> float:
    "Steps per second of one environment of a train task, whole episodes of random Gaussian actions with their resets."
    env = make_env(sample(family, "train", 1, seed=0)[0], agent, horizon)
    rng, std = np.random.default_rng(0), ACTION_STD  # an untrained policy's spread
    env.reset(seed=0)  # the build is not part of an episode
    start = time.perf_counter()
    for episode in range(episodes):
        env.reset(seed=episode + 1)
        for _ in range(horizon):
            env.step(std * rng.standard_normal(env.action_space.shape[0]))
    rate = episodes * horizon / (time.perf_counter() - start)
    env.close()
    return rate


def iteration_sampling_rate(preset: str, family: str, agent: str) -> tuple[float, float]:
    "Environment steps per sampling second of Meta-CPO iterations 2.., and the updating share of those iterations."
    cfg = replace(PRESETS[preset], family=family, agent=agent, iterations=ITERATIONS + 1)
    with tempfile.TemporaryDirectory() as d:
        _, *rest = train("meta-cpo", cfg, d, progress=False).history
    sampling, updating = sum(r.sample_s for r in rest), sum(r.update_s for r in rest)
    return steps_per_iteration(cfg) * len(rest) / sampling, updating / (sampling + updating)


if __name__ == "__main__":
    torch.set_num_threads(1)
    workers = os.cpu_count()
    print(f"{workers} workers; Meta-CPO iterations 2 to {ITERATIONS + 1} of each preset")
    print(f"{'preset':6s} {'task':13s} {'single env':>11s} {'physics':>9s} {'iteration':>10s} "
          f"{'iteration / (workers x single)':>31s} {'iteration / (workers x physics)':>32s} {'updating share':>15s}")
    for preset, family, agent in SETTINGS:
        single = single_env_rate(family, agent, PRESETS[preset].horizon)
        physics = 1 / step_against_physics(sample(family, "train", 1, seed=0)[0], agent, steps=3000, seed=0)[1]
        rate, share = iteration_sampling_rate(preset, family, agent)
        print(f"{preset:6s} {agent + ' ' + family:13s} {single:9.0f}/s {physics:7.0f}/s {rate:8.0f}/s "
              f"{rate / (workers * single):31.2f} {rate / (workers * physics):32.2f} {share:15.1%}")
