"""One run of OmniSafe 0.5.0's CPO, as shipped, on SafetyPointCircle1-v0; run by `omnisafe_calibration.py` inside the
environment that `omnisafe_env.py` builds (OmniSafe is not a dependency of metacpo).

    benchmarks/.omnisafe-venv/bin/python benchmarks/omnisafe_cpo.py SEED STEPS STEPS_PER_UPDATE COST_LIMIT OUT.csv

Writes one row per update (OmniSafe's epoch): env_steps, the mean episode reward and cost of the episodes that ended
in that update (its own batch, not OmniSafe's 50-episode moving average, which is what its CPO step uses as the
constraint estimate), the number of those episodes, and the seconds since training started.
"""
import contextlib
import csv
import importlib.util
import sys
import tempfile
from pathlib import Path


def metacpo_compat():
    "metacpo's scoped dataclass shim (makes `import safety_gymnasium` work on Python 3.11), loaded from its source file alone."
    path = Path(__file__).resolve().parents[1] / "metacpo" / "compat.py"
    spec = importlib.util.spec_from_file_location("metacpo_compat", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_episodes(logger_class, rows: list[dict]) -> None:
    "Make OmniSafe's logger also keep each episode's raw return and cost, and close a row at each update's end."
    store, episodes = logger_class.store, {"Metrics/EpRet": [], "Metrics/EpCost": []}
    def recording_store(self, data=None, /, **kwargs):
        values = {**kwargs, **(data or {})}
        for key in episodes:
            if key in values:
                episodes[key].append(float(values[key].mean() if hasattr(values[key], "mean") else values[key]))
        if "TotalEnvSteps" in values:  # stored once per update, after its rollout and its step
            n = len(episodes["Metrics/EpCost"])
            rows.append(dict(env_steps=int(values["TotalEnvSteps"]),
                             reward=sum(episodes["Metrics/EpRet"]) / n if n else float("nan"),
                             cost=sum(episodes["Metrics/EpCost"]) / n if n else float("nan"),
                             episodes=n, seconds=float(values["Time/Total"])))
            for key in episodes:
                episodes[key].clear()
        return store(self, data, **kwargs)
    logger_class.store = recording_store


def main(seed: int, steps: int, steps_per_update: int, cost_limit: float, out: Path) -> None:
    with metacpo_compat().array_defaults_allowed(), contextlib.redirect_stderr(sys.stdout):
        import omnisafe
        from omnisafe.common.logger import Logger
    rows = []
    record_episodes(Logger, rows)
    with tempfile.TemporaryDirectory() as log_dir:
        cfgs = {"seed": seed,
                "train_cfgs": {"total_steps": steps, "vector_env_nums": 1, "parallel": 1, "torch_threads": 1,
                               "device": "cpu"},
                "algo_cfgs": {"steps_per_epoch": steps_per_update, "cost_limit": cost_limit},
                "model_cfgs": {"actor": {"hidden_sizes": [64, 64]}, "critic": {"hidden_sizes": [64, 64]}},
                "logger_cfgs": {"use_wandb": False, "use_tensorboard": False, "log_dir": log_dir,
                                "save_model_freq": 10**9}}
        omnisafe.Agent("CPO", "SafetyPointCircle1-v0", custom_cfgs=cfgs).learn()
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    seed, steps, per_update, limit, out = sys.argv[1:]
    main(int(seed), int(steps), int(per_update), float(limit), Path(out))
