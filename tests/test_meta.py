"""Meta-gradients through CPO adaptation, and the tabular training loop end to end."""
import dataclasses

import numpy as np
import pytest
import torch

from metacpo.tabular import GridWorld, build_cmdp, exact_task_gradients, policy_returns, sample_tasks
from metacpo.config import ALGORITHMS
from metacpo.meta import adapt, post_adaptation
from metacpo.tabular_training import TabularConfig, meta_test, results_table, train

SMALL = GridWorld(width=4, height=4, cost_limit=0.1)
N = SMALL.n_states * SMALL.n_actions


@pytest.mark.parametrize("n_steps, constrained", [(1, True), (2, True), (2, False)])
def test_meta_gradient_matches_finite_differences(n_steps, constrained):
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=2)[0])
    grads = exact_task_gradients(m)
    theta = torch.tensor(np.random.default_rng(n_steps).normal(size=N) * 0.5)
    post = post_adaptation(theta, [grads] * n_steps, lambda p: policy_returns(m, p), 0.05, constrained)
    h, numeric = 1e-5, torch.zeros(N)
    post_reward = lambda t: policy_returns(m, adapt(t, [grads] * n_steps, 0.05, constrained, differentiable=False).phi)[0]
    for i in range(N):
        e = torch.zeros(N, dtype=theta.dtype)
        e[i] = h
        numeric[i] = (post_reward(theta + e) - post_reward(theta - e)).item() / (2 * h)
    assert ((post.reward_grad - numeric).norm() / numeric.norm()).item() < 1e-5


def test_first_order_meta_gradient_is_the_gradient_at_the_adapted_policy():
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=3)[0])
    theta = torch.zeros(N, dtype=torch.float64)
    post = post_adaptation(theta, [exact_task_gradients(m)] * 2, lambda p: policy_returns(m, p), 0.1, first_order=True)
    phi = post.adaptation.phi.detach().requires_grad_()
    expected, = torch.autograd.grad(policy_returns(m, phi)[0], phi)
    torch.testing.assert_close(post.reward_grad, expected)


def test_tiny_training_run_of_every_algorithm_end_to_end():
    cfg = TabularConfig(iterations=4, tasks_per_step=2, inner_steps=1, test_tasks=3)
    curves = {}
    for alg, (_, constrained) in ALGORITHMS.items():
        run = train(alg, cfg)
        assert len(run.rewards) == 4 and np.isfinite(run.costs).all()
        assert torch.isfinite(run.theta).all() and run.theta.abs().sum() > 0
        curves[alg] = meta_test(run.theta, constrained, cfg)
        assert all(len(c.rewards) == 2 for c in curves[alg])
    table = results_table(curves, cfg.world.cost_limit)
    assert table.count("\n") == 1 + len(ALGORITHMS) and "| meta-cpo |" in table


def test_training_is_reproducible_from_its_seed():
    cfg = TabularConfig(iterations=3, tasks_per_step=2, inner_steps=1)
    a, b = train("meta-cpo", cfg), train("meta-cpo", cfg)
    c = train("meta-cpo", dataclasses.replace(cfg, seed=1))
    assert torch.equal(a.theta, b.theta) and not torch.equal(a.theta, c.theta)
