# Vorlagen-Assistent developer commands. Everything runs inside .venv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: install test test-fast lint run bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# llama-cpp-python is built portably first (scripts/install-llama-cpp.sh, docs/models.md); the
# project's install then finds it satisfied and does not build it again.
install: $(BIN)/python
	scripts/install-llama-cpp.sh $(VENV)
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
