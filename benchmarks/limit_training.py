"""Meta-training that holds the limit: Meta-CPO and multi-task CPO on Car Circle and Point Button with the settings the
calibration adopted (presets car-circle-limit, point-button-limit; nb 11d_calibration), the experiments' budget.

    .venv/bin/python benchmarks/limit_training.py                          # every run: 2 families x 2 arms x 5 seeds
    .venv/bin/python benchmarks/limit_training.py --families car-circle --arms cpo --seeds 2
    .venv/bin/python benchmarks/limit_training.py --report                 # only the table and curves of finished runs

Runs go seed by seed; each trains in OUT/FAMILY-ARM-seedS (train.csv, run.json, checkpoint.pt; a stopped run
continues where it stopped). Then, from every finished run: OUT/summary.csv (a row per run: the mean post-adaptation
reward and cost of its last 10 iterations, the share of them within the limit, the cost's trend over the last 30),
OUT/table.md (per family and arm, against the target, mean cost over seeds <= 12, and against the experiment's runs
of the same arm and seeds, read from EXPERIMENTS/FAMILY/ARM-seedS, paired) and OUT/training-FAMILY.png (the
training curves with the limit). A run takes 8 to 45 minutes of one core. Two processes may share the work if their
--families or --arms differ.
"""
from pathlib import Path

from metacpo.calibration import LIMIT_ARMS, LIMIT_FAMILIES, limit_report, limit_run_dir, train_limit_run
from batch_arguments import batch_parser, parse_batch


def main() -> None:
    parser = batch_parser(__doc__, LIMIT_ARMS, Path("results/limit-training"), families=LIMIT_FAMILIES)
    parser.add_argument("--experiments", type=Path, default=Path("results"),
                        help="the folder of the experiments' FAMILY/ARM-seedS runs to set against (default results)")
    args = parse_batch(parser)
    runs = [(family, arm, seed) for seed in range(args.seeds) for family in args.families for arm in args.arms]
    for family, arm, seed in [] if args.report else runs:  # seed by seed, so that a stopped batch leaves whole seeds
        print(f"{family} {arm} seed {seed} ({limit_run_dir(args.out, family, arm, seed)}) ...", flush=True)
        train_limit_run(family, arm, seed, args.out)
    print(limit_report(args.out, args.seeds, experiments_dir=args.experiments))


if __name__ == "__main__":
    main()
