"""Task families and their environments, as users build them."""
import numpy as np
import pytest

import types

from metacpo.lean_step import stock_lidar_tolerance
from metacpo.sg_tasks import EnvCache, make_env
from metacpo.tasks import AGENTS, ButtonTask, CircleTask, sample


@pytest.mark.parametrize("family, split", [(f, s) for f in ("circle", "button") for s in ("level0", "train", "test")])
def test_sampling_is_reproducible_and_valid(family, split):
    tasks = sample(family, split, 20, seed=11)
    assert tasks == sample(family, split, 20, seed=11)
    assert all(isinstance(t, CircleTask if family == "circle" else ButtonTask) for t in tasks)
    if split != "level0":
        assert tasks != sample(family, split, 20, seed=12)


@pytest.mark.parametrize("make, message", [
    (lambda: CircleTask(0.0, 0.5), "radius must be a number in (0.0, 3.5], got 0.0"),
    (lambda: CircleTask(float("nan"), 0.5), "radius must be a number in (0.0, 3.5], got nan"),
    (lambda: CircleTask(2.0, 3.6), "wall_offset must be a number in (0.2, 3.5], got 3.6"),
    (lambda: ButtonTask(2.0, 2.5, 3, False), "n_buttons must be an integer >= 1, got 2.5"),
    (lambda: ButtonTask(2.0, 3, 3, "yes"), "wrong_button_cost must be True or False, got 'yes'"),
    (lambda: sample("circle", "train", -1, 0), "n must be an integer >= 0, got -1"),
    (lambda: make_env(CircleTask(1.0, 0.7), "Ant"), "unknown agent 'Ant': allowed are 'Point', 'Car'"),
])
def test_bad_parameters_name_the_value_and_the_range(make, message):
    with pytest.raises(ValueError) as error:
        make()
    assert message in str(error.value)


@pytest.mark.parametrize("agent, obs_dim", [("Point", 28), ("Car", 40)])
def test_circle_env_runs_with_finite_values_and_respects_the_walls(agent, obs_dim):
    env = make_env(CircleTask(1.2, 0.8), agent)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (obs_dim,)
    rng = np.random.default_rng(0)
    for _ in range(50):
        obs, reward, cost, terminated, truncated, _ = env.step(rng.uniform(-1, 1, 2))
        assert np.isfinite(obs).all() and np.isfinite(reward) and cost == float(abs(env.task.agent.pos[0]) > 0.8)


def trajectory(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    rows = [np.r_[obs, 0.0, 0.0]]
    for a in actions:
        obs, reward, cost, *_ = env.step(a)
        rows.append(np.r_[obs, reward, cost])
    return np.array(rows)


def test_fast_reset_matches_rebuild_on_button_car_exactly():
    actions = np.random.default_rng(3).uniform(-1, 1, size=(100, 2))

    def second_episode(fast_reset):
        env = make_env(ButtonTask(2.0, 5, 8, True), "Car", fast_reset=fast_reset)
        env.reset(seed=1)
        return trajectory(env, 2, actions)

    np.testing.assert_array_equal(second_episode(True), second_episode(False))


@pytest.mark.parametrize("agent, old, new", [
    ("Point", CircleTask(1.2, 0.8), CircleTask(2.4, 1.5)),
    ("Car", ButtonTask(1.8, 3, 6, True), ButtonTask(2.0, 3, 6, False)),
])
def test_switch_in_place_gives_the_episodes_of_a_new_environment(agent, old, new):
    actions = np.random.default_rng(5).uniform(-1, 1, size=(80, 2))
    env = make_env(old, agent)
    trajectory(env, 4, actions)
    env.switch(new)
    np.testing.assert_array_equal(trajectory(env, 9, actions), trajectory(make_env(new, agent), 9, actions))


def test_env_cache_compiles_once_per_structure():
    cache = EnvCache("Point", horizon=20)
    circle = cache.get(CircleTask(1.2, 0.8))
    button = cache.get(ButtonTask(1.8, 3, 6, False))
    assert cache.get(CircleTask(2.1, 1.3)) is circle and cache.get(ButtonTask(1.9, 3, 6, True)) is button
    assert cache.get(ButtonTask(1.9, 4, 7, True)) is not button
    cache.close()


@pytest.mark.parametrize("agent", AGENTS)
def test_lean_observation_equals_stock_observation(agent):
    task = ButtonTask(1.9, 4, 7, True)
    lean, stock = make_env(task, agent), make_env(task, agent)
    base = next(c for c in type(stock.task).__mro__ if c.__module__.startswith("safety_gymnasium") and "obs" in c.__dict__)
    stock.task.obs = types.MethodType(base.obs, stock.task)
    actions = np.random.default_rng(6).uniform(-1, 1, size=(200, 2))
    np.testing.assert_allclose(trajectory(lean, 0, actions), trajectory(stock, 0, actions), rtol=0, atol=stock_lidar_tolerance())
