# radsocial — the same targets run on a laptop and in CI.
# `make demo` and `make test` need only Python 3.11+ and pip: they create .venv themselves.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo/radsocial-demo.db
DEMO_PORT ?= 8000
DEMO_SYNTH ?= demo/synthetic

.PHONY: demo test lint bench clean-demo help

help:
	@echo "make demo   - install into .venv, import the demo corpus, show it, serve the dashboard"
	@echo "make test   - install with test extras and run the test suite"
	@echo "make lint   - ruff check + format check"
	@echo "make bench  - run the benchmarks (prints figures)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[web]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/radsocial import demo/corpus --db $(DEMO_DB)
	@# A seeded synthetic corpus (marked synthetic in every record, and on every page) so that
	@# the dashboard has recent years, a meeting and a monthly tweetchat to show.
	$(BIN)/radsocial generate $(DEMO_SYNTH) --posts 30000 --seed 7 --quiet --force
	$(BIN)/radsocial import $(DEMO_SYNTH)/corpus --db $(DEMO_DB)
	$(BIN)/radsocial classify --db $(DEMO_DB)
	$(BIN)/radsocial stats --db $(DEMO_DB)
	@echo
	@echo "Also try: $(BIN)/radsocial search mammogram --db $(DEMO_DB)"
	@echo "Starting the dashboard on the demo store (Ctrl+C to stop):"
	$(BIN)/radsocial serve --db $(DEMO_DB) --port $(DEMO_PORT)

clean-demo:
	rm -rf $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).quarantine $(DEMO_SYNTH)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/classify.py
