# Two commands matter: `make run` (a local suite run) and `make test` (everything CI checks).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint typecheck unit synth bench clean browser

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

test: lint typecheck browser
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/pytest -n 2 --dist loadfile

# The report test opens a report in Debian's Chromium. Installed here when missing and we are
# root on Debian (CI); anywhere else `make test` says how, and that test skips unless CI=true.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the report test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else \
		echo "note: no chromium; the report browser test skips (sudo apt-get install chromium)"; \
	fi

# What `cdk synth` runs: the CDK app, writing the cloud assembly to cdk.out/ (offline).
synth: $(VENV)/.dev-deps
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/python app.py

# Measured gains, printed as ratios against a baseline measured in the same run. Needs only
# what a local run needs (no CDK, no test tools).
bench: $(VENV)/.run-deps
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .harness cdk.out .mypy_cache .ruff_cache .pytest_cache
