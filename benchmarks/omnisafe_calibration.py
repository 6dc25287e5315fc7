"""Calibration against a peer: OmniSafe 0.5.0's CPO and metacpo's single-task CPO on the identical task.

    .venv/bin/python benchmarks/omnisafe_calibration.py                    # every arm, seeds 0-4 (hours; see below)
    .venv/bin/python benchmarks/omnisafe_calibration.py --arms omnisafe-cpo metacpo-defaults --seeds 2
    .venv/bin/python benchmarks/omnisafe_calibration.py --report           # only the summary of the finished runs

Both learn Safety-Gymnasium's SafetyPointCircle1-v0 task (metacpo's `circle1` split) for 1,000,000 environment steps
in updates of 2,000 steps, cost limit 10 per episode, (64, 64) networks (nb 11d_calibration, `metacpo.calibration`):

omnisafe-cpo      OmniSafe's CPO as shipped, in its own environment (`omnisafe_env.py` builds it; OmniSafe is not a
                  dependency of metacpo), run by `omnisafe_cpo.py` into OUT/omnisafe-cpo-seedS.csv; a run whose CSV
                  exists is not run again (a stopped one leaves its curve so far in OUT/omnisafe-cpo-seedS.csv.partial
                  and starts over)
metacpo-*         metacpo's CPO with the settings of `metacpo.calibration.VARIANTS`, in run directories
                  OUT/runs/ARM-seedS (a stopped run continues where it stopped)

Then, from every finished run: OUT/summary.csv (a row per run: its end, the last 10% of updates), OUT/table.md (per
arm: end reward and cost with 95% intervals over seeds, every seed's cost, updates within the limit, share of pure
recovery steps, steps per second) and OUT/curves.png. Time per run on an idle core: OmniSafe about 20 minutes (most
of it in its resets, even reusing the compiled model; as shipped, 5x that), metacpo about 5. Two processes may
share the work if their --arms differ (a run directory is held by one process at a time).
"""
import subprocess
import sys
from pathlib import Path

from metacpo.calibration import (CALIBRATION, CALIBRATION_ARMS, CALIBRATION_STEPS, OMNISAFE_ARM, calibration_report,
                                 run_curve, train_variant)
from batch_arguments import batch_parser, parse_batch

HERE = Path(__file__).resolve().parent


def run_omnisafe(seed: int, out: Path) -> None:
    "One OmniSafe CPO run in its own environment (built on first use), its per-update rows written to `out`."
    sys.path.insert(0, str(HERE))
    from omnisafe_env import build
    python = build()
    subprocess.run([str(python), str(HERE / "omnisafe_cpo.py"), str(seed), str(CALIBRATION_STEPS), "2000",
                    str(CALIBRATION.cost_limit), str(out)], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    args = parse_batch(batch_parser(__doc__, tuple(CALIBRATION_ARMS), Path("results/calibration")))
    for arm in [] if args.report else args.arms:
        for seed in range(args.seeds):
            curve = run_curve(args.out, arm, seed)
            if curve and curve[-1].env_steps >= CALIBRATION_STEPS:
                continue
            print(f"running {arm} seed {seed} ...", flush=True)
            if arm == OMNISAFE_ARM:
                run_omnisafe(seed, args.out / f"{arm}-seed{seed}.csv")
            else:
                train_variant(arm, seed, args.out)
    print(calibration_report(args.out, args.seeds))


if __name__ == "__main__":
    main()
