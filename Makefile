# Vorlagen-Assistent developer commands. Everything runs inside .venv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: install test test-fast lint run bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

test: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/pytest -q

test-fast: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

run: install
	$(BIN)/vorlagen parse $(SHARED)/seeds/*.txt

bench: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/python bench/parse_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
