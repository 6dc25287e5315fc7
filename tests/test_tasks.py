"""Task families and their environments, as users build them."""
import numpy as np
import pytest

from metacpo.tasks import AGENTS, ButtonTask, CircleTask, make_env, sample


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


def test_fast_reset_matches_rebuild_on_button_car():
    rng = np.random.default_rng(3)
    actions = rng.uniform(-1, 1, size=(100, 2))

    def second_episode(fast_reset):
        env = make_env(ButtonTask(2.0, 5, 8, True), "Car", fast_reset=fast_reset)
        env.reset(seed=1)
        obs, _ = env.reset(seed=2)
        rows = [obs]
        for a in actions:
            obs, reward, cost, *_ = env.step(a)
            rows.append(np.r_[obs, reward, cost][:len(obs)])
        return np.array(rows)

    assert np.abs(second_episode(True) - second_episode(False)).max() <= 1e-9
