"""Time of one CPO QP solve plus its backward pass: the closed form against the cvxpylayers layer.

For each dimension n: a random instance in the both-constraints-active case (the general one), delta = 0.01,
float64, one thread. Prints the median over repeats of forward + backward (the VJP of w.x with respect to
g, b, c, delta), the layer's one-off build time, and the ratios. cvxpylayers runs at metacpo's default
accuracy (SCS_TIGHT) and is skipped above n = 10^4, where building it alone takes minutes.

    .venv/bin/python benchmarks/qp_backends.py
"""
import statistics
import time

import torch

from metacpo.qp import QPCase, SCS_TIGHT, cvxpylayers_layers, solve_cpo_qp

SIZES = (1_000, 10_000, 100_000)
LAYER_MAX_N = 10_000


def boundary_instance(n: int, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    g, b = torch.randn(n, generator=gen, dtype=torch.float64), torch.randn(n, generator=gen, dtype=torch.float64)
    delta = torch.tensor(0.01, dtype=torch.float64)
    c = 0.3 * (2 * delta * (b @ b)).sqrt()
    return g, b, c, delta


def forward_backward_seconds(inputs, backend: str) -> float:
    leaves = [t.clone().requires_grad_() for t in inputs]
    start = time.perf_counter()
    step = solve_cpo_qp(*leaves, backend=backend)
    torch.autograd.grad(step.x.sum(), leaves, materialize_grads=True)
    elapsed = time.perf_counter() - start
    assert step.case.item() == QPCase.BOUNDARY
    return elapsed


def median_seconds(inputs, backend: str, repeats: int) -> float:
    forward_backward_seconds(inputs, backend)  # warm-up
    return statistics.median(forward_backward_seconds(inputs, backend) for _ in range(repeats))


def main():
    torch.set_num_threads(1)
    print(f"CPO QP forward + backward, float64, 1 thread; cvxpylayers with {SCS_TIGHT}")
    print(f"{'n':>8s} {'closed form':>12s} {'layer build':>12s} {'cvxpylayers':>12s} {'layer / closed':>15s} {'(build + layer) / closed':>25s}")
    for n in SIZES:
        inputs = boundary_instance(n)
        closed = median_seconds(inputs, "closed_form", repeats=50)
        if n > LAYER_MAX_N:
            print(f"{n:8d} {closed * 1e3:10.3f}ms {'-':>12s} {'-':>12s} {'-':>15s} {'-':>25s}", flush=True)
            continue
        cvxpylayers_layers.cache_clear()
        start = time.perf_counter()
        cvxpylayers_layers(n)
        build = time.perf_counter() - start
        layer = median_seconds(inputs, "cvxpylayers", repeats=5)
        print(f"{n:8d} {closed * 1e3:10.3f}ms {build:11.2f}s {layer * 1e3:10.1f}ms {layer / closed:14.0f}x "
              f"{(build + layer) / closed:24.0f}x", flush=True)


if __name__ == "__main__":
    main()
