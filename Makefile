# tiergate — two commands do all the set-up: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS_DIR ?= $(or $(TIERGATE_TOOLS_DIR),$(HOME)/.cache/tiergate/bin)
export TIERGATE_TOOLS_DIR := $(TOOLS_DIR)
OPA := $(TOOLS_DIR)/opa
REGAL := $(TOOLS_DIR)/regal
STAMP := $(VENV)/.installed

.PHONY: help install tools run test pytest lint typecheck policy-check generate bench

help:
	@echo "make run    - install what is needed, then serve the API (managed OPA, SQLite)"
	@echo "make test   - install what is needed, then run the whole suite"
	@echo "make policy-check / lint / typecheck / generate / bench"

tools: $(OPA) $(REGAL)
$(OPA) $(REGAL): scripts/install-tools.sh OPA_VERSION
	bash scripts/install-tools.sh

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) tools

run: install
	$(VENV)/bin/tiergate serve

test: install
	$(MAKE) lint typecheck policy-check pytest

lint:
	$(VENV)/bin/ruff check service tests bench scripts
	$(VENV)/bin/ruff format --check service tests bench scripts

typecheck:
	$(VENV)/bin/mypy

# Policies: format, strict compile with the input schema, tests with a coverage gate,
# and Regal (config in .regal/config.yaml, missing-metadata as an error). Coverage tracing makes a
# whole-decision test 5-10x slower; on a loaded machine that passed OPA's 5 s per-test default, so
# the coverage run gets 60 s per test (the plain run below keeps the default).
POLICY_COVERAGE_MIN ?= 95
policy-check: tools
	$(OPA) fmt --fail --list policies
	$(OPA) check --strict --schema schemas/policy-input.json policies
	$(OPA) test policies --coverage --timeout 60s --threshold $(POLICY_COVERAGE_MIN) --format json > /dev/null \
		|| { $(OPA) test policies; echo "opa test failed or coverage below $(POLICY_COVERAGE_MIN)%"; exit 1; }
	$(OPA) test policies
	$(REGAL) lint policies

pytest: install
	bash scripts/ensure-chromium.sh
	bash scripts/with-postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

generate: install
	$(VENV)/bin/tiergate generate
	$(PY) scripts/build_catalog.py
	$(PY) scripts/build_rule_registry.py

bench: install
	$(PY) bench/run.py
