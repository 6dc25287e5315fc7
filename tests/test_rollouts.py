"""Sampler, normalizer and GAE of the exported package."""
import numpy as np
import pytest
import torch

from metacpo.rollouts import GaussianPolicy, ObsNormalizer, Sampler, gae
from metacpo.tasks import ButtonTask, CircleTask


@pytest.fixture(scope="module")
def sampler():
    with Sampler("Point", n_workers=2, envs_per_worker=2) as s:
        yield s


def test_same_seed_same_batch_on_a_button_task(sampler):
    task = ButtonTask(1.9, 4, 7, True)
    policy = GaussianPolicy(60, 2)
    a = sampler.sample(task, policy, ObsNormalizer.new(60), 200, seed=7)
    b = sampler.sample(task, policy, ObsNormalizer.new(60), 200, seed=7)
    assert torch.equal(a.obs, b.obs) and torch.equal(a.costs, b.costs) and a.n_steps == 200
    assert np.isfinite(a.obs.numpy()).all()


def test_switching_tasks_changes_the_environment(sampler):
    policy = GaussianPolicy(28, 2)
    small = sampler.sample(CircleTask(1.0, 0.25), policy, ObsNormalizer.new(28), 400, seed=0)
    wide = sampler.sample(CircleTask(3.0, 2.0), policy, ObsNormalizer.new(28), 400, seed=0)
    assert small.costs.sum() > 0 and wide.costs.sum() == 0  # walls at 0.25 get crossed; walls at 2.0 do not


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
