# Quick start: `make check STACK=dev` (render + validate offline; `make check-all`: every stack)
# and `make test` (whole suite).
# Both create .venv first; `sudo make tools` (or .ci/run) installs promtool/amtool from Debian.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
OUT ?= out/$(STACK)
# Every stack of the project: one per Pulumi.<stack>.yaml.
STACKS := $(patsubst Pulumi.%.yaml,%,$(wildcard Pulumi.*.yaml))

.PHONY: setup tools check check-all render plan test lint typecheck format golden runbooks lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian's Prometheus and Alertmanager: promtool, amtool and both servers (end-to-end tests).
tools:
	command -v promtool >/dev/null && command -v amtool >/dev/null || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    prometheus prometheus-alertmanager; }

check: setup
	$(PY) -m o11y check --stack $(STACK)

# `make check` for every stack; names each stack that fails, after trying them all.
check-all: setup
	@failed=""; for stack in $(STACKS); do \
	  echo "== $$stack"; $(PY) -m o11y check --stack $$stack || failed="$$failed $$stack"; \
	done; \
	if [ -n "$$failed" ]; then echo "check failed for:$$failed" >&2; exit 1; fi

render: setup
	$(PY) -m o11y render --stack $(STACK) --out $(OUT)

plan: setup
	$(PY) -m o11y plan --stack $(STACK)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: setup
	$(PY) -m mypy .

test: setup lint typecheck
	$(PY) -m pytest -q

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Refresh the committed golden artifacts (docs/runbooks, rendered/) after a deliberate change.
golden: setup
	$(PY) -m o11y.golden

lock:
	$(PYTHON) -m venv /tmp/o11y-lock && /tmp/o11y-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Generated from requirements.in by 'make lock': the full pinned set."; \
	  /tmp/o11y-lock/bin/pip freeze; } > requirements.txt

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
