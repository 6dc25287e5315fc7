"""tools/sync.py: the check `make test` starts with catches notebooks edited without re-exporting."""
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import sync  # noqa: E402


def test_readme_is_rendered_from_the_index_notebook():
    assert (ROOT / "README.md").read_text() == sync.render_readme()


@pytest.fixture
def project_copy(tmp_path):
    "A copy of the files sync.py reads and writes, with git metadata left behind."
    for name in ("nbs", "metacpo", "tools"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def check(project):
    return subprocess.run([sys.executable, "tools/sync.py", "--check"], cwd=project, capture_output=True, text=True)


def test_in_sync_project_passes(project_copy):
    result = check(project_copy)
    assert result.returncode == 0, result.stderr
    assert "in sync" in result.stdout


def test_notebook_edited_without_export_fails_naming_the_module(project_copy):
    nb = project_copy / "nbs" / "00_core.ipynb"
    nb.write_text(nb.read_text().replace('\\"Number of scalar parameters of `module`.\\"',
                                         '\\"How many scalar parameters `module` has.\\"'))
    result = check(project_copy)
    assert result.returncode == 1
    assert "out of sync" in result.stderr and "metacpo/core.py" in result.stderr
    assert "How many scalar parameters" in (project_copy / "metacpo" / "core.py").read_text()
    assert check(project_copy).returncode == 0  # the export it did made the copy consistent again
