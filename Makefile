# The two Quick start commands: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# One pytest-xdist worker per core, each on a database of its own (see tests/conftest.py);
# PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: run test lint test-tools

$(VENV)/.app: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.app
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.app
	$(VENV)/bin/flask --app couples serve

test-tools: $(VENV)/.dev
	scripts/install-test-tools

test: test-tools
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check couples tests bench scripts
	$(VENV)/bin/ruff format --check couples tests bench scripts
