# Two commands for a newcomer: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2

.PHONY: run test lint install install-test browser clean

$(VENV)/bin/python:
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: the main job on the embedded default: the conformance catalog against the
## reference server, with the mock backend in-process, ending in the report.
## The reference server reports the codex version it follows (0.163.0) without sharing that
## release's known deviations: it is held to no baseline.
CONFORMANCE_ARGS ?= -n 2 --conformance-baseline none --conformance-json artifacts/conformance.json \
	--conformance-markdown artifacts/conformance.md --junitxml=artifacts/conformance.xml
run: install
	$(PY) -m conformance --app-server "$(abspath $(PY)) -m reference_server app-server" \
		$(CONFORMANCE_ARGS)

## make test: lint, type-check and the whole suite (real codex binaries and Chromium included).
test: install-test browser lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

browser:
	@bash scripts/ensure-chromium.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache artifacts
