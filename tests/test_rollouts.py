"""Sampler, normalizer and GAE of the exported package."""
import numpy as np
import pytest
import torch

from metacpo.rollouts import GaussianPolicy, ObsNormalizer, Request, Sampler, gae
from metacpo.tasks import ButtonTask, CircleTask


@pytest.fixture(scope="module")
def sampler():
    with Sampler("Point", n_workers=2) as s:
        yield s


def test_same_seed_same_batch_on_a_button_task(sampler):
    task = ButtonTask(1.9, 4, 7, True)
    policy = GaussianPolicy(60, 2)
    a, = sampler.sample([Request(task, 200, seed=7)], policy, ObsNormalizer.new(60))
    b, = sampler.sample([Request(task, 200, seed=7)], policy, ObsNormalizer.new(60))
    assert torch.equal(a.obs, b.obs) and torch.equal(a.costs, b.costs) and a.n_steps == 200
    assert np.isfinite(a.obs.numpy()).all()


def test_switching_tasks_changes_the_environment(sampler):
    policy = GaussianPolicy(28, 2)
    small, wide = sampler.sample([Request(CircleTask(1.0, 0.25), 400, seed=0), Request(CircleTask(3.0, 2.0), 400, seed=0)],
                                 policy, ObsNormalizer.new(28))
    assert small.costs.sum() > 0 and wide.costs.sum() == 0  # walls at 0.25 get crossed; walls at 2.0 do not


def test_a_batch_does_not_depend_on_workers_or_the_requests_beside_it():
    "Button and Circle requests in one call on two workers, on one worker, and alone: the same batches, bit for bit."
    torch.manual_seed(3)
    policy = GaussianPolicy(60, 2, hidden=(16,))
    shifted = torch.nn.utils.parameters_to_vector(policy.parameters()).detach() + 0.1
    button = Request(ButtonTask(1.9, 4, 7, True), 230, seed=1)               # 5 segments of at most 50 steps
    other_button = Request(ButtonTask(1.8, 3, 6, False), 120, seed=2, params=shifted)
    normalizer = ObsNormalizer.new(60)
    normalizer.update(np.random.default_rng(0).normal(size=(10, 60)))
    def run(s, requests):
        norm = ObsNormalizer(normalizer.count, normalizer.mean.copy(), normalizer.sq_dev.copy())
        return s.sample(requests, policy, norm), norm
    with Sampler("Point", horizon=50, n_workers=2) as pair, Sampler("Point", horizon=50, n_workers=1) as single:
        together, norm = run(pair, [button, other_button])
        serial, serial_norm = run(single, [button, other_button])
        alone = [run(pair, [r])[0][0] for r in (button, other_button)]
    with Sampler("Point", horizon=40, n_workers=1) as single:  # another horizon: other segments, other batches
        assert not torch.equal(run(single, [button])[0][0].obs, together[0].obs)
    for x, y, z in zip(together, serial, alone):
        for field in ("obs", "next_obs", "actions", "log_probs", "rewards", "costs", "ends"):
            assert torch.equal(getattr(x, field), getattr(y, field)) and torch.equal(getattr(x, field), getattr(z, field))
    assert np.array_equal(norm.mean, serial_norm.mean) and np.array_equal(norm.sq_dev, serial_norm.sq_dev)


def gae_by_definition(rewards, values, next_values, terminated, ends, gamma, lam):
    out = np.zeros(len(rewards))
    for t in range(len(rewards)):
        s, weight = t, 1.0
        while True:
            out[t] += weight * (rewards[s] + (0 if terminated[s] else gamma * next_values[s]) - values[s])
            if ends[s] or s == len(rewards) - 1:
                break
            s, weight = s + 1, weight * gamma * lam
    return out


def test_gae_restarts_at_ends_and_bootstraps_unless_terminated():
    rng = np.random.default_rng(0)
    T = 120
    r, v, nv = rng.normal(size=(3, T))
    terminated = rng.random(T) < 0.05
    ends = terminated | (rng.random(T) < 0.05)
    ends[-1] = True
    expected = gae_by_definition(r, v, nv, terminated, ends, 0.9, 0.8)
    got = gae(*(torch.tensor(x) for x in (r, v, nv, terminated, ends)), 0.9, 0.8)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_normalizer_merges_batches_exactly():
    rng = np.random.default_rng(1)
    data = rng.normal(2.0, 3.0, size=(500, 3))
    norm = ObsNormalizer.new(3)
    for part in np.array_split(data, 9):
        norm.update(part)
    np.testing.assert_allclose(norm.mean, data.mean(0), rtol=1e-12)
    np.testing.assert_allclose(norm.sq_dev / norm.count, data.var(0), rtol=1e-10)
