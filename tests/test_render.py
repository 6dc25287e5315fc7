"""`metacpo render` on tiny real runs: the files it writes, and its refusals."""
import os
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import pytest

from metacpo.config import Config
from metacpo.render import render_run
from metacpo.runs import train

METACPO = Path(sys.executable).parent / "metacpo"
# episodes of 20 steps, batches of 40, one iteration: a run trains in seconds, and a GIF has 21 frames
TINY_OPTIONS = ["--iterations", "1", "--tasks-per-iteration", "1", "--inner-steps", "1", "--batch-steps", "40",
                "--horizon", "20", "--hidden", "8", "--critic-hidden", "8", "--test-tasks", "2"]


def run_cli(*args, env=None):
    return subprocess.run([METACPO, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "meta-cpo"
    result = run_cli("train", "meta-cpo", "--agent", "Point", *TINY_OPTIONS, "--out", run_dir)
    assert result.returncode == 0, result.stderr
    return run_dir


def test_render_writes_a_figure_and_an_animation_per_held_out_task(tiny_run):
    result = run_cli("render", tiny_run, "--mean-action")  # default: the first 3 held-out tasks (the run has 2)
    assert result.returncode == 0, result.stderr
    out = tiny_run / "render"
    assert sorted(p.name for p in out.iterdir()) == ["task0.gif", "task0.png", "task1.gif", "task1.png"]
    assert iio.imread(out / "task1.png").ndim == 3
    assert len(iio.imread(out / "task1.gif", index=None)) == 21  # the reset and every step


@pytest.mark.parametrize("args, env, message", [
    (("/nonexistent",), None, "/nonexistent holds no metacpo run"),
    (("RUN", "--tasks", "0", "2"), None, "task index 2 is out of range: the run has 2 held-out tasks (0 to 1)"),
    (("RUN", "--tasks", "-1"), None, "task index -1 is out of range"),
    (("RUN", "--colour", "red"), None, "unrecognized arguments: --colour red"),
    (("RUN", "--mean-action", "--episodes", "3"), None, "they would all be the same"),
    (("RUN", "--camera"), {"MUJOCO_GL": "disable"}, "--camera needs MuJoCo's off-screen rendering, which failed here"),
])
def test_bad_render_requests_exit_2_with_one_line_and_write_nothing(tiny_run, tmp_path, args, env, message):
    out = tmp_path / "pictures"
    result = run_cli("render", *[tiny_run if a == "RUN" else a for a in args], "--out", out, env=env)
    assert result.returncode == 2
    assert message in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # argparse's refusals too: no usage block
    assert not out.exists()


@pytest.mark.parametrize("family, agent", [("circle", "Car"), ("button", "Point"), ("button", "Car")])
def test_render_works_for_every_family_and_agent(tmp_path, family, agent):
    cfg = Config(family=family, agent=agent, iterations=1, tasks_per_iteration=1, inner_steps=1, batch_steps=40,
                 horizon=20, hidden=(8,), critic_hidden=(8,), test_tasks=1, seeds=1)
    train("meta-cpo", cfg, tmp_path, progress=False)  # Point Circle: the tiny run above
    written = render_run(tmp_path, episodes=2)
    assert [p.name for p in written] == ["task0.png", "task0.gif"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_camera_animates_the_simulators_frames_where_mujoco_renders_off_screen(tiny_run, tmp_path):
    headless = {} if "DISPLAY" in os.environ else {"MUJOCO_GL": os.environ.get("MUJOCO_GL", "egl")}  # as the CLI does
    probe = subprocess.run([sys.executable, "-c", "from metacpo.render import check_camera; check_camera()"],
                           capture_output=True, text=True, env={**os.environ, **headless})
    if probe.returncode != 0:
        pytest.skip("no off-screen OpenGL for MuJoCo here: " + probe.stderr.strip().splitlines()[-1])
    result = run_cli("render", tiny_run, "--camera", "--tasks", "0", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    frames = iio.imread(tmp_path / "task0.gif", index=None)
    assert frames.shape[1:3] == (256, 2 * 256)  # the camera's frames of both policies, side by side
