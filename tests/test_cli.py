"""The `metacpo` console script, run as a user runs it."""
import subprocess
import sys
from pathlib import Path

import pytest

# the console script installed beside this interpreter, as `make` installs it
METACPO = Path(sys.executable).parent / "metacpo"


DEMO = Path(__file__).parents[1] / "results" / "demo"  # the committed demo comparison


def run_cli(*args):
    assert METACPO.exists(), f"the metacpo console script is not installed: {METACPO}"
    return subprocess.run([METACPO, *args], capture_output=True, text=True, timeout=300)


def test_check_drives_a_real_task_end_to_end():
    result = run_cli("check", "--env", "SafetyPointCircle1-v0", "--steps", "120", "--seed", "5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("metacpo ") and "torch 2.13.0" in lines[0] and "safety-gymnasium 1.0.0" in lines[0]
    row = next(line.split() for line in lines if line.startswith("SafetyPointCircle1-v0"))
    assert row[1:5] == ["28", "2", "120", "1"]
    assert lines[-1].startswith("ok:")


@pytest.mark.parametrize("args, message", [
    ((), "the following arguments are required: COMMAND"),
    (("trian",), "invalid choice: 'trian'"),
    (("train",), "the following arguments are required: algorithm"),
    (("check", "--steps", "many"), "invalid int value: 'many'"),
    (("check", "--steps", "0"), "steps must be an integer >= 1, got 0"),
    (("check", "--frobnicate"), "unrecognized arguments: --frobnicate"),
    (("check", "--env", "SafetyCarCirlce1-v0"), "did you mean SafetyCarCircle1-v0"),
    (("contrast", "/nonexistent", "cpo", "trpo"), "/nonexistent holds no metacpo run"),
    (("contrast", str(DEMO), "cpo", "trpo", "--steps", "3"), "adaptation step 3 is not in the meta-test logs: allowed are 0 to 1"),
    (("contrast", str(DEMO), "cpo", "trpo", "--adaptation", "ucb"), "has no run meta-tested on the test split by ucb adaptation steps yet"),
    (("meta-test", str(DEMO), "--adaptation", "filter"), "unknown adaptation 'filter': allowed are 'batch', 'pooled', 'ucb'"),
    (("meta-test", str(DEMO), "--arms", "cpo", "sac"), "unknown arm of this comparison 'sac'"),
    (("meta-test", str(DEMO / "cpo-seed0"), "--arms", "cpo"), "--arms picks runs of a comparison"),
])
def test_bad_command_lines_exit_2_naming_the_problem(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("compare",), ("train", "cpo")])
def test_out_through_a_regular_file_is_refused_in_one_line_before_any_work(tmp_path, command):
    (tmp_path / "a-file").write_text("")
    out = tmp_path / "a-file" / "run"
    result = run_cli(*command, "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"metacpo {command[0]}: error: cannot write to {out}: {tmp_path / 'a-file'} is a file, not a directory"]
    assert "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"] and (tmp_path / "a-file").read_text() == ""


def test_contrast_reads_the_committed_demo_comparison():
    result = run_cli("contrast", str(DEMO), "maml-trpo", "meta-cpo")
    assert result.returncode == 0, result.stderr
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| 0 ") or line.startswith("| 1 ")]
    assert len(rows) == 2 and all(len(row) == 7 for row in rows)
    # in the demo, MAML-TRPO's sampled-action cost is above Meta-CPO's at both steps, with intervals apart
    assert all(row[2].startswith("**higher**: ") for row in rows), rows
