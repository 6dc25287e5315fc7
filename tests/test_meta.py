"""Meta-gradients through CPO adaptation, and the tabular training loop end to end."""
import dataclasses

import numpy as np
import pytest
import torch

from metacpo.tabular import GridWorld, build_cmdp, policy_returns, sample_tasks
from metacpo.checks import ALGORITHMS
from metacpo.meta import InnerLoop, MetaTask, adapt, post_adaptation
from metacpo.qp import QPCase
from metacpo.tabular_training import TabularConfig, exact_results_table, meta_step_bounds, meta_test_exact, tabular_task, train_exact

SMALL = GridWorld(width=4, height=4, cost_limit=0.1)
N = SMALL.n_states * SMALL.n_actions


@pytest.mark.parametrize("metric_name", ["euclidean", "fisher"])
@pytest.mark.parametrize("n_steps, constrained", [(1, True), (2, True), (2, False)])
def test_meta_gradient_matches_finite_differences(n_steps, constrained, metric_name):
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=2)[0])
    task = tabular_task(m, n_steps)
    inner = InnerLoop(delta=0.05 if metric_name == "euclidean" else 0.02, constrained=constrained, metric_name=metric_name)
    theta = torch.tensor(np.random.default_rng(n_steps).normal(size=N) * 0.5)
    post = post_adaptation(theta, task, inner)
    h, numeric = 1e-5, torch.zeros(N)
    post_reward = lambda t: policy_returns(m, adapt(t, task, inner, differentiable=False).phi)[0]
    for i in range(N):
        e = torch.zeros(N, dtype=theta.dtype)
        e[i] = h
        numeric[i] = (post_reward(theta + e) - post_reward(theta - e)).item() / (2 * h)
    assert ((post.reward_grad - numeric).norm() / numeric.norm()).item() < 1e-5


def test_first_order_meta_gradient_is_the_gradient_at_the_adapted_policy():
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=3)[0])
    theta = torch.zeros(N, dtype=torch.float64)
    post = post_adaptation(theta, tabular_task(m, 2), InnerLoop(delta=0.1), first_order=True)
    phi = post.adaptation.phi.detach().requires_grad_()
    expected, = torch.autograd.grad(policy_returns(m, phi)[0], phi)
    torch.testing.assert_close(post.reward_grad, expected)


def test_bad_inner_settings_are_refused_with_one_line():
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=3)[0])
    with pytest.raises(ValueError, match="steps must be an integer >= 0, got -2"):
        tabular_task(m, -2)
    with pytest.raises(ValueError, match="unknown inner_metric 'kl': allowed are 'euclidean', 'fisher'"):
        TabularConfig(inner_metric="kl")
    with pytest.raises(ValueError, match="test_steps must be an integer >= 0, got -1"):
        TabularConfig(test_steps=-1)
    no_metric = MetaTask(tabular_task(m, 1).step_gradients, None)
    with pytest.raises(ValueError, match="inner_metric 'fisher' needs a task that supplies its metric"):
        adapt(torch.zeros(N, dtype=torch.float64), no_metric, InnerLoop(delta=0.1, metric_name="fisher"))


def test_indefinite_metric_is_refused():
    m = build_cmdp(SMALL, sample_tasks(SMALL, "train", 1, seed=3)[0])
    task = tabular_task(m, 1)
    metric = task.step_metrics[0]
    negated = MetaTask(task.step_gradients, task.objectives, [lambda t, cg: (lambda v: -metric(t, cg)(v))])
    with pytest.raises(ValueError, match="not positive definite"):
        post_adaptation(torch.zeros(N, dtype=torch.float64), negated, InnerLoop(delta=0.1, metric_name="fisher"))


def test_tiny_training_run_of_every_algorithm_end_to_end():
    cfg = TabularConfig(iterations=4, tasks_per_step=2, inner_steps=1, test_tasks=3)
    curves = {}
    for alg, (_, constrained) in ALGORITHMS.items():
        run = train_exact(alg, cfg)
        assert len(run.rewards) == 4 and np.isfinite(run.costs).all()
        assert torch.isfinite(run.theta).all() and run.theta.abs().sum() > 0
        curves[alg] = meta_test_exact(run.theta, constrained, cfg)
        assert all(len(c.rewards) == 2 for c in curves[alg])
        longer = meta_test_exact(run.theta, constrained, dataclasses.replace(cfg, test_steps=3, inner_metric="fisher", inner_delta=0.05))
        assert all(len(c.rewards) == 4 for c in longer)
    table = exact_results_table(curves, cfg.world.cost_limit)
    assert table.count("\n") == 1 + len(ALGORITHMS) and "| meta-cpo |" in table


def test_training_is_reproducible_from_its_seed():
    cfg = TabularConfig(iterations=3, tasks_per_step=2, inner_steps=1)
    a, b = train_exact("meta-cpo", cfg), train_exact("meta-cpo", cfg)
    c = train_exact("meta-cpo", dataclasses.replace(cfg, seed=1))
    assert torch.equal(a.theta, b.theta) and not torch.equal(a.theta, c.theta)


def test_meta_level_bounds_hold_on_every_outer_step_of_fisher_meta_cpo():
    cfg = TabularConfig(world=SMALL, iterations=4, tasks_per_step=2, inner_steps=2, inner_metric="fisher", inner_delta=0.05)
    bounds = meta_step_bounds(train_exact("meta-cpo", cfg), cfg)
    assert len(bounds) == 4
    for bd in bounds:
        assert bd.dJ_R >= bd.reward_lower - 1e-12 and bd.dJ_C <= bd.cost_upper + 1e-12
        assert bd.case in tuple(QPCase)
