"""Fail early, with a clear message, when the interpreter that would build .venv is not Python 3.11."""
import sys

if sys.version_info[:2] != (3, 11):
    sys.exit(f"metacpo needs Python 3.11 (its pinned torch, mujoco and numpy builds are for 3.11); "
             f"{sys.executable} is {sys.version.split()[0]}. Run: make PYTHON=/path/to/python3.11 ...")
