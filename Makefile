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

# --durations: the slowest tests at the end, to watch the CI budget (docs/benchmarks.md).
test: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/pytest -q --durations=15

test-fast: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The web service on the bundled sample corpus (data/sample): its store <data_dir>/sample-store
# is prepared once from the shipped files and precomputed vectors (api/sample.py; later runs
# only check the files), then `vorlagen serve` answers on http://$(RUN_HOST):$(RUN_PORT).
RUN_HOST ?= 127.0.0.1
RUN_PORT ?= 8000

run: install
	@store="$$($(BIN)/python -m api.sample)" && \
	exec $(BIN)/vorlagen serve --host $(RUN_HOST) --port $(RUN_PORT) --store "$$store"

bench: install
	VORLAGEN_SHARED=$(SHARED) $(BIN)/python bench/parse_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
