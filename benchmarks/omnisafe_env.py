"""Build OmniSafe 0.5.0 in its own virtual environment (not a dependency of metacpo), for the calibration benchmark.

    python3 benchmarks/omnisafe_env.py          # creates benchmarks/.omnisafe-venv (git-ignored), ~2 minutes

What makes `omnisafe==0.5.0` install on Python 3.11 (its declared pins do not resolve there):
- safety-gymnasium 1.0.0 declares pygame==2.1.0 (no wheel for 3.11, failing source build) and, through
  gymnasium-robotics 1.2.2, numpy<1.24; omnisafe 0.5.0 declares safety-gymnasium and old pins of its own. None of
  these pins is needed at run time, so the three are installed with --no-deps and their real run-time needs are
  listed here, at the versions metacpo itself is tested with (numpy 1 because numpy 2 breaks safety-gymnasium).
- `import safety_gymnasium` fails on Python >= 3.11 (numpy arrays as dataclass defaults): the runner
  (`omnisafe_cpo.py`) imports metacpo's scoped shim from this repository's source, the only metacpo code it uses.
"""
import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".omnisafe-venv"
PYTHON = VENV / "bin" / "python"
RUNTIME = ["torch==2.13.0", "numpy==1.26.4", "gymnasium==0.28.1", "mujoco==2.3.3", "pettingzoo==1.23.1", "xmltodict",
           "pyyaml", "imageio", "jinja2", "pandas==2.0.3", "tensorboard", "wandb", "gdown", "tqdm", "matplotlib",
           "seaborn", "rich", "typer", "typing-extensions", "moviepy==1.0.3"]
NO_DEPS = ["safety-gymnasium==1.0.0", "gymnasium-robotics==1.2.2", "omnisafe==0.5.0"]


def build() -> Path:
    "Create the environment unless it is complete already; return its python."
    done = VENV / ".installed"
    if done.exists():
        return PYTHON
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet"]
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(pip + ["torch==2.13.0"], check=True)  # first and alone: the CPU build
    subprocess.run(pip + RUNTIME, check=True)
    subprocess.run(pip + ["--no-deps"] + NO_DEPS, check=True)
    done.touch()
    return PYTHON


if __name__ == "__main__":
    print(build())
