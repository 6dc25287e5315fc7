"""Which constraint estimate makes single-task CPO hold its cost limit: the batch's own cost, a pooled one, larger
batches, a recovery margin.

    .venv/bin/python benchmarks/constraint_estimate.py                       # all candidates, 3 seeds: ~1 hour on 2 cores
    .venv/bin/python benchmarks/constraint_estimate.py --candidates batch pool10 --seeds 1

Single-task CPO on Point Circle level 0, 200,000 environment steps, cost limit 10, (64, 64) networks, seeds 0, 1, 2
(the setting of `omnisafe_calibration.py`). CPO's constraint value is c = J_C - d; with four episodes per update
(2,000 steps) the batch's J_C is mostly noise, since an episode costs nothing or hundreds. Candidates:

batch           today's: J_C of this update's batch alone (cost_estimate_window=1, cost_margin=0)
poolW           J_C pooled over the last W updates' measured costs, this one included (cost_estimate_window=W)
batchN          batches of N steps per update at the same total budget (fewer, better-measured updates)
marginM         while the estimate is over d, the step aims at d - M (cost_margin=M)
poolW-marginM   both

Printed per candidate, mean +- sd over seeds: the mean episode reward and cost of the updates in the last 50,000
steps (the last 25 updates of 2,000 steps; of larger batches, fewer), each seed's cost, and how many of those
updates measured a cost within the limit (a larger batch measures its cost with less noise, so this count
favours it). Per-run curves are kept as OUT/CANDIDATE-seedS.csv and reused when present (delete to rerun).
"""
import argparse
import csv
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

STEPS, STEPS_PER_UPDATE, COST_LIMIT, TAIL_UPDATES = 200_000, 2_000, 10.0, 25


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



CANDIDATES = {  # name: (steps per update, config changes)
    "batch": (STEPS_PER_UPDATE, {}),
    "pool5": (STEPS_PER_UPDATE, dict(cost_estimate_window=5)),
    "pool10": (STEPS_PER_UPDATE, dict(cost_estimate_window=10)),
    "pool25": (STEPS_PER_UPDATE, dict(cost_estimate_window=25)),
    "batch4000": (4000, {}),
    "batch8000": (8000, {}),
    "margin5": (STEPS_PER_UPDATE, dict(cost_margin=5.0)),
    "pool10-margin5": (STEPS_PER_UPDATE, dict(cost_estimate_window=10, cost_margin=5.0)),
    "pool5-margin5": (STEPS_PER_UPDATE, dict(cost_estimate_window=5, cost_margin=5.0)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="sampler workers")
    parser.add_argument("--out", type=Path, default=Path("results/constraint-estimate"))
    parser.add_argument("--table", default="table.md", help="file in OUT the printed table is also written to")
    args = parser.parse_args()
    rows = []
    for name in args.candidates:
        per_update, changes = CANDIDATES[name]
        ends = []
        for seed in range(args.seeds):
            path = args.out / f"{name}-seed{seed}.csv"
            if not path.exists():
                print(f"running {name} seed {seed} ...", flush=True)
                write_rows(run_metacpo(metacpo_config(STEPS, per_update, seed, **changes), args.workers), path)
            ends.append(end_of_run(read_rows(path), STEPS, TAIL_UPDATES * STEPS_PER_UPDATE, COST_LIMIT))
        rows.append(table_row(name, ends))
    text = (f"Single-task CPO, Point Circle level 0, {STEPS:,} steps, cost limit {COST_LIMIT:g}, seeds 0-{args.seeds - 1}; "
            f"end = the updates of the last {TAIL_UPDATES * STEPS_PER_UPDATE:,} steps\n\n"
            + markdown(["candidate"] + HEADER[1:], rows))
    print(text)
    (args.out / args.table).write_text(text + "\n")


if __name__ == "__main__":
    main()
