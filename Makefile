# regionet: the two commands of the README.
#   make demo       - set up .venv, install regionet, run the main job on the bundled case into out/
#   make test       - install the dev extras, run ruff, mypy (strict), the import-layer contracts
#                     and every test (pytest, slow ones included)
# While you work:
#   make test-fast  - the tests not marked slow, on SQLite only, on up to four worker
#                     processes (pytest-xdist; no PostgreSQL run, `regionet` subprocess,
#                     server, browser or
#                     run of more than about 2 s; a quarter of each Hypothesis test's
#                     examples): about a minute
#   make mutation   - mutmut on the modules that guard the move (docs/testing.md; long, not in CI;
#                     TARGETS="levels exports" for some of them)
#   make help       - this text
PYTHON ?= python3
# Python caches compiled modules (__pycache__/, ignored by git) unless the environment says
# otherwise; some sandboxes and CI images set PYTHONDONTWRITEBYTECODE, which makes every test
# run compile (and pytest rewrite) all ~450 modules again: 15 s instead of 9 s to collect.
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: help demo test test-fast lint typecheck layers pytest bench bench-whole bench-api \
	bench-dynamics clean mutation

help:
	@sed -n '1,/^[^#]/{/^#/p}' Makefile

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
	$(BIN)/ruff check $(wildcard src tests scripts benchmarks conftest.py)

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

layers: $(VENV)/.dev-installed
	$(BIN)/lint-imports

pytest: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n auto --maxprocesses=4

test: lint typecheck layers pytest

test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -m "not slow and not postgres" -n auto --maxprocesses=4 \
		-p no:schemathesis --hypothesis-share=0.25

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_attribution.py
	$(BIN)/python benchmarks/bench_network.py

bench-whole: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_whole_process.py --setup
	$(BIN)/python benchmarks/bench_whole_process.py

bench-api: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/load_api.py

# Mesa is a baseline of the benchmark, not a regionet dependency: it gets its own venv.
.venv-bench/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -e ".[dynamics]" "mesa==3.3.0"
	touch $@

bench-dynamics: .venv-bench/.installed
	.venv-bench/bin/python benchmarks/bench_dynamics.py

clean:
	rm -rf $(VENV) .venv-bench .bench-venv $(OUT) .mypy_cache .ruff_cache .pytest_cache \
		.hypothesis

mutation: $(VENV)/.dev-installed
	nice -n 15 $(BIN)/python scripts/mutation.py $(TARGETS)
