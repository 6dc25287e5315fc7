"""Calibration against a peer: OmniSafe 0.5.0's CPO and metacpo's single-task CPO on Point Circle, equal budgets.

    .venv/bin/python benchmarks/omnisafe_calibration.py              # everything: ~1.5 hours on 2 cores
    .venv/bin/python benchmarks/omnisafe_calibration.py --check      # the table code on a hand-made case, seconds

Both learn one task for 200,000 environment steps in updates of 2,000 steps (four episodes of 500), cost limit 10
per episode, (64, 64) policy and critics, seeds 0, 1, 2:

omnisafe-cpo        OmniSafe's CPO as shipped on SafetyPointCircle1-v0 (its constraint value: the moving average
                    of the last 50 episodes' cost), in its own environment that `omnisafe_env.py` builds
                    (benchmarks/.omnisafe-venv, git-ignored; OmniSafe is not a dependency of metacpo)
metacpo-cpo         metacpo's CPO on its Circle level-0 task, the constraint value from each update's own batch
metacpo-cpo-adopted the same with the constraint estimate the constraint-estimate study adopted (ADOPTED below:
                    the mean cost of the last 5 updates, aiming at d - 5 while over d)

The tasks are alike but not identical: Safety-Gymnasium's SafetyPointCircle1-v0 has circle radius 1.5, walls at
x = +-1.125, agent start in [-0.8, 0.8]^2; metacpo's level-0 Circle task (the published Meta-CPO code's) radius 1.25,
walls at +-0.9375, start in [-0.2, 0.2]^2. Both pay reward 0.1 x speed along the circle / (1 + |r - R|) per step
and cost 1 per step outside the walls.

Printed, per arm, mean +- sd over seeds: the mean episode reward and cost of the updates in the last 50,000 steps
(the last 25 updates), how many of those updates had a batch cost within the limit, and environment steps per
second of the whole run (OmniSafe as shipped: every reset recompiles the MuJoCo model; the machine is shared, so
speeds are indicative). Each run's per-update curve is kept as OUT/ARM-seedS.csv; a run whose file exists is not
run again (delete it to rerun), so an interrupted benchmark continues where it stopped.
"""
import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS, STEPS_PER_UPDATE, COST_LIMIT, TAIL_UPDATES = 200_000, 2_000, 10.0, 25
ADOPTED = dict(cost_estimate_window=5, cost_margin=5.0)  # the constraint-estimate study's choice (constraint_estimate.py)
ARMS = {"omnisafe-cpo": None, "metacpo-cpo": {}, "metacpo-cpo-adopted": ADOPTED}


def metacpo_config(steps: int, steps_per_update: int, seed: int, **changes):
    "Single-task CPO on Point Circle level 0: one batch of `steps_per_update` steps per update, `steps` in all."
    from metacpo.config import Config
    # CPO samples (inner_steps + 1) x batch_steps per update (the meta-algorithms' budget): inner_steps=1 halves it
    cfg = Config(family="circle", agent="Point", train_split="level0", tasks_per_iteration=1, inner_steps=1,
                 batch_steps=steps_per_update // 2, hidden=(64, 64), critic_hidden=(64, 64), cost_limit=COST_LIMIT,
                 iterations=steps // steps_per_update, seed=seed, seeds=1, arms=("cpo",))
    return replace(cfg, **changes)


def run_metacpo(cfg, workers: int) -> list[dict]:
    "Train single-task CPO with `cfg` in a temporary directory; one row per update (seconds: wall time since start)."
    import torch
    from metacpo.cluster import Backend
    from metacpo.runs import train
    torch.set_num_threads(1)  # as OmniSafe's runs; on a busy machine torch's threads wait on each other (here 3.7x slower)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        history = train("cpo", cfg, run_dir, progress=False, backend=Backend(workers=workers)).history
    wall, spent, rows = time.perf_counter() - start, 0.0, []
    for row in history:
        spent += row.sample_s + row.update_s
        rows.append(dict(env_steps=row.env_steps, reward=row.reward_after, cost=row.cost_after, seconds=spent))
    rows[-1]["seconds"] = wall  # the whole run, start-up included, as OmniSafe's total
    return rows


def run_omnisafe(seed: int, steps: int, steps_per_update: int, out: Path) -> None:
    "One OmniSafe CPO run in its own environment (built on first use), its per-update rows written to `out`."
    sys.path.insert(0, str(HERE))
    from omnisafe_env import build
    python = build()
    subprocess.run([str(python), str(HERE / "omnisafe_cpo.py"), str(seed), str(steps), str(steps_per_update),
                    str(COST_LIMIT), str(out)], check=True, stdout=subprocess.DEVNULL)


def write_rows(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[dict]:
    with open(path) as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def end_of_run(rows: list[dict], steps: int, tail_steps: int, limit: float) -> dict:
    "One run's end: mean reward and cost of the updates after `steps - tail_steps`, how many were within `limit`, steps/s."
    tail = [r for r in rows if r["env_steps"] > steps - tail_steps]
    return dict(reward=statistics.fmean(r["reward"] for r in tail), cost=statistics.fmean(r["cost"] for r in tail),
                under=sum(r["cost"] <= limit for r in tail), updates=len(tail),
                steps_per_s=rows[-1]["env_steps"] / rows[-1]["seconds"])


def mean_sd(values: list[float]) -> str:
    "'mean +- sd' (sample standard deviation over seeds; 0 for one seed)."
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.1f} +- {sd:.1f}"


def table_row(name: str, ends: list[dict]) -> list[str]:
    "An arm's cells: reward and cost (mean +- sd over seeds), updates within the limit (all seeds), steps/s (mean)."
    per_seed = " ".join(f"{e['cost']:.0f}" for e in ends)
    return [name, mean_sd([e["reward"] for e in ends]), mean_sd([e["cost"] for e in ends]), per_seed,
            f"{sum(e['under'] for e in ends)}/{sum(e['updates'] for e in ends)}",
            f"{statistics.fmean(e['steps_per_s'] for e in ends):.0f}"]


HEADER = ["arm", "reward (end)", "cost (end)", "cost per seed", "updates within limit", "steps/s"]


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header)] + rows
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def check() -> None:
    "The table code on a case computed by hand: two seeds, four updates of 2 steps, the last two (4 steps) counted."
    a = [dict(env_steps=s, reward=r, cost=c, seconds=s / 10) for s, r, c in ((2, 0, 99), (4, 1, 50), (6, 2, 10), (8, 4, 12))]
    b = [dict(env_steps=s, reward=r, cost=c, seconds=s / 20) for s, r, c in ((2, 0, 0), (4, 0, 0), (6, 6, 0), (8, 8, 30))]
    ends = [end_of_run(rows, 8, 4, 10.0) for rows in (a, b)]
    assert ends[0] == dict(reward=3.0, cost=11.0, under=1, updates=2, steps_per_s=10.0), ends[0]
    assert ends[1] == dict(reward=7.0, cost=15.0, under=1, updates=2, steps_per_s=20.0), ends[1]
    # rewards 3, 7: mean 5, sample sd sqrt(((3-5)^2 + (7-5)^2) / 1) = 2.83; costs 11, 15: 13 +- 2.83
    assert table_row("x", ends) == ["x", "5.0 +- 2.8", "13.0 +- 2.8", "11 15", "2/4", "15"], table_row("x", ends)
    print("table code: as computed by hand")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check the table code on a hand-made case and stop")
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--workers", type=int, default=1, help="metacpo's sampler workers")
    parser.add_argument("--out", type=Path, default=Path("results/calibration"))
    parser.add_argument("--table", default="table.md", help="file in OUT the printed table is also written to")
    args = parser.parse_args()
    if args.check:
        return check()
    rows = []
    for arm in args.arms:
        ends = []
        for seed in range(args.seeds):
            path = args.out / f"{arm}-seed{seed}.csv"
            if not path.exists():
                print(f"running {arm} seed {seed} ...", flush=True)
                if ARMS[arm] is None:
                    run_omnisafe(seed, args.steps, STEPS_PER_UPDATE, path)
                else:
                    write_rows(run_metacpo(metacpo_config(args.steps, STEPS_PER_UPDATE, seed, **ARMS[arm]), args.workers),
                               path)
            ends.append(end_of_run(read_rows(path), args.steps, TAIL_UPDATES * STEPS_PER_UPDATE, COST_LIMIT))
        rows.append(table_row(arm, ends))
    text = (f"Point Circle, {args.steps:,} steps in updates of {STEPS_PER_UPDATE:,}, cost limit {COST_LIMIT:g}, "
            f"seeds 0-{args.seeds - 1}; end = the last {TAIL_UPDATES} updates\n\n" + markdown(HEADER, rows))
    print(text)
    (args.out / args.table).write_text(text + "\n")


if __name__ == "__main__":
    main()
