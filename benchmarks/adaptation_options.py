"""The cost of each adaptation option (metacpo.adaptation) per test-time adaptation step, relative to `batch`.

Meta-tests a fresh Meta-CPO policy of the `car-circle` preset on TASKS in-distribution tasks, 10 adaptation steps
each, once per option, and prints per adaptation step the seconds spent updating (critic fits, advantages, the
surrogates of every batch the option uses, the QP: everything but the sampler) and sampling, and each option's
seconds relative to `batch`'s, all measured in this one run. `pooled` and `ucb` evaluate the surrogate of every
earlier batch of the task at each step (step j: j + 1 of them), `batch` only its own. A first `batch` pass, not
reported, warms up the workers and torch.

    .venv/bin/python benchmarks/adaptation_options.py [tasks]
"""
import sys
import time
from dataclasses import replace

import torch

from metacpo.checks import ADAPTATIONS
from metacpo.config import PRESETS
from metacpo.metatest import held_out, held_out_adaptation
from metacpo.runs import set_update_threads
from metacpo.training import make_sampler, new_run

TASKS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
STEPS = 10

if __name__ == "__main__":
    set_update_threads()
    cfg = replace(PRESETS["car-circle"], test_tasks=TASKS, test_steps=STEPS)
    state = new_run("meta-cpo", cfg)
    print(f"car-circle preset, fresh meta-cpo policy, {TASKS} in-distribution tasks x {STEPS} adaptation steps of "
          f"{cfg.batch_steps} environment steps; seconds per adaptation step")
    print(f"{'adaptation':10s} {'updating':>9s} {'sampling':>9s} {'updating / batch':>17s} {'step / batch':>13s}")
    with make_sampler(cfg) as sampler:
        measured = {}
        for adaptation in ("batch", *ADAPTATIONS):  # the first pass warms up (workers, torch's first autograd passes)
            tested = replace(state, config=replace(cfg, adaptation=adaptation))
            start = time.perf_counter()
            phases = held_out_adaptation(tested, sampler, held_out(tested.config, "in-distribution"))
            total = time.perf_counter() - start
            steps = TASKS * STEPS
            measured[adaptation] = ((total - phases.seconds) / steps, phases.seconds / steps)
        base_update, base_sample = measured["batch"]
        for adaptation, (update, sample) in measured.items():
            print(f"{adaptation:10s} {update:9.3f} {sample:9.3f} {update / base_update:17.2f} "
                  f"{(update + sample) / (base_update + base_sample):13.2f}")
