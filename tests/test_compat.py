"""Safety-Gymnasium imports, builds, resets and steps on Python 3.11 through metacpo.compat."""
import numpy as np
import pytest

from metacpo.compat import import_safety_gymnasium

ENV_IDS = ["SafetyCarCircle1-v0", "SafetyPointCircle1-v0", "SafetyCarButton1-v0"]


@pytest.fixture(scope="module")
def safety_gymnasium():
    return import_safety_gymnasium()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_env_builds_resets_and_steps_finite(safety_gymnasium, env_id):
    env = safety_gymnasium.make(env_id)
    obs, _ = env.reset(seed=3)
    env.action_space.seed(3)
    assert np.isfinite(obs).all()
    costs = []
    for _ in range(100):
        obs, reward, cost, terminated, truncated, _ = env.step(env.action_space.sample())
        assert np.isfinite(obs).all() and np.isfinite(reward) and np.isfinite(cost)
        assert not (terminated or truncated)
        costs.append(cost)
    assert all(c >= 0 for c in costs)
    first, _ = env.reset(seed=11)
    env.step(env.action_space.sample())
    again, _ = env.reset(seed=11)
    other, _ = env.reset(seed=12)
    env.close()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_import_leaves_dataclasses_unchanged_and_drops_only_the_adroit_notice(run_python):
    code = """
import dataclasses, sys
before = dict(vars(dataclasses))
from metacpo.compat import import_safety_gymnasium
sg = import_safety_gymnasium()
after = vars(dataclasses)
assert after.keys() == before.keys(), after.keys() ^ before.keys()
changed = [k for k in before if after[k] is not before[k]]
assert not changed, changed
assert 'safety_gymnasium.builder' in sys.modules
print('ok')
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert "AdroitHand" not in result.stderr


def test_dataclass_array_defaults_still_rejected_after_import(safety_gymnasium):
    import dataclasses
    with pytest.raises(ValueError, match="mutable default"):
        @dataclasses.dataclass
        class WithArray:
            a: np.ndarray = np.zeros(2)


@pytest.mark.parametrize("imports", [
    "from metacpo.compat import import_safety_gymnasium; import_safety_gymnasium()",
    "import metacpo.sg_tasks",  # what every run's process imports: it uses gymnasium too
])
def test_importing_prints_no_adroit_notice_and_passes_other_notices_on(run_python, imports):
    "In a fresh interpreter, where gymnasium-robotics prints its notice on the first import of gymnasium."
    code = f"""
from importlib.metadata import version
import farama_notifications  # a notice of gymnasium's own, printed the same way: it must come through
farama_notifications.notifications["gymnasium"] = {{version("gymnasium"): "a gymnasium notice"}}
{imports}
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "AdroitHand" not in result.stderr, result.stderr
    assert "a gymnasium notice" in result.stderr.splitlines(), result.stderr
