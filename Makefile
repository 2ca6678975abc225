# Persona: two commands for a newcomer — `make demo` and `make test`; each sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Khronos glTF validator (npm), used by tests and `persona avatar make --validate`.
GLTF_VALIDATOR := .tools/node_modules/gltf-validator/package.json
GLTF_VALIDATOR_VERSION := 2.0.0-dev.3.10
APT_PACKAGES := libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libopenal1 libopenal-data espeak-ng fonts-noto-cjk xvfb xauth
# numba: one thread by default (2 shared cores here; see DESIGN.md).
export NUMBA_NUM_THREADS ?= 1
export NUMBA_THREADING_LAYER ?= workqueue

.PHONY: setup system-packages demo test test-fast bench lint clean

setup: system-packages $(STAMP) $(GLTF_VALIDATOR)

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "Persona needs these system packages, which are missing:$$missing"; \
	  echo "Install them as root:  sudo apt-get install$$missing"; \
	  exit 1; \
	fi

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Persona needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

$(GLTF_VALIDATOR):
	npm install --prefix .tools --no-audit --no-fund --silent gltf-validator@$(GLTF_VALIDATOR_VERSION)

demo: setup
	@mkdir -p out
	$(BIN)/persona render scenes/demo.toml -o out/demo.mp4

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/persona bench

lint: setup
	$(BIN)/ruff check engine game scripts tests

clean:
	rm -rf $(VENV) .tools out .pytest_cache .ruff_cache
