"""One run of OmniSafe 0.5.0's CPO, as shipped, on SafetyPointCircle1-v0; run by `omnisafe_calibration.py` inside the
environment that `omnisafe_env.py` builds (OmniSafe is not a dependency of metacpo).

    benchmarks/.omnisafe-venv/bin/python benchmarks/omnisafe_cpo.py SEED STEPS STEPS_PER_UPDATE COST_LIMIT OUT.csv [--stock-resets]

Resets: a stock Safety-Gymnasium reset recompiles the MuJoCo model from XML (~1 s), and OmniSafe resets twice per
episode end, which is most of a run's time. By default, every reset after the first moves the bodies of the
compiled model instead (metacpo's `FastBuild`, loaded from this repository's source; nb 06b checks that it gives
stock's episodes bit for bit on this geometry from the second reset on), so a run is the same run, faster;
`--stock-resets` runs every reset as shipped (the calibration's README shows the two giving identical rows).

Writes one row per update (OmniSafe's epoch): env_steps, the mean episode reward and cost of the episodes that ended
in that update (its own batch, not OmniSafe's 50-episode moving average, which is what its CPO step uses as the
constraint estimate), the number of those episodes, the seconds since training started, and the case of its QP
(OmniSafe's `optim_case`: 0 the pure recovery step, 1 and 2 a step on the constraint's boundary, 3 and 4 the reward
step alone). Rows go to OUT.partial
as each update ends (a long run stopped part-way leaves its curve so far); OUT.partial becomes OUT when the run ends.
"""
import argparse
import contextlib
import csv
import importlib.util
import sys
import tempfile
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]


def metacpo_compat():
    "metacpo's scoped dataclass shim (makes `import safety_gymnasium` work on Python 3.11), loaded from its source file alone."
    path = ROOT / "metacpo" / "compat.py"
    spec = importlib.util.spec_from_file_location("metacpo_compat", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_episodes(logger_class, write_row) -> None:
    "Make OmniSafe's logger also keep each episode's raw return and cost, and hand a row to `write_row` at each update's end."
    store, episodes, step = logger_class.store, {"Metrics/EpRet": [], "Metrics/EpCost": []}, {}
    def recording_store(self, data=None, /, **kwargs):
        values = {**kwargs, **(data or {})}
        for key in episodes:
            if key in values:
                episodes[key].append(float(values[key].mean() if hasattr(values[key], "mean") else values[key]))
        if "Misc/OptimCase" in values:  # stored by the update's step, before the update's row
            step["optim_case"] = int(values["Misc/OptimCase"])
        if "TotalEnvSteps" in values:  # stored once per update, after its rollout and its step
            n = len(episodes["Metrics/EpCost"])
            write_row(dict(env_steps=int(values["TotalEnvSteps"]),
                             reward=sum(episodes["Metrics/EpRet"]) / n if n else float("nan"),
                             cost=sum(episodes["Metrics/EpCost"]) / n if n else float("nan"),
                             episodes=n, seconds=float(values["Time/Total"]), optim_case=step.pop("optim_case", -1)))
            for key in episodes:
                episodes[key].clear()
        return store(self, data, **kwargs)
    logger_class.store = recording_store


def reuse_compiled_model() -> None:
    "Every reset after an environment's first moves the bodies of its compiled model (metacpo's FastBuild) instead of recompiling."
    sys.path.insert(0, str(ROOT))
    from metacpo.sg_tasks import FastBuild, _world_structure
    from safety_gymnasium.bases.underlying import Underlying
    stock_build = Underlying._build
    def build(task):
        if task.world is None:  # the first reset as shipped: it compiles twice and runs one forward pass fewer
            stock_build(task)
            task.compiled_structure = _world_structure(task.world_info.world_config_dict)
        else:
            FastBuild._build(task)
    Underlying._build, Underlying.fast_reset = build, True


def main(seed: int, steps: int, steps_per_update: int, cost_limit: float, out: Path, stock_resets: bool) -> None:
    with metacpo_compat().array_defaults_allowed(), contextlib.redirect_stderr(sys.stdout):
        import omnisafe  # noqa: F401 (imported inside the shim; `learn` uses it)
        from omnisafe.common.logger import Logger
    if not stock_resets:
        reuse_compiled_model()
    partial = out.with_name(out.name + ".partial")
    with open(partial, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["env_steps", "reward", "cost", "episodes", "seconds", "optim_case"])
        writer.writeheader()
        def write_row(row):
            writer.writerow(row)
            f.flush()
        record_episodes(Logger, write_row)
        learn(seed, steps, steps_per_update, cost_limit)
    partial.replace(out)


def learn(seed: int, steps: int, steps_per_update: int, cost_limit: float) -> None:
    "OmniSafe's CPO on SafetyPointCircle1-v0 as shipped, with the calibration's budget, networks and limit."
    import omnisafe
    with tempfile.TemporaryDirectory() as log_dir:
        cfgs = {"seed": seed,
                "train_cfgs": {"total_steps": steps, "vector_env_nums": 1, "parallel": 1, "torch_threads": 1,
                               "device": "cpu"},
                "algo_cfgs": {"steps_per_epoch": steps_per_update, "cost_limit": cost_limit},
                "model_cfgs": {"actor": {"hidden_sizes": [64, 64]}, "critic": {"hidden_sizes": [64, 64]}},
                "logger_cfgs": {"use_wandb": False, "use_tensorboard": False, "log_dir": log_dir,
                                "save_model_freq": 10**9}}
        omnisafe.Agent("CPO", "SafetyPointCircle1-v0", custom_cfgs=cfgs).learn()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, kind in (("seed", int), ("steps", int), ("steps_per_update", int), ("cost_limit", float), ("out", Path)):
        parser.add_argument(name, type=kind)
    parser.add_argument("--stock-resets", action="store_true", help="recompile the model at every reset, as shipped")
    main(**vars(parser.parse_args()))
