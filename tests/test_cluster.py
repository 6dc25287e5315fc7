"""The Ray backend: batches and runs equal to the local backend's, a dead actor replaced, clear errors."""
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import fields, replace
from pathlib import Path

import pytest
import torch

from metacpo.cluster import Backend, RaySampler
from metacpo.core import flat_params
from metacpo.rollouts import Batch, GaussianPolicy, ObsNormalizer, Request, Sampler
from metacpo.tasks import ButtonTask, CircleTask
from metacpo.compare import compare
from metacpo.runs import train

from test_training import TINY, history_without_timing

# A meta arm and a single-policy arm: what a comparison on a cluster does, at half the time of all four arms.
TWO_ARMS = replace(TINY, arms=("meta-cpo", "cpo"))

METACPO = Path(sys.executable).parent / "metacpo"


@pytest.fixture(scope="module")
def ray_instance():
    "One local Ray instance with two CPUs for this module's tests."
    import ray
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


def requests_and_policy():
    torch.manual_seed(5)
    policy = GaussianPolicy(28, 2, hidden=(16,))
    shifted = flat_params(policy) + 0.1
    return [Request(CircleTask(1.3, 0.9), 230, seed=1), Request(CircleTask(1.1, 0.7), 120, seed=2, params=shifted)], policy


def two_phases(sampler, requests, policy):
    normalizer = ObsNormalizer.new(28)
    first = sampler.sample(requests, policy, normalizer)
    return first + sampler.sample(requests, policy, normalizer), normalizer


def digest(batches) -> str:
    "A hash of every tensor of `batches`: equal digests, equal batches bit for bit."
    h = hashlib.sha256()
    for b in batches:
        for f in fields(Batch):
            value = getattr(b, f.name)
            h.update(value.numpy().tobytes() if isinstance(value, torch.Tensor) else repr(value).encode())
    return h.hexdigest()


def assert_same_batches(a, b):
    for x, y in zip(a, b, strict=True):
        for f in fields(Batch):
            u, v = getattr(x, f.name), getattr(y, f.name)
            assert (torch.equal(u, v) if isinstance(u, torch.Tensor) else u == v), f.name


@pytest.fixture(scope="module")
def local_batches():
    requests, policy = requests_and_policy()
    with Sampler("Point", horizon=50, n_workers=2) as local:
        return two_phases(local, requests, policy)


def test_ray_batches_equal_the_local_ones_bit_for_bit(ray_instance, local_batches):
    requests, policy = requests_and_policy()
    with RaySampler("Point", horizon=50, n_workers=2) as on_ray:
        batches, normalizer = two_phases(on_ray, requests, policy)
        assert on_ray.replaced == 0
    assert_same_batches(batches, local_batches[0])
    assert (normalizer.mean == local_batches[1].mean).all() and (normalizer.sq_dev == local_batches[1].sq_dev).all()


def test_a_killed_actor_is_replaced_and_the_batches_stay_the_same(ray_instance, local_batches):
    requests, policy = requests_and_policy()
    with RaySampler("Point", horizon=50, n_workers=2) as on_ray:
        _, _, pid = ray_instance.get(on_ray._where[1])
        os.kill(pid, signal.SIGKILL)  # dies between calls: noticed when the call's first segment fails on it
        batches, _ = two_phases(on_ray, requests, policy)
        assert on_ray.replaced == 1
    assert_same_batches(batches, local_batches[0])


def test_repeated_death_names_the_actor_and_closes_the_sampler(ray_instance):
    requests, policy = requests_and_policy()
    with RaySampler("Point", horizon=50, n_workers=2, retries=0) as fragile:
        _, _, pid = ray_instance.get(fragile._where[0])
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match=r"sampler actor 0 \(pid \d+ on node .*\) died; segment 0 failed 1 times"):
            fragile.sample(requests, policy, ObsNormalizer.new(28))
        with pytest.raises(RuntimeError, match="the sampler is closed"):
            fragile.sample(requests, policy, ObsNormalizer.new(28))


def test_a_tiny_training_run_gives_the_same_log_on_both_backends(ray_instance, tmp_path):
    train("meta-cpo", TINY, tmp_path / "local", progress=False)
    train("meta-cpo", TINY, tmp_path / "ray", progress=False, backend=Backend("ray", workers=2))
    assert history_without_timing(tmp_path / "ray") == history_without_timing(tmp_path / "local")


@pytest.mark.parametrize("args, message", [
    (("--backend", "ray", "--ray-address", "127.0.0.1:1"), "no Ray cluster reachable at ray address '127.0.0.1:1'"),
    (("--ray-address", "auto"), "a Ray address ('auto') needs the ray backend"),
    (("--backend", "ray", "--workers", "0"), "workers must be an integer >= 1, got 0"),
    (("--runs-at-once", "0"), "runs_at_once must be an integer >= 1, got 0"),
    (("--backend", "ray", "--runs-at-once", "2"), "runs at once (2) are for the local backend"),
])
def test_backend_errors_are_one_line_and_exit_2(tmp_path, args, message):
    result = subprocess.run([METACPO, "compare", "--out", tmp_path / "c", *args], capture_output=True, text=True)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "c").exists()


def test_two_nodes_each_run_an_actor_and_give_the_local_batches_and_comparison(run_python, local_batches, tmp_path):
    "A simulated cluster of two one-CPU nodes (its own Ray instance, in a fresh interpreter): batches, then a tiny comparison."
    code = textwrap.dedent(f"""
        import json, sys, ray, torch
        from ray.cluster_utils import Cluster
        sys.path.insert(0, "tests")
        from test_cluster import TWO_ARMS, digest, requests_and_policy, two_phases
        from metacpo.cluster import Backend, RaySampler
        from metacpo.compare import compare
        cluster = Cluster(initialize_head=True, head_node_args={{"num_cpus": 1, "include_dashboard": False}})
        cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, logging_level="WARNING")
        requests, policy = requests_and_policy()
        with RaySampler("Point", horizon=50) as on_ray:
            nodes = sorted({{node for _, node, _ in ray.get(on_ray._where)}})
            batches, _ = two_phases(on_ray, requests, policy)
        compare(TWO_ARMS, "{tmp_path / 'cluster'}", progress=False, backend=Backend("ray", workers=1))
        ray.shutdown(); cluster.shutdown()
        print("NODES", len(nodes), "DIGEST", digest(batches))
    """)
    result = run_python(code, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"NODES 2 DIGEST {digest(local_batches[0])}"
    compare(TWO_ARMS, tmp_path / "local", progress=False)
    assert (tmp_path / "cluster" / "results.csv").read_text() == (tmp_path / "local" / "results.csv").read_text()
