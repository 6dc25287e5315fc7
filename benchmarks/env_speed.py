"""Sampling speed on Car Circle with random actions, 500-step episodes including their resets.

Measures, in one run:
  stock    the registered Safety-Gymnasium SafetyCarCircle1-v0 (one process; rebuilds the model every reset)
  ours     metacpo's Circle task environment (one process; fast resets)
  sampler  metacpo's Sampler with 1 and with 2 workers (batched inference in the parent; the policy's mean is zero,
           so its actions are Gaussian noise like the random actions above)
and prints steps/s with the ratios ours / stock and sampler / (workers x ours).

    .venv/bin/python benchmarks/env_speed.py
"""
import time

import numpy as np
import torch

from metacpo.compat import import_safety_gymnasium
from metacpo.rollouts import GaussianPolicy, ObsNormalizer, Sampler
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


def sampler_steps_per_second(task, n_workers: int, envs_per_worker: int) -> float:
    policy = GaussianPolicy(40, 2)
    with torch.no_grad():
        policy.mean[-1].weight.zero_(); policy.mean[-1].bias.zero_()
    with Sampler("Car", n_workers=n_workers, envs_per_worker=envs_per_worker) as sampler:
        n_steps = EPISODES * HORIZON * n_workers * 2
        sampler.sample(task, policy, ObsNormalizer.new(40), sampler.n_envs, seed=0)  # builds the environments
        start = time.perf_counter()
        batch = sampler.sample(task, policy, ObsNormalizer.new(40), n_steps, seed=1)
        return batch.n_steps / (time.perf_counter() - start)


def main():
    torch.set_num_threads(1)
    safety_gymnasium = import_safety_gymnasium()
    stock = steps_per_second(safety_gymnasium.make("SafetyCarCircle1-v0"), EPISODES)
    task = CircleTask(radius=1.5, wall_offset=1.125)  # the registered level-1 geometry
    ours = steps_per_second(make_env(task, "Car"), EPISODES * 4)
    print(f"stock SafetyCarCircle1-v0, one process : {stock:8.0f} steps/s")
    print(f"ours (fast reset), one process         : {ours:8.0f} steps/s   ours / stock = {ours / stock:.1f}")
    for n_workers, envs_per_worker in ((1, 4), (1, 8), (2, 4), (2, 8), (2, 16)):
        rate = sampler_steps_per_second(task, n_workers, envs_per_worker)
        print(f"sampler, {n_workers} worker(s) x {envs_per_worker:2d} envs      : {rate:8.0f} steps/s   "
              f"sampler / (workers x ours) = {rate / (n_workers * ours):.2f}")


if __name__ == "__main__":
    main()
