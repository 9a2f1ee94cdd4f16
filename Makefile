# The two Quick start commands: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# One pytest-xdist worker per core, each on a database of its own (see tests/conftest.py);
# PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: run test lint test-tools translations

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

# After marking or changing words: the catalogue template, each language's catalogue
# (new words empty, to translate), and the compiled catalogues the app reads.
translations: $(VENV)/.dev
	$(VENV)/bin/pybabel --quiet extract -F babel.cfg -o couples/translations/messages.pot \
		--sort-by-file --project Couples --no-wrap .
	$(VENV)/bin/pybabel --quiet update -i couples/translations/messages.pot -d couples/translations \
		--no-wrap --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel --quiet extract -F babel-js.cfg -o couples/translations/js.pot \
		--sort-by-file --project Couples --no-wrap .
	$(VENV)/bin/pybabel --quiet update -D js -i couples/translations/js.pot -d couples/translations \
		--no-wrap --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel --quiet compile -d couples/translations
	$(VENV)/bin/pybabel --quiet compile -D js -d couples/translations
