# Every target works on a fresh machine with only Python 3.11+: it makes .venv and installs into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.llamalog-installed
OUT ?= out/demo
PYTEST_ARGS ?=

.PHONY: install demo test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/llamalog demo --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check llamalog tests benchmarks
	$(BIN)/ruff format --check llamalog tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format llamalog tests benchmarks
	$(BIN)/ruff check --fix llamalog tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_read.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
