"""Environment speed on Car Circle with random actions, 500-step episodes including their resets, and the cost of a
task switch.

Measures, in one run (rounds interleaved, so a busy machine slows every variant alike; min-max over rounds):
  stock        the registered Safety-Gymnasium SafetyCarCircle1-v0 (rebuilds the model every reset)
  stock obs    metacpo's environment of the same geometry with Safety-Gymnasium's own obs() put back (fast resets)
  ours         metacpo's environment (fast resets, lean observation)
and prints steps/s with the ratio ours / stock; then the time of a task switch in place (switch + reset) against
building an environment for the task (compile + first reset), for Circle and for Button (same counts); then, for
Car Circle, Point Circle and Point Button, the time of env.step against its physics alone (10 mj_step and one
mj_forward on the same compiled model: the floor for any step; a step also runs two more forward passes, which its numbers depend on), rounds interleaved.
(The sampler's throughput against workers x ours is measured with the sampler's own benchmarks.)

    .venv/bin/python benchmarks/env_speed.py [--rounds 3] [--episodes 4]
"""
import argparse
import time
import types

import mujoco
import numpy as np

from metacpo.compat import import_safety_gymnasium
from metacpo.sg_tasks import make_env
from metacpo.tasks import ButtonTask, CircleTask, sample

HORIZON = 500
ACTION_STD = np.exp(-0.5)  # the sampler's initial policy: zero mean, log-std -0.5
GEOMETRY = CircleTask(radius=1.5, wall_offset=1.125)  # the registered level-1 geometry


def steps_per_second(env, episodes: int, first_seed: int) -> float:
    "Random-action steps per second over whole episodes, each starting with a reset."
    rng = np.random.default_rng(first_seed)
    start, steps = time.perf_counter(), 0
    for episode in range(episodes):
        env.reset(seed=first_seed + episode)
        done = False
        while not done:
            *_, terminated, truncated, _ = env.step(ACTION_STD * rng.standard_normal(2))
            done, steps = terminated or truncated, steps + 1
    return steps / (time.perf_counter() - start)


def stock_env():
    env = import_safety_gymnasium().make("SafetyCarCircle1-v0")
    while hasattr(env, "env"):  # the registered wrappers: checks only
        env = env.env
    return env


def with_stock_obs(env):
    "`env` with Safety-Gymnasium's own obs() (space check, generic flattening) in place of the lean one."
    stock = next(c for c in type(env.task).__mro__ if c.__module__.startswith("safety_gymnasium") and "obs" in c.__dict__)
    env.task.obs = types.MethodType(stock.obs, env.task)
    return env


def switch_seconds(tasks: list, agent: str = "Car") -> tuple[list, list]:
    "Seconds per switch in place (switch + reset) and per new environment (build + first reset), over `tasks`."
    env = make_env(tasks[0], agent)
    env.reset(seed=0)
    in_place, compiled = [], []
    for i, task in enumerate(tasks[1:], 1):
        start = time.perf_counter()
        env.switch(task)
        env.reset(seed=i)
        in_place.append(time.perf_counter() - start)
        start = time.perf_counter()
        make_env(task, agent).reset(seed=i)
        compiled.append(time.perf_counter() - start)
    return in_place, compiled


def step_against_physics(task, agent: str, steps: int, seed: int) -> tuple[float, float]:
    "Seconds per env.step (random actions, resets excluded) and per physics step (10 mj_step + mj_forward) of the same model."
    env = make_env(task, agent)
    env.reset(seed=seed)
    rng, stepping, done = np.random.default_rng(seed), 0.0, 0
    while done < steps:
        action = ACTION_STD * rng.standard_normal(2)
        start = time.perf_counter()
        *_, terminated, truncated, _ = env.step(action)
        stepping, done = stepping + time.perf_counter() - start, done + 1
        if terminated or truncated:
            env.reset(seed=seed + done)
    model, data = env.task.model, mujoco.MjData(env.task.model)
    data.ctrl[:] = 0.5
    start = time.perf_counter()
    for _ in range(steps):
        for _ in range(10):
            mujoco.mj_step(model, data)
        mujoco.mj_forward(model, data)
    return stepping / steps, (time.perf_counter() - start) / steps


PHYSICS_CASES = {"Car Circle": (GEOMETRY, "Car"), "Point Circle": (GEOMETRY, "Point"),
                 "Point Button": (ButtonTask(1.75, 4, 6, True), "Point")}


def spread(values) -> str:
    return f"{np.median(values):8.0f}  (min {min(values):.0f}, max {max(values):.0f})"


def milliseconds(seconds) -> str:
    return f"{1e3 * np.median(seconds):7.1f} ({1e3 * min(seconds):.1f}-{1e3 * max(seconds):.1f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--episodes", type=int, default=4, help="episodes per variant and round")
    parser.add_argument("--physics-steps", type=int, default=3000, help="steps per case and round of the physics ratios")
    args = parser.parse_args()
    envs = {"stock": stock_env(), "stock obs": with_stock_obs(make_env(GEOMETRY, "Car")), "ours": make_env(GEOMETRY, "Car")}
    for env in envs.values():
        env.reset(seed=0)  # the first build is not an episode reset
    rates = {name: [] for name in envs}
    for r in range(args.rounds):
        for name, env in envs.items():
            rates[name].append(steps_per_second(env, args.episodes, first_seed=1 + r * args.episodes))
    ratios = np.array(rates["ours"]) / np.array(rates["stock"])
    print(f"steps/s on Car Circle with resets, {args.rounds} rounds x {args.episodes} episodes of {HORIZON} steps (median, min-max):")
    for name in envs:
        print(f"  {name:10s}: {spread(rates[name])}")
    print(f"  ours / stock     = {np.median(ratios):.1f}  (min {ratios.min():.1f}, max {ratios.max():.1f}, per round)")
    obs_ratios = np.array(rates["ours"]) / np.array(rates["stock obs"])
    print(f"  ours / stock obs = {np.median(obs_ratios):.2f}  (min {obs_ratios.min():.2f}, max {obs_ratios.max():.2f}): the lean step alone")

    circle_switch, circle_build = switch_seconds(sample("circle", "train", 6, seed=0))
    button_switch, button_build = switch_seconds([ButtonTask(float(e), 5, 8, bool(w)) for e, w in
                                                  zip(np.linspace(1.75, 2.0, 6), [0, 1, 0, 1, 0, 1])])
    print("task switch (Car), milliseconds (median, min-max):")
    for name, switch, build in (("Circle", circle_switch, circle_build), ("Button", button_switch, button_build)):
        print(f"  {name}: in place {milliseconds(switch)}   new environment {milliseconds(build)}   ratio {np.median(build) / np.median(switch):.0f}x")

    ratios = {name: [] for name in PHYSICS_CASES}
    for r in range(args.rounds):
        for name, (task, agent) in PHYSICS_CASES.items():
            step_s, physics_s = step_against_physics(task, agent, args.physics_steps, seed=r)
            ratios[name].append((step_s, physics_s))
    print(f"env.step against its physics (10 mj_step + mj_forward), {args.rounds} rounds x {args.physics_steps} steps:")
    for name, pairs in ratios.items():
        step_s, physics_s = np.array(pairs).T
        ratio = step_s / physics_s
        print(f"  {name:12s}: env.step {1 / np.median(step_s):6.0f}/s, physics {1 / np.median(physics_s):6.0f}/s, "
              f"env.step / physics = {np.median(ratio):.2f} (min {ratio.min():.2f}, max {ratio.max():.2f})")


if __name__ == "__main__":
    main()
