# govlab: `make demo` runs the main job, `make test` runs lint and the tests.
# Both create .venv with Python 3.12 and install the project into it first.

PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install kernels demo test lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "govlab needs Python 3.12+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m govlab.viz.assets  # the trainer app's browser assets, for offline use (viz/OFFLINE.md)
	touch $(STAMP)

install: $(STAMP)

# The compiled service engine (model/kernel/): compile once into numba's cache (about half a
# minute the first time and after a change; a second afterwards), not in every worker process.
kernels: install
	$(BIN)/python -c 'from govlab.model.compiled import compile_kernels as c; print(f"kernels ready in {c():.1f} s")'

# The main job: the six-scenario ladder × 30 paired replications into results/govlab.db (resumes
# if interrupted), the comparison table, and the self-contained HTML report.
demo: kernels
	$(BIN)/govlab batch experiments/silo_vs_seamless.toml
	$(BIN)/govlab compare experiments/silo_vs_seamless.toml
	$(BIN)/govlab report experiments/silo_vs_seamless.toml --out results/reports/silo_vs_seamless

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint kernels
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
