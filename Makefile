# Two commands matter: `make run` (a local suite run) and `make test` (everything CI checks).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint typecheck unit synth bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

# The local run needs only requirements.txt (no CDK, no test tools).
$(VENV)/.run-deps: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.run-deps
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.run-deps
	$(BIN)/harness run $(ARGS)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-deps
	$(BIN)/mypy $(wildcard harness functions infra app.py benchmarks tests)

unit: $(VENV)/.dev-deps
	$(BIN)/pytest tests/unit -q

test: lint typecheck
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/pytest -n 2 --dist loadfile

# What `cdk synth` runs: the CDK app, writing the cloud assembly to cdk.out/ (offline).
synth: $(VENV)/.dev-deps
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/python app.py

# Measured gains, printed as ratios against a baseline measured in the same run.
bench: $(VENV)/.dev-deps
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .harness cdk.out .mypy_cache .ruff_cache .pytest_cache
