"""The exact tabular CMDPs: their semantics against simulation, and the improvement bounds."""
import numpy as np
import pytest
import torch

from metacpo.tabular import (GridTask, GridWorld, build_cmdp, evaluate, improvement_bounds, policy_returns,
                             sample_tasks, softmax_policy)

WORLD = GridWorld()
S, A = WORLD.n_states, WORLD.n_actions


def simulate_returns(world, task, pi, episodes, horizon, seed):
    "Monte-Carlo discounted reward and cost of `pi` by stepping the gridworld's rules directly (not its matrices)."
    rng = np.random.default_rng(seed)
    moves = [(0, 1), (0, -1), (-1, 0), (1, 0)]
    totals = np.zeros((episodes, 2))
    for e in range(episodes):
        s = world.start
        for t in range(horizon):
            a = rng.choice(A, p=pi[s])
            if rng.random() < world.slip:
                a = rng.integers(A)
            x, y = s % world.width + moves[a][0], s // world.width + moves[a][1]
            if 0 <= x < world.width and 0 <= y < world.height:
                s = y * world.width + x
            totals[e] += world.gamma ** t * np.array([s == task.goal, s in task.hazards])
            if s == task.goal:
                s = world.start
    return totals.mean(0), totals.std(0) / np.sqrt(episodes)


def test_exact_returns_match_simulation_of_the_rules():
    task = sample_tasks(WORLD, "train", 1, seed=4)[0]
    theta = torch.randn(S * A, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    pi = softmax_policy(theta, S, A)
    exact = torch.stack(policy_returns(build_cmdp(WORLD, task), theta)).numpy()
    mean, stderr = simulate_returns(WORLD, task, pi.numpy(), episodes=1500, horizon=120, seed=0)
    assert np.all(np.abs(mean - exact) < 4 * stderr + WORLD.gamma ** 120 * 10)


def test_tasks_are_reproducible_valid_and_split():
    for split, n_hazards in (("train", 3), ("test", 4)):
        tasks = sample_tasks(WORLD, split, 30, seed=9)
        assert tasks == sample_tasks(WORLD, split, 30, seed=9)
        for t in tasks:
            assert t.goal in WORLD.goal_region(split) and len(set(t.hazards)) == n_hazards
            assert not any(WORLD.near(h, t.goal) or WORLD.near(h, WORLD.start) for h in t.hazards)
    assert not set(WORLD.goal_region("train")) & set(WORLD.goal_region("test"))
    with pytest.raises(ValueError, match="unknown split 'holdout': allowed are 'train', 'test'"):
        sample_tasks(WORLD, "holdout", 1, seed=0)


def test_occupancy_and_advantages_are_consistent():
    m = build_cmdp(WORLD, GridTask(goal=WORLD.cell(5, 5), hazards=(14, 15)))
    pi = softmax_policy(torch.randn(S * A, dtype=torch.float64), S, A)
    ev = evaluate(m, pi)
    torch.testing.assert_close(ev.d.sum(), torch.tensor(1.0, dtype=torch.float64))
    torch.testing.assert_close((pi * ev.A_C).sum(-1), torch.zeros(S, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(ev.J_R, (ev.d * (pi * m.R).sum(-1)).sum() / (1 - m.gamma))


def test_improvement_bounds_hold_on_random_policy_pairs():
    rng = np.random.default_rng(5)
    models = [build_cmdp(WORLD, t) for t in sample_tasks(WORLD, "test", 5, seed=2)]
    for i in range(200):
        theta = torch.tensor(rng.normal(size=S * A) * 1.5)
        theta_new = theta + torch.tensor(rng.normal(size=S * A)) * 10 ** rng.uniform(-3, 0.5)
        bd = improvement_bounds(models[i % 5], softmax_policy(theta, S, A), softmax_policy(theta_new, S, A))
        assert bd.dJ_R >= bd.reward_lower - 1e-9 and bd.dJ_R >= bd.tr_reward_lower - 1e-9
        assert bd.dJ_C <= bd.cost_upper + 1e-9 and bd.dJ_C <= bd.tr_cost_upper + 1e-9
        assert bd.penalty_R > 0 and bd.mean_kl > 0


def test_improvement_bounds_stay_defined_when_a_probability_underflows_to_zero():
    world = GridWorld()
    m = build_cmdp(world, sample_tasks(world, "train", 1, seed=0)[0])
    S, A = world.n_states, world.n_actions
    logits = torch.zeros(S, A, dtype=torch.float64)
    logits[:, 0] = 800.0  # exp(-800) underflows: the other actions have probability exactly 0
    pi, pi_new = torch.softmax(logits, -1), torch.softmax(logits.clone().fill_(0.0), -1)
    for a, b in ((pi, pi), (pi, pi_new), (pi_new, pi)):
        bd = improvement_bounds(m, a, b)
        assert not np.isnan([bd.L_R, bd.penalty_R, bd.L_C, bd.penalty_C]).any()
        assert bd.dJ_R >= bd.reward_lower - 1e-12 and bd.dJ_C <= bd.cost_upper + 1e-12
