"""The installed package: version, and imports that stay light."""
import json
from importlib.metadata import version

import pytest

import metacpo

HEAVY = ["torch", "numpy", "safety_gymnasium", "mujoco", "cvxpy", "cvxpylayers", "matplotlib", "seaborn", "ray"]


def test_version_matches_installed_metadata():
    assert metacpo.__version__ == version("metacpo")


@pytest.mark.parametrize("module, allowed", [
    ("metacpo", []),
    ("metacpo.compat", []),
    ("metacpo.checks", ["numpy"]),
    ("metacpo.cli", ["numpy"]),
    ("metacpo.core", ["torch", "numpy"]),
    ("metacpo.qp", ["torch", "numpy"]),
    ("metacpo.tabular", ["torch", "numpy"]),
    ("metacpo.meta", ["torch", "numpy"]),
    ("metacpo.tabular_training", ["torch", "numpy"]),
    ("metacpo.tabular_budget", ["torch", "numpy"]),
    ("metacpo.tasks", ["numpy"]),
    ("metacpo.policy", ["torch", "numpy"]),
    ("metacpo.rollouts", ["torch", "numpy"]),
    ("metacpo.lean_step", ["numpy", "safety_gymnasium", "mujoco"]),
    ("metacpo.sg_tasks", ["numpy", "safety_gymnasium", "mujoco"]),
    ("metacpo.cluster", ["torch", "numpy"]),
    ("metacpo.surrogates", ["torch", "numpy"]),
    ("metacpo.config", ["numpy"]),
    ("metacpo.training", ["torch", "numpy"]),
    ("metacpo.metatest", ["torch", "numpy"]),
    ("metacpo.provenance", []),
    ("metacpo.lock", []),
    ("metacpo.runs", ["torch", "numpy"]),
    ("metacpo.stats", ["numpy"]),
    ("metacpo.report", ["torch", "numpy"]),
    ("metacpo.render", ["torch", "numpy"]),
    ("metacpo.compare", ["torch", "numpy"]),
])
def test_import_loads_only_what_it_needs(run_python, module, allowed):
    code = f"import sys, json, {module}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) <= set(allowed)
