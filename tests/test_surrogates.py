"""Sampled-data gradients: surrogates at the batch's parameters, and the meta-gradient through them."""
import torch

from metacpo.core import flat_params
from metacpo.meta import InnerLoop, MetaTask, adapt, post_adaptation
from metacpo.policy import GaussianPolicy, gaussian_log_prob
from metacpo.rollouts import Batch
from metacpo.surrogates import log_probs_at, sampled_fisher_metric, surrogate, surrogate_task_gradients

T, DELTA = 300, 0.01


def random_batch(policy, gen):
    obs = torch.randn(T, 6, generator=gen, dtype=torch.float64)
    actions = torch.randn(T, 2, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        log_probs = gaussian_log_prob(*policy(obs), actions)
    flags = torch.zeros(T, dtype=torch.bool)
    batch = Batch(obs, obs, actions, log_probs, torch.zeros(T), torch.zeros(T), flags, flags, flags, [], [])
    return batch, torch.randn(T, generator=gen, dtype=torch.float64), torch.randn(T, generator=gen, dtype=torch.float64)


def test_surrogate_gradients_are_the_policy_gradient_and_c_moves_like_b():
    gen = torch.Generator().manual_seed(0)
    policy = GaussianPolicy(6, 2, hidden=(8,))
    batch, adv_R, adv_C = random_batch(policy, gen)
    theta = flat_params(policy).requires_grad_()
    g, b, c = surrogate_task_gradients(policy, batch, adv_R, adv_C, 7.0, 5.0)(theta, True)
    pg, = torch.autograd.grad((log_probs_at(policy, theta, batch.obs, batch.actions) * adv_C).mean(), theta)
    torch.testing.assert_close(b, pg)
    torch.testing.assert_close(c, torch.tensor(2.0, dtype=torch.float64))
    torch.testing.assert_close(torch.autograd.grad(c, theta)[0], b)


def assert_directional_derivatives_match(F, theta0, gradient, gen, n_directions=3, h=1e-5):
    "Central differences of F along random unit directions agree with `gradient` to 1e-6 of its norm."
    for _ in range(n_directions):
        v = torch.randn(len(theta0), generator=gen, dtype=torch.float64)
        v /= v.norm()
        fd = (F(theta0 + h * v) - F(theta0 - h * v)) / (2 * h)
        assert abs(fd - gradient @ v) <= 1e-6 * gradient.norm()


def fixed_data(seed: int):
    "A generator, a small policy, its parameters, a batch with its two advantages, and a post-adaptation batch."
    gen = torch.Generator().manual_seed(seed)
    policy = GaussianPolicy(6, 2, hidden=(8,))
    batch, adv_R, adv_C = random_batch(policy, gen)
    post_batch, post_adv, _ = random_batch(policy, gen)
    return gen, policy, flat_params(policy), batch, adv_R, adv_C, post_batch, post_adv


def test_meta_gradient_on_fixed_data_matches_finite_differences():
    gen, policy, theta0, batch, adv_R, adv_C, post_batch, post_adv = fixed_data(1)
    b = surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, 0.0)(theta0.clone().requires_grad_(), False)[1]
    grads = surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, -0.3 * (2 * DELTA * b @ b).sqrt().item())
    objective = lambda phi: (surrogate(policy, phi, post_batch, post_adv),) * 2
    task, inner = MetaTask([grads], objective), InnerLoop(delta=DELTA)
    out = post_adaptation(theta0, task, inner)
    assert out.adaptation.steps[0].case.item() == 1  # both constraints active
    F = lambda t: objective(adapt(t, task, inner).phi)[0].item()
    assert_directional_derivatives_match(F, theta0, out.reward_grad, gen)


def test_fisher_meta_gradient_on_fixed_data_matches_finite_differences():
    gen, policy, theta0, batch, adv_R, adv_C, post_batch, post_adv = fixed_data(2)
    grads = surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, 0.0)
    metric = lambda theta, create_graph: sampled_fisher_metric(policy, batch.obs, theta, create_graph=create_graph)
    objective = lambda phi: (surrogate(policy, phi, post_batch, post_adv),) * 2
    task, inner = MetaTask.repeated(2, grads, objective, metric), InnerLoop(delta=0.01, metric_name="fisher")
    out = post_adaptation(theta0, task, inner)
    F = lambda t: objective(adapt(t, task, inner, differentiable=False).phi)[0].item()
    assert_directional_derivatives_match(F, theta0, out.reward_grad, gen)
