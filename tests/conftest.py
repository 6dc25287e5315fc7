import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_python():
    "Run a snippet in a fresh interpreter (so module-level state starts clean); return the CompletedProcess."
    def run(code: str, **kwargs):
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, **kwargs)
    return run
