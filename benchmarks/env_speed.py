"""Sampling speed on Car Circle with random actions, 500-step episodes including their resets.

Measures, in one run:
  stock    the registered Safety-Gymnasium SafetyCarCircle1-v0 (one process; rebuilds the model every reset)
  ours     metacpo's Circle task environment (one process; fast resets)
and prints steps/s with the ratio ours / stock. A meta-iteration's sampling throughput is
benchmarks/sampling_throughput.py.

    .venv/bin/python benchmarks/env_speed.py
"""
import time

import numpy as np
import torch

from metacpo.compat import import_safety_gymnasium
from metacpo.tasks import CircleTask, make_env

EPISODES = 4
HORIZON = 500
ACTION_STD = np.exp(-0.5)  # the sampler's policy: zero mean, log-std -0.5


def steps_per_second(env, episodes: int) -> float:
    "Random-action steps per second over whole episodes, each starting with a reset."
    rng = np.random.default_rng(0)
    env.reset(seed=0)  # the first build is not an episode reset
    start, steps = time.perf_counter(), 0
    for episode in range(episodes):
        env.reset(seed=episode + 1)
        done = False
        while not done:
            *_, terminated, truncated, _ = env.step(ACTION_STD * rng.standard_normal(2))
            done, steps = terminated or truncated, steps + 1
    return steps / (time.perf_counter() - start)


def main():
    torch.set_num_threads(1)
    safety_gymnasium = import_safety_gymnasium()
    stock = steps_per_second(safety_gymnasium.make("SafetyCarCircle1-v0"), EPISODES)
    task = CircleTask(radius=1.5, wall_offset=1.125)  # the registered level-1 geometry
    ours = steps_per_second(make_env(task, "Car"), EPISODES * 4)
    print(f"stock SafetyCarCircle1-v0, one process : {stock:8.0f} steps/s")
    print(f"ours (fast reset), one process         : {ours:8.0f} steps/s   ours / stock = {ours / stock:.1f}")


if __name__ == "__main__":
    main()
