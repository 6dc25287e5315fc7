"""One process per run directory: a second `metacpo` command on a directory in use is refused, a killed holder's lock is taken over."""
import contextlib
import os
import re
import signal
import subprocess
import time

import torch

from metacpo.core import flat_params
from metacpo.compare import iterations_logged
from metacpo.lock import LOCK_FILE
from metacpo.runs import CHECKPOINT, load_checkpoint
from test_training import METACPO, TINY_OPTIONS, children_of, history_without_timing, processes_of_session, run_cli


def wait_until(condition, timeout=120):
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.02)
    assert condition(), "timed out"


def refusal(command: str, directory, pid: int) -> re.Pattern:
    "The one line `metacpo COMMAND` writes when `directory` is held by process `pid`."
    return re.compile(rf"metacpo {command}: error: {re.escape(str(directory))} is in use by process {pid} "
                      rf"\(started [0-9-]+ [0-9:]+\); wait for it or stop it")


def assert_refused(args, directory, pid):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    line, = result.stderr.splitlines()  # one line, no traceback
    assert refusal(args[0], directory, pid).fullmatch(line), line


def test_a_second_process_on_a_run_directory_is_refused_and_the_first_goes_on_undisturbed(tmp_path):
    busy, alone = tmp_path / "busy", tmp_path / "alone"
    options = ["--iterations", "6", *TINY_OPTIONS]
    first = subprocess.Popen([METACPO, "train", "cpo", "--out", busy, *options],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: iterations_logged(busy) >= 1)
    first.send_signal(signal.SIGSTOP)  # paused part-way (holding its lock), however slow the others are to start
    assert_refused(["train", "cpo", "--out", busy, *options], busy, first.pid)
    assert_refused(["resume", busy], busy, first.pid)
    assert iterations_logged(busy) < 6, "the first run should be part-way when the others are refused"
    first.send_signal(signal.SIGCONT)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert not (busy / LOCK_FILE).exists(), "a finished run leaves no lock behind"

    result = run_cli("train", "cpo", "--out", alone, *options)
    assert result.returncode == 0, result.stderr
    assert history_without_timing(busy) == history_without_timing(alone)
    a, b = load_checkpoint(busy / CHECKPOINT), load_checkpoint(alone / CHECKPOINT)
    assert torch.equal(flat_params(a.learner.policy), flat_params(b.learner.policy))


def test_a_comparison_holds_its_directory_and_each_run_process_its_run(tmp_path):
    out = tmp_path / "c"
    process = subprocess.Popen([METACPO, "compare", "--out", out, "--runs-at-once", "2", "--iterations", "50",
                                "--arms", "meta-cpo", "cpo", *TINY_OPTIONS],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        run = out / "cpo-seed0"
        wait_until(lambda: iterations_logged(run) >= 1)
        os.killpg(process.pid, signal.SIGSTOP)  # the comparison, its runs and their workers paused part-way
        holder = int((run / LOCK_FILE).read_text().split()[0])
        assert holder in children_of(process.pid), "a run's own process holds its directory"
        assert_refused(["resume", out], out, process.pid)
        assert_refused(["train", "cpo", "--out", run, "--iterations", "50", *TINY_OPTIONS], run, holder)
        assert iterations_logged(run) < 50, "the comparison should be part-way"
    finally:
        for pid in processes_of_session(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def test_a_lock_left_by_a_run_killed_with_kill_9_is_taken_over(tmp_path):
    out = tmp_path / "killed"
    options = ["--iterations", "4", *TINY_OPTIONS]
    killed = subprocess.Popen([METACPO, "train", "meta-cpo", "--out", out, *options],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: iterations_logged(out) >= 1)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert (out / LOCK_FILE).read_text().split()[0] == str(killed.pid), "the killed run leaves its lock file behind"
    assert load_checkpoint(out / CHECKPOINT).iteration < 4, "the run should have been killed part-way"

    resumed = subprocess.Popen([METACPO, "resume", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert load_checkpoint(out / CHECKPOINT).iteration == 4
    assert not (out / LOCK_FILE).exists()
