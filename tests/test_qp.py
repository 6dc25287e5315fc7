"""The CPO QP solver as users call it: metacpo.qp.solve_cpo_qp."""
import numpy as np
import pytest
import torch

from metacpo.qp import QPCase, _step_from_solves, cvxpy_reference_step, kkt_residual, solve_cpo_qp

F64 = torch.float64


def instance(rng, n):
    g, b = rng.normal(size=n), rng.normal(size=n) * rng.uniform(0.1, 10)
    delta = 10 ** rng.uniform(-3, 0)
    return g, b, rng.uniform(-1.5, 1.5) * np.sqrt(2 * delta * (b @ b)), delta


def as_tensors(*values):
    return [torch.tensor(v, dtype=F64) for v in values]


@pytest.mark.parametrize("seed", range(3))
def test_closed_form_matches_cvxpy_with_kkt_residual_near_zero(seed):
    rng = np.random.default_rng(100 + seed)
    seen = set()
    for _ in range(60):
        g, b, c, delta = instance(rng, int(rng.integers(2, 40)))
        step = solve_cpo_qp(*as_tensors(g, b, c, delta))
        x_ref, infeasible = cvxpy_reference_step(g, b, c, delta)
        seen.add(QPCase(step.case.item()))
        assert infeasible == (step.case.item() == QPCase.INFEASIBLE)
        assert np.linalg.norm(step.x.numpy() - x_ref) <= 1e-6 * np.linalg.norm(x_ref)
        assert kkt_residual(*as_tensors(g, b, c, delta), step) <= 1e-8
    assert seen == set(QPCase)


def test_batched_closed_form_equals_row_by_row():
    rng = np.random.default_rng(1)
    rows = [instance(rng, 7) for _ in range(40)]
    g, b, c, delta = (torch.tensor(np.array(col), dtype=F64) for col in zip(*rows))
    batched = solve_cpo_qp(g, b, c, delta)
    for i, row in enumerate(rows):
        one = solve_cpo_qp(*as_tensors(*row))
        torch.testing.assert_close(batched.x[i], one.x, rtol=1e-12, atol=1e-14)
        assert (batched.case[i], batched.trust_multiplier[i], batched.cost_multiplier[i]) == (one.case, one.trust_multiplier, one.cost_multiplier)


def directional_derivative_check(rng, backend):
    "(case, relative error) of the VJP of w.x (w.r.t. g, b, c, delta) against central differences of the closed form."
    n = 6
    g, b, c, delta = as_tensors(*instance(rng, n))
    # near a case switch a finite difference measures the kink (or the square-root edge of case 2), not a derivative
    switches = torch.stack([-(g @ b) * (2 * delta / (g @ g)).sqrt(), (2 * delta * (b @ b)).sqrt()])
    if ((c - switches).abs() < 0.05 * switches.abs().max()).any():
        return None, None
    w = torch.tensor(rng.normal(size=n), dtype=F64)
    inputs = [t.clone().requires_grad_() for t in (g, b, c, delta)]
    step = solve_cpo_qp(*inputs, backend=backend)
    grads = torch.autograd.grad(w @ step.x, inputs, materialize_grads=True)
    analytic = torch.cat([t.reshape(-1) for t in grads])
    flat = torch.cat([g, b, c[None], delta[None]]).detach()
    solve_flat = lambda v: solve_cpo_qp(v[:n], v[n:2 * n], v[2 * n], v[2 * n + 1])
    numeric = torch.zeros_like(flat)
    for j in range(len(flat)):
        e = torch.zeros_like(flat)
        e[j] = 1e-6 * max(1.0, abs(flat[j].item()))
        plus, minus = solve_flat(flat + e), solve_flat(flat - e)
        numeric[j] = (w @ plus.x - w @ minus.x) / (2 * e[j])
    return QPCase(step.case.item()), ((analytic - numeric).norm() / numeric.norm()).item()


@pytest.mark.parametrize("backend, instances", [("closed_form", 60), ("cvxpylayers", 30)])
def test_gradients_match_finite_differences_in_every_case(backend, instances):
    rng = np.random.default_rng(7)
    worst = {}
    for _ in range(instances):
        case, error = directional_derivative_check(rng, backend)
        if case is not None:
            worst[case] = max(worst.get(case, 0.0), error)
    assert set(worst) == set(QPCase)
    assert max(worst.values()) < 1e-5, worst


def test_fisher_metric_by_cg_matches_explicit_matrix():
    rng = np.random.default_rng(3)
    n = 12
    M = rng.normal(size=(n, n))
    H = torch.tensor(M @ M.T / n + 0.2 * np.eye(n))
    L = np.linalg.cholesky(H.numpy())
    for _ in range(20):
        g, b, c, delta = instance(rng, n)
        step = solve_cpo_qp(*as_tensors(g, b, c, delta), metric=lambda v: H @ v, cg_iters=100)
        y, infeasible = cvxpy_reference_step(np.linalg.solve(L, g), np.linalg.solve(L, b), c, delta)
        x_ref = np.linalg.solve(L.T, y)
        assert infeasible == (step.case.item() == QPCase.INFEASIBLE)
        assert np.linalg.norm(step.x.numpy() - x_ref) <= 1e-7 * np.linalg.norm(x_ref)


def test_infeasible_step_decreases_cost_as_fast_as_trust_region_allows():
    rng = np.random.default_rng(4)
    for _ in range(20):
        g, b, _, delta = instance(rng, 9)
        c = 1.1 * np.sqrt(2 * delta * (b @ b))
        step = solve_cpo_qp(*as_tensors(g, b, c, delta))
        assert step.case.item() == QPCase.INFEASIBLE
        x_ref, infeasible = cvxpy_reference_step(g, b, c, delta)
        assert infeasible
        assert abs(b @ step.x.numpy() - b @ x_ref) <= 1e-9 * np.linalg.norm(b) * np.sqrt(2 * delta)
        assert abs(0.5 * step.x @ step.x - delta) <= 1e-12


E0, E1 = [1.0, 0.0], [0.0, 1.0]


@pytest.mark.parametrize("g, b, c, delta, x, case", [
    (E0, E1, -1.0, 0.0, [0, 0], QPCase.INACTIVE),     # delta = 0
    (E0, E1, 1.0, 0.0, [0, 0], QPCase.INFEASIBLE),    # delta = 0, infeasible
    ([0, 0], E1, -1.0, 0.5, [0, 0], QPCase.INACTIVE), # g = 0
    ([0, 0], E1, 0.6, 0.5, [0, -0.6], QPCase.BOUNDARY),
    ([0, 3], E1, 0.6, 0.5, [0, -0.6], QPCase.BOUNDARY),  # g parallel to b
    (E0, [0, 0], -1.0, 0.5, E0, QPCase.INACTIVE),     # b = 0
    (E0, [0, 0], 1.0, 0.5, [0, 0], QPCase.INFEASIBLE),
    ([0, 0], [0, 0], 0.0, 0.0, [0, 0], QPCase.INACTIVE),
])
def test_degenerate_inputs_give_finite_values_and_gradients(g, b, c, delta, x, case):
    inputs = [torch.tensor(v, dtype=F64, requires_grad=True) for v in (g, b, c, delta)]
    step = solve_cpo_qp(*inputs)
    torch.testing.assert_close(step.x, torch.tensor(x, dtype=F64), rtol=0, atol=1e-14)
    assert step.case.item() == case
    grads = torch.autograd.grad(step.x.sum() + step.trust_multiplier + step.cost_multiplier, inputs, materialize_grads=True)
    assert all(torch.isfinite(t).all() for t in (step.trust_multiplier, step.cost_multiplier, *grads))


def test_float32_inputs_stay_float32():
    step = solve_cpo_qp(torch.ones(3), torch.tensor([0.0, 0.0, 1.0]), 0.2, 0.1)
    assert step.x.dtype == torch.float32 and step.case.item() == QPCase.BOUNDARY


@pytest.mark.parametrize("kwargs, message", [
    (dict(g=np.ones((2, 2, 2)), b=np.ones((2, 2, 2))), "g must have shape (n,) or (batch, n)"),
    (dict(b=np.ones(4)), "b must have the shape of g, (3,), got (4,)"),
    (dict(delta=-1.0), "delta must be non-negative, got -1"),
    (dict(b=np.array([1.0, np.nan, 0.0])), "b contains NaN or inf"),
    (dict(delta=np.inf), "delta contains NaN or inf"),
    (dict(c=np.zeros(2)), "c must be a number or have shape (), got (2,)"),
    (dict(backend="osqp"), "backend must be one of ('closed_form', 'cvxpylayers'), got 'osqp'"),
    (dict(solver_args={"eps": 1e-3}), "solver_args applies to the 'cvxpylayers' backend only"),
])
def test_bad_input_raises_value_error_naming_it(kwargs, message):
    args = dict(g=np.ones(3), b=np.array([0.0, 0.0, 1.0]), c=0.1, delta=0.1) | kwargs
    with pytest.raises(ValueError) as error:
        solve_cpo_qp(**args)
    assert message in str(error.value)


def test_fisher_step_gradient_through_a_parameter_dependent_metric_matches_dense_solves():
    rng = np.random.default_rng(8)
    n = 7
    W, U = (torch.tensor(rng.normal(size=(n, n)) / np.sqrt(n)) for _ in range(2))
    H0 = torch.eye(n, dtype=torch.float64) * 0.3 + U @ U.T
    g0, b0, w = (torch.tensor(rng.normal(size=n)) for _ in range(3))
    def pieces(p):
        H = H0 + torch.diag(torch.exp(W @ p))
        return g0 + torch.tanh(p), b0 + 0.5 * torch.sin(p), H
    for c in (-1.0, 0.0, 0.5, 5.0):  # several QP cases
        p = torch.zeros(n, dtype=torch.float64, requires_grad=True)
        g, b, H = pieces(p)
        fisher = solve_cpo_qp(g, b, c, 0.1, metric=lambda v: H @ v, cg_iters=100).x
        grad, = torch.autograd.grad(w @ fisher, p)
        g, b, H = pieces(p)
        dense = _step_from_solves(g, b, torch.linalg.solve(H, g), torch.linalg.solve(H, b), torch.tensor(c, dtype=torch.float64),
                                  torch.tensor(0.1, dtype=torch.float64)).x
        ref, = torch.autograd.grad(w @ dense, p)
        assert (grad - ref).norm() <= 1e-8 * ref.norm()


def test_fisher_step_refuses_to_differentiate_an_unconverged_solve():
    rng = np.random.default_rng(9)
    M = torch.tensor(rng.normal(size=(10, 10)))
    H = M @ M.T + 0.01 * torch.eye(10, dtype=torch.float64)
    g = torch.tensor(rng.normal(size=10), requires_grad=True)
    with pytest.raises(ValueError, match="conjugate gradient did not converge"):
        solve_cpo_qp(g, torch.ones(10, dtype=torch.float64), 0.0, 0.1, metric=lambda v: H @ v, cg_iters=2)
    solve_cpo_qp(g.detach(), torch.ones(10, dtype=torch.float64), 0.0, 0.1, metric=lambda v: H @ v, cg_iters=2)  # nothing to differentiate


def test_extreme_scales_are_solved_in_the_problems_own_units():
    "Finite inputs far from order one: the right step (not the recovery step of an underflowed g.g), or one clear refusal."
    g, b = torch.tensor([1.0, 1.0], dtype=F64), torch.tensor([1.0, 0.0], dtype=F64)
    for scale in (1e-160, 1e-300, 1e200):
        step = solve_cpo_qp(scale * g, b, -1.0, 0.5)
        torch.testing.assert_close(step.x, torch.full((2,), 0.5 ** 0.5, dtype=F64), rtol=0, atol=1e-12)
        assert torch.isfinite(step.trust_multiplier) and torch.isfinite(step.cost_multiplier)
    with pytest.raises(ValueError, match="exceeds the floating-point range"):
        solve_cpo_qp(1e300 * g, b, -1.0, 1e-300)


@pytest.mark.parametrize("b_scale, c", [(1e-200, 1.0), (1e-300, 1e300), (1e300, 1e301), (1e-160, 1e-100)])
@pytest.mark.parametrize("metric", [None, "diagonal"])
def test_recovery_step_follows_b_however_small_or_large_against_c(b_scale, c, metric):
    "Infeasible: x = -sqrt(2 delta) H^-1 b / sqrt(b.H^-1 b), from b's direction alone, even where b.b under- or overflows."
    H = torch.diag(torch.tensor([1.0, 2.0], dtype=F64))
    step = solve_cpo_qp(torch.tensor([3.0, 4.0], dtype=F64), b_scale * torch.tensor([1.0, 0.3], dtype=F64), c, 0.5,
                        metric=None if metric is None else (lambda v: H @ v))
    b_unit = torch.tensor([1.0, 0.3], dtype=F64)
    solved = b_unit if metric is None else torch.linalg.solve(H, b_unit)  # H^-1 b, b of order one
    assert step.case.item() == QPCase.INFEASIBLE
    torch.testing.assert_close(step.x, -solved / (b_unit @ solved).sqrt(), rtol=0, atol=1e-12)


def test_an_inaccurate_cvxpylayers_step_falls_back_to_the_closed_form_with_a_warning():
    g, b = torch.tensor([1.0, 1.0, 0.3], dtype=F64), torch.tensor([1.0, 0.0, 0.2], dtype=F64)
    with pytest.warns(UserWarning, match="cvxpylayers returned steps off the exact solution in 1 of 1 rows"):
        loose = solve_cpo_qp(g, b, 0.1, 0.5, backend="cvxpylayers", solver_args=dict(max_iters=2))
    torch.testing.assert_close(loose.x, solve_cpo_qp(g, b, 0.1, 0.5).x, rtol=0, atol=0)
