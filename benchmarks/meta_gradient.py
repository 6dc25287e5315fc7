"""Time of one Meta-CPO meta-gradient per task (after sampling): the exact product against the diagonal built with
one backward pass per parameter, as an earlier implementation did.

Car Circle (40-dim observation, 2-dim action): batches of 1000 transitions sampled with the policy (advantages are
random numbers: the cost of the graph does not depend on their values), float64, one thread, one inner CPO step
(Euclidean, delta = 0.01, both constraints active: `both_active_c`), post-adaptation reward surrogate on a second batch.

exact     metacpo.meta.post_adaptation: adapt with create_graph, then one backward pass (reward meta-gradient)
fisher    the same with a Fisher-metric inner step (mean KL <= 0.01 over the batch's states, damping 0.1; its two
          solves and their adjoints by conjugate gradient to relative residual 1e-10), also both constraints active
diagonal  per parameter i: d x_i / d g_i (one backward pass) and d g_i / d theta_i (one more), then
          (1 + product) * grad L(phi); for (64, 64) the loop is timed on its first 300 parameters and extrapolated

    .venv/bin/python benchmarks/meta_gradient.py
"""
import time

import torch

from metacpo.core import conjugate_gradient, flat_grad, flat_params
from metacpo.meta import InnerLoop, MetaTask, post_adaptation
from metacpo.qp import solve_cpo_qp
from metacpo.rollouts import Batch, GaussianPolicy, ObsNormalizer, Request, Sampler
from metacpo.surrogates import sampled_fisher_metric, surrogate, surrogate_task_gradients
from metacpo.tasks import CircleTask

DELTA, T = 0.01, 1000


def sampled_batch(sampler, policy, seed: int, gen) -> tuple[Batch, torch.Tensor, torch.Tensor]:
    batch, = sampler.sample([Request(CircleTask(1.3, 0.9), T, seed=seed)], policy, ObsNormalizer.new(40))
    return batch, torch.randn(T, generator=gen, dtype=torch.float64), torch.randn(T, generator=gen, dtype=torch.float64)


def both_active_c(g, b, Hg, Hb) -> float:
    """A constraint value c (cost 0, limit -c) for which the QP step is on the boundary, whatever g and b: halfway
    between the c at which the reward step alone just becomes infeasible (-b.x of that step) and the largest c a step
    can still satisfy (the trust region's reach, sqrt(2 delta b.H^-1 b)); Hg, Hb = H^-1 g, H^-1 b."""
    reward_step_cost = (2 * DELTA / (g @ Hg)).sqrt() * (b @ Hg)
    reach = (2 * DELTA * (b @ Hb)).sqrt()
    return ((reach - reward_step_cost) / 2).item()


def setup(sampler, hidden):
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    policy = GaussianPolicy(40, 2, hidden=hidden)
    theta = flat_params(policy)
    batch, adv_R, adv_C = sampled_batch(sampler, policy, 0, gen)
    post_batch, post_adv, _ = sampled_batch(sampler, policy, 1, gen)
    g, b, _ = surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, 0.0)(theta.clone().requires_grad_(), False)
    task_gradients = surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, -both_active_c(g, b, g, b))
    objective = lambda phi: (surrogate(policy, phi, post_batch, post_adv),) * 2
    metric = lambda params, create_graph: sampled_fisher_metric(policy, batch.obs, params, create_graph=create_graph)
    Hg, Hb = (conjugate_gradient(metric(theta, False), v, max_iters=1000).x for v in (g, b))
    fisher_limit = -both_active_c(g, b, Hg, Hb)  # the same, in the Fisher metric
    fisher_task = MetaTask([surrogate_task_gradients(policy, batch, adv_R, adv_C, 0.0, fisher_limit)], objective, [metric])
    return policy, theta, task_gradients, objective, fisher_task


def exact_seconds(theta, task: MetaTask, metric_name: str) -> float:
    start = time.perf_counter()
    out = post_adaptation(theta, task, InnerLoop(delta=DELTA, metric_name=metric_name, cg_iters=1000))
    assert out.adaptation.steps[0].case.item() == 1, out.adaptation.steps[0].case
    return time.perf_counter() - start


def diagonal_seconds(theta, task_gradients, objective, n_params: int) -> float:
    "Seconds for the per-parameter diagonal over the first `n_params` parameters (plus the shared work)."
    start = time.perf_counter()
    theta = theta.detach().requires_grad_()
    g, b, c = task_gradients(theta, True)
    g_leaf = g.detach().requires_grad_()
    x = solve_cpo_qp(g_leaf, b.detach(), c.detach(), DELTA).x
    factor = torch.ones_like(theta)
    for i in range(n_params):
        dx_dg = torch.autograd.grad(x[i], g_leaf, retain_graph=True)[0][i]
        dg_dtheta = torch.autograd.grad(g[i], theta, retain_graph=True)[0][i]
        factor[i] = 1 + dx_dg * dg_dtheta
    phi = (theta + x).detach().requires_grad_()
    (factor * flat_grad(objective(phi)[0], phi))[:n_params]
    return time.perf_counter() - start


def main():
    torch.set_num_threads(1)
    print(f"one meta-gradient per task, {T} transitions, float64, 1 thread")
    with Sampler("Car", n_workers=2) as sampler:
        setups = [(setup(sampler, hidden), hidden, part) for hidden, part in (((24, 12), None), ((64, 64), 300))]
    for (policy, theta, task_gradients, objective, fisher_task), hidden, sampled in setups:
        n = len(theta)
        exact = min(exact_seconds(theta, MetaTask([task_gradients], objective), "euclidean") for _ in range(3))
        fisher = min(exact_seconds(theta, fisher_task, "fisher") for _ in range(3))
        m = sampled or n
        diagonal = diagonal_seconds(theta, task_gradients, objective, m) * n / m
        note = f" (timed on {m} of {n} parameters, extrapolated)" if sampled else ""
        print(f"hidden {hidden}: {n} parameters: exact {exact * 1e3:.0f} ms, exact with a Fisher inner step "
              f"{fisher * 1e3:.0f} ms (fisher / euclidean = {fisher / exact:.1f}x), diagonal {diagonal:.1f} s{note}, "
              f"diagonal / exact = {diagonal / exact:.0f}x")


if __name__ == "__main__":
    main()
