"""Training end to end on real Safety-Gymnasium tasks: every algorithm, checkpoints, resume after a kill, the CLI."""
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from metacpo.checks import ALGORITHMS
from metacpo.config import Config
from metacpo.core import flat_params
from metacpo.compare import iterations_logged
from metacpo.runs import CHECKPOINT, TRAIN_LOG, load_checkpoint, meta_test_run, save_checkpoint, train, write_run_file
from metacpo.training import new_run

METACPO = Path(sys.executable).parent / "metacpo"
# episodes of 20 steps, two environments per batch: a meta-iteration takes about a second
TINY = Config(iterations=1, tasks_per_iteration=1, inner_steps=1, batch_steps=40, horizon=20, hidden=(8,),
              critic_hidden=(8,), test_tasks=1, seeds=1)
TINY_OPTIONS = ["--tasks-per-iteration", "1", "--inner-steps", "1", "--batch-steps", "40", "--horizon", "20",
                "--hidden", "8", "--critic-hidden", "8", "--test-tasks", "1", "--seeds", "1"]
TIMING = ("sample_s", "update_s")


def history_without_timing(run_dir):
    with open(Path(run_dir) / TRAIN_LOG) as f:
        return [{k: v for k, v in row.items() if k not in TIMING} for row in csv.DictReader(f)]


@pytest.mark.parametrize("algorithm, first_order, inner_metric", [(a, False, "euclidean") for a in ALGORITHMS] +
                         [("meta-cpo", True, "euclidean"), ("meta-cpo", False, "fisher"), ("maml-trpo", True, "fisher")])
def test_one_meta_iteration_of_each_algorithm(tmp_path, algorithm, first_order, inner_metric):
    cfg = replace(TINY, first_order=first_order, inner_metric=inner_metric)
    state = train(algorithm, cfg, tmp_path, progress=False)
    (row,) = state.history
    assert row.env_steps == 1 * (1 + 1) * 40  # the same budget for every algorithm
    assert 0.0 <= row.kl <= TINY.outer_delta
    moved = not torch.equal(flat_params(new_run(algorithm, cfg).learner.policy), flat_params(state.learner.policy))
    assert moved == (row.step_fraction > 0)
    assert row.sample_s > 0 and row.update_s > 0
    back = load_checkpoint(tmp_path / CHECKPOINT, cfg, algorithm)
    assert torch.equal(flat_params(back.learner.policy), flat_params(state.learner.policy))


def test_checkpoint_round_trip_and_refusals(tmp_path):
    state = train("cpo", TINY, tmp_path, progress=False)
    copy = tmp_path / "copy.pt"
    save_checkpoint(state, copy)
    back = load_checkpoint(copy, TINY, "cpo")
    for name in ("policy", "reward_critic", "cost_critic"):
        assert torch.equal(flat_params(getattr(back.learner, name)), flat_params(getattr(state.learner, name)))
    assert (back.learner.normalizer.mean == state.learner.normalizer.mean).all()
    assert back.history == state.history and back.iteration == 1
    with pytest.raises(ValueError, match="horizon: 20 vs 25"):
        load_checkpoint(copy, replace(TINY, horizon=25, batch_steps=50))
    copy.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        load_checkpoint(copy)


def run_cli(*args, timeout=300):
    return subprocess.run([METACPO, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def processes_with(field: int, value: int):
    "Process ids whose /proc stat field `field` (counted after the name: 1 the parent, 3 the session) is `value`."
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[field]) == value:
            out.append(int(stat.parent.name))
    return out


def children_of(pid):
    "Process ids whose parent is `pid`."
    return processes_with(1, pid)


def test_resume_after_a_kill_gives_the_numbers_of_an_uninterrupted_run(tmp_path):
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    options = ["--iterations", "4", *TINY_OPTIONS]
    process = subprocess.Popen([METACPO, "train", "meta-cpo", "--out", killed, *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while iterations_logged(killed) < 1 and time.time() < deadline:
        time.sleep(0.02)
    workers = children_of(process.pid)
    assert workers, "the run's sampler workers should be running"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.time() + 10  # the workers see their pipes close and exit: nothing is left running
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "sampler workers outlived a killed run"
    done_when_killed = load_checkpoint(killed / CHECKPOINT).iteration
    assert 1 <= done_when_killed < 4, "the run should have been killed part-way"

    result = run_cli("resume", killed)
    assert result.returncode == 0, result.stderr
    result = run_cli("train", "meta-cpo", "--out", whole, *options)
    assert result.returncode == 0, result.stderr

    a, b = load_checkpoint(killed / CHECKPOINT), load_checkpoint(whole / CHECKPOINT)
    assert a.iteration == b.iteration == 4
    assert torch.equal(flat_params(a.learner.policy), flat_params(b.learner.policy))
    assert torch.equal(flat_params(a.learner.cost_critic), flat_params(b.learner.cost_critic))
    assert history_without_timing(killed) == history_without_timing(whole)


def processes_of_session(sid):
    "Process ids of session `sid`: a command started in a session of its own (its pid is `sid`) and all it started."
    return processes_with(3, sid)


def test_ctrl_c_stops_a_comparisons_runs_quietly_and_resume_gives_the_uninterrupted_numbers(tmp_path):
    stopped, whole = tmp_path / "stopped", tmp_path / "whole"
    options = ["--iterations", "8", "--arms", "meta-cpo", "cpo", *TINY_OPTIONS]
    process = subprocess.Popen([METACPO, "compare", "--out", stopped, "--runs-at-once", "2", *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    runs = [stopped / "meta-cpo-seed0", stopped / "cpo-seed0"]
    slower = runs[0]  # cpo's iterations are the cheaper: it may finish all 8 before meta-cpo logs its first
    deadline = time.time() + 120
    while min(map(iterations_logged, runs)) < 1 and time.time() < deadline:
        time.sleep(0.02)
    assert min(map(iterations_logged, runs)) >= 1 and iterations_logged(slower) < 8, \
        "both runs should have started side by side, meta-cpo still under way"
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert f"interrupted; the last checkpoint is kept: metacpo resume {stopped}" in err and "Traceback" not in err, err
    deadline = time.time() + 10  # the runs' processes and their sampler workers are gone
    while processes_of_session(process.pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not processes_of_session(process.pid), "processes outlived an interrupted comparison"
    assert iterations_logged(slower) < 8, "meta-cpo should have stopped part-way"

    assert run_cli("resume", stopped).returncode == 0
    assert run_cli("compare", "--out", whole, *options).returncode == 0
    for run in ("meta-cpo-seed0", "cpo-seed0"):
        assert history_without_timing(stopped / run) == history_without_timing(whole / run)
        assert (stopped / run / "test.csv").read_text() == (whole / run / "test.csv").read_text()


def test_a_comparisons_runs_end_with_its_process_even_when_it_is_killed(tmp_path):
    "kill -9 of the comparison's process alone (no signal to its runs): its runs and their workers stop with it."
    out = tmp_path / "c"
    process = subprocess.Popen([METACPO, "compare", "--out", out, "--runs-at-once", "2", "--iterations", "50",
                                "--arms", "meta-cpo", "cpo", *TINY_OPTIONS],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    runs = [out / "meta-cpo-seed0", out / "cpo-seed0"]
    try:
        deadline = time.time() + 120
        while min(map(iterations_logged, runs)) < 1 and time.time() < deadline:
            time.sleep(0.02)
        assert min(map(iterations_logged, runs)) >= 1 and len(children_of(process.pid)) == 2, "both runs should be under way"
        process.kill()
        process.wait()
        deadline = time.time() + 10
        while processes_of_session(process.pid) and time.time() < deadline:
            time.sleep(0.05)
        assert not processes_of_session(process.pid), "runs outlived their comparison's process"
        assert max(map(iterations_logged, runs)) < 50, "the runs should have stopped part-way"
    finally:
        for pid in processes_of_session(process.pid):  # whatever a failed check left running
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("args, message", [
    (("train", "ppo"), "argument algorithm: invalid choice: 'ppo'"),
    (("train", "cpo", "--batch-steps", "1200"), "batch_steps must be a multiple of horizon (500)"),
    (("train", "cpo", "--iterations", "many"), "argument --iterations: invalid int value: 'many'"),
    (("compare", "--family", "Goal"), "unknown family 'Goal': allowed are 'circle', 'button'"),
    (("compare", "--gamma", "2"), "gamma must be a number in (0, 1], got 2.0"),
    (("compare", "--preset", "huge"), "argument --preset: invalid choice: 'huge'"),
    (("compare", "--learning-rate", "0.1"), "unrecognized arguments: --learning-rate"),
    (("meta-test", "/nonexistent"), "/nonexistent holds no metacpo run"),
    (("compare", "--arms", "meta-cpo", "sac"), "unknown arm 'sac': allowed are 'meta-cpo'"),
])
def test_bad_options_exit_2_naming_them(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_refuses_a_corrupt_checkpoint_and_another_runs_directory(tmp_path):
    result = run_cli("train", "trpo", "--out", tmp_path, "--iterations", "1", *TINY_OPTIONS)
    assert result.returncode == 0, result.stderr
    assert "done: 1 iterations, 80 environment steps" in result.stdout
    result = run_cli("compare", "--out", tmp_path, "--iterations", "1", *TINY_OPTIONS)
    assert result.returncode == 2 and "holds another run (train" in result.stderr
    (tmp_path / CHECKPOINT).write_bytes((tmp_path / CHECKPOINT).read_bytes()[:300])
    result = run_cli("resume", tmp_path)
    assert result.returncode == 2 and "is not a readable checkpoint (corrupt or truncated?)" in result.stderr
    assert json.loads((tmp_path / "run.json").read_text())["algorithm"] == "trpo"


def test_meta_test_run_refuses_a_comparison_directory(tmp_path):
    write_run_file(tmp_path, "compare", TINY)
    with pytest.raises(ValueError, match="holds a compare run: a meta-test takes the directory of one training run"):
        meta_test_run(tmp_path)


def test_meta_test_takes_test_steps_adaptation_steps_in_either_metric(tmp_path):
    from metacpo.metatest import meta_test
    from metacpo.training import make_sampler
    state = train("meta-cpo", replace(TINY, inner_metric="fisher"), tmp_path, progress=False)
    state.config = replace(state.config, test_steps=2)
    with make_sampler(state.config) as sampler:
        rows = meta_test(state, sampler)
    assert sorted({r.step for r in rows}) == [0, 1, 2]


class CostlySampler:
    "A sampler whose steps cost 1 where the first observation entry is positive: tiny episodes that cost (real ones do not yet)."
    def __init__(self, sampler):
        self.sampler = sampler

    def sample(self, requests, policy, normalizer):
        return [replace(b, costs=(b.obs[:, 0] > 0).to(b.costs.dtype)) for b in self.sampler.sample(requests, policy, normalizer)]


@pytest.mark.parametrize("adaptation", ["pooled", "ucb"])
def test_inner_steps_replay_exactly_with_pooled_evidence(adaptation):
    "The phases' inner steps (each on every batch of its task so far) are what the replay of the recorded batches gives."
    from metacpo.meta import adapt
    from metacpo.tasks import sample
    from metacpo.training import PhasePlan, inner_loop, make_sampler, replay_task, run_phases
    cfg = replace(TINY, inner_steps=3, adaptation=adaptation)
    state = new_run("meta-cpo", cfg)
    with make_sampler(cfg) as sampler:
        phases = run_phases(CostlySampler(sampler), [state.learner] * 2, sample(cfg.family, "train", 2, seed=0),
                            [(0, 0, 0), (0, 0, 1)], PhasePlan(cfg.batch_steps, 3, inner_loop(cfg, True)), cfg)
    assert all(tb.batch.costs.std() > 0 for record in phases.batches for tb in record)  # the evidence differs
    theta = flat_params(state.learner.policy)
    for record, path in zip(phases.batches, phases.params):
        replayed = adapt(theta, replay_task(state.learner.policy, record, cfg), inner_loop(cfg, True)).path
        assert all(torch.equal(a.detach(), b) for a, b in zip(replayed, path))


def test_ucb_adaptation_trains_and_resumes_to_the_same_numbers(tmp_path, monkeypatch):
    "Meta-CPO with ucb inner steps: finite iterations, and a run stopped after one iteration resumes to the same numbers."
    import metacpo.runs
    cfg = replace(TINY, iterations=2, inner_steps=2, adaptation="ucb")
    state = train("meta-cpo", cfg, tmp_path / "whole", progress=False)
    assert all(torch.isfinite(torch.tensor([r.reward_after, r.cost_after, r.kl])).all() for r in state.history)
    calls, iterate = [], metacpo.runs.iterate
    def stop_at_second(*args):  # as a kill in the second iteration would stop it
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return iterate(*args)
    monkeypatch.setattr(metacpo.runs, "iterate", stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        train("meta-cpo", cfg, tmp_path / "resumed", progress=False)
    monkeypatch.setattr(metacpo.runs, "iterate", iterate)
    resumed = train("meta-cpo", cfg, tmp_path / "resumed", progress=False)
    assert history_without_timing(tmp_path / "resumed") == history_without_timing(tmp_path / "whole")
    assert torch.equal(flat_params(resumed.learner.policy), flat_params(state.learner.policy))
    with pytest.raises(ValueError, match="batch_steps >= "):
        replace(cfg, horizon=40)


def test_runs_recorded_before_adaptation_options_read_as_batch():
    "A run file written before `adaptation` existed (the experiments' runs) reads with today's default, batch."
    from metacpo.runs import read_run_file
    run = Path(__file__).parents[1] / "results" / "car-circle" / "cpo-seed0"
    recorded = json.loads((run / "run.json").read_text())["config"]
    assert "adaptation" not in recorded and "adaptation_confidence" not in recorded
    cfg = read_run_file(run)["config"]
    assert (cfg.adaptation, cfg.adaptation_confidence) == ("batch", 0.9)
