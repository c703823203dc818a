# regionet: the two commands of the README.
#   make demo  - set up .venv, install regionet, run the main job on the bundled case into out/
#   make test  - install the dev extras, run ruff, mypy (strict), the import-layer contract, pytest
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint typecheck layers pytest bench bench-whole bench-api clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[serve,fast]"
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/regionet run --out $(OUT)/
	@echo "Open $(OUT)/report.html in a browser."

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check $(wildcard src tests scripts benchmarks)

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

layers: $(VENV)/.dev-installed
	$(BIN)/lint-imports

pytest: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q

test: lint typecheck layers pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_attribution.py
	$(BIN)/python benchmarks/bench_network.py

bench-whole: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_whole_process.py --setup
	$(BIN)/python benchmarks/bench_whole_process.py

bench-api: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/load_api.py

clean:
	rm -rf $(VENV) .bench-venv $(OUT) .mypy_cache .ruff_cache .pytest_cache .hypothesis
