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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from omnisafe_calibration import (COST_LIMIT, HEADER, STEPS, STEPS_PER_UPDATE, TAIL_UPDATES, end_of_run, markdown,
                                  metacpo_config, read_rows, run_metacpo, table_row, write_rows)

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
