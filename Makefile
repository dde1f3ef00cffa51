# Two commands do everything on a fresh machine (Python 3.10-3.12 needed):
#   make lab    create .venv, install srkit, open JupyterLab on the first notebook
#   make test   create .venv, install srkit, run the whole test suite (unit tests + notebooks, smoke mode)
#   make test-fast   only the fast tier (no notebooks, no browser, nothing marked slow): under 2 minutes
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.srkit-installed

.PHONY: lab test test-fast install clean-venv notebooks

$(STAMP): pyproject.toml
	@test -x "$(BIN)/python" || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_welcome.ipynb

# Unit tests, then every notebook through nbval (lax mode: only cells marked NBVAL_CHECK_OUTPUT
# are compared), with SRKIT_SMOKE=1 so training cells are tiny and a per-cell timeout against hangs.
test: $(STAMP)
	SRKIT_SMOKE=1 $(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env --nbval-cell-timeout=600 -p no:cacheprovider

# The fast tier, for the edit-test loop: unit tests not marked slow (see conftest.py and pyproject.toml).
test-fast: $(STAMP)
	SRKIT_SMOKE=1 $(BIN)/python -m pytest tests -m "not slow" -q -p no:cacheprovider

# Sync every notebook with its .py twin, execute it in smoke mode and keep only the outputs nbval checks
# (cells whose first line is # NBVAL_CHECK_OUTPUT); see tools/run_notebooks.py.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

clean-venv:
	rm -rf $(VENV)
