# Two commands do everything on a fresh machine (Python 3.11-3.13 needed):
#   make lab    create .venv, install srkit, open JupyterLab on the first notebook
#   make test   create .venv, install srkit, run the whole test suite (unit tests + notebooks, smoke mode)
#   make test-fast   only the fast tier (no notebooks, no browser, nothing marked slow): under 2 minutes
#   make student-copy [OUT=folder]   the course for students: no solutions, no outputs (default build/student-course)
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.srkit-installed

.PHONY: lab test test-fast install clean-venv notebooks student-copy

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "srkit needs Python 3.11, 3.12 or 3.13 (Keras 3.15 needs 3.11+, TensorFlow 2.21 has wheels up to 3.13); $(PYTHON) is %d.%d. Install one of them, or run: make PYTHON=/path/to/python3.12 ..." % v)'
	@test -x "$(BIN)/python" || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test]"
	@touch $(STAMP)

install: $(STAMP)

# As root (usual in containers) JupyterLab refuses to start without --allow-root; without a display it
# cannot open a browser. Both are said, and handled, before it starts.
lab: $(STAMP)
	@flags=""; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "srkit: running as root (usual in containers), so JupyterLab needs --allow-root; adding it. Run 'make lab' as a normal user to avoid it."; \
	  flags="$$flags --allow-root"; \
	fi; \
	if [ "$$(uname)" != Darwin ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "srkit: no display here, so no browser opens; open the address JupyterLab prints below (http://127.0.0.1:PORT/lab?token=...) in a browser."; \
	  flags="$$flags --no-browser"; \
	fi; \
	$(BIN)/jupyter lab $$flags notebooks/00_welcome.ipynb

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

# A student copy of the course in $(OUT): notebooks without solutions or outputs, checks still working
# (see tools/release_course.py and the README's "For teachers").
OUT ?= build/student-course
student-copy: $(STAMP)
	$(BIN)/python tools/release_course.py $(OUT)

clean-venv:
	rm -rf $(VENV)
