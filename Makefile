# Two commands for users: `make run` (the main job) and `make test` (every check).
# Both create or update the local virtual environment .venv by themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test sync lock

# The demo comparison of all four algorithms on Car Circle; results land in runs/demo.
run: $(INSTALLED)
	$(BIN)/metacpo compare --preset demo --out runs/demo

# pytest: a worker per core, each taking whole test files (a file's fixtures, such as its Ray instance, start once).
test: $(INSTALLED)
	$(BIN)/python tools/sync.py --check
	$(BIN)/nbdev-test
	$(BIN)/pytest -n auto --dist loadfile

# Re-export notebooks, clean them and regenerate README.md (what `make test` checks).
sync: $(INSTALLED)
	$(BIN)/python tools/sync.py

# Record the exact versions of the whole environment (rerun after changing a pin).
lock: $(INSTALLED)
	$(BIN)/pip freeze --exclude-editable | sed 's/+cpu$$//' > constraints.txt

# torch first and by exact version: `pip install torch==2.13.0` picks the CPU build.
$(INSTALLED): pyproject.toml setup.py constraints.txt requirements-nodeps.txt
	$(PYTHON) tools/check_python.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt -r requirements-nodeps.txt
	touch $@
