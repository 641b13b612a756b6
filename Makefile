# Quick start: `make check STACK=dev` (render + validate offline) and `make test` (whole suite).
# Both create .venv first; `sudo make tools` (or .ci/run) installs promtool/amtool from Debian.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
OUT ?= out/$(STACK)

.PHONY: setup tools check render plan drill test lint typecheck format golden runbooks lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian's Prometheus and Alertmanager (promtool, amtool, both servers) and what the drill runs:
# the exporters, PostgreSQL and Redis. The packages start their services; the drill and the
# end-to-end tests start their own on loopback, so those are stopped.
DRILL_PACKAGES := prometheus prometheus-alertmanager prometheus-postgres-exporter \
	prometheus-redis-exporter prometheus-blackbox-exporter prometheus-node-exporter \
	postgresql redis-server
DRILL_SERVICES := prometheus prometheus-alertmanager prometheus-postgres-exporter \
	prometheus-redis-exporter prometheus-blackbox-exporter prometheus-node-exporter \
	postgresql redis-server
tools:
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	  $(DRILL_PACKAGES)
	systemctl stop $(DRILL_SERVICES) 2>/dev/null || true

check: setup
	$(PY) -m o11y check --stack $(STACK)

render: setup
	$(PY) -m o11y render --stack $(STACK) --out $(OUT)

plan: setup
	$(PY) -m o11y plan --stack $(STACK)

# Break things on purpose on the real Prometheus, Alertmanager and exporters (`sudo make tools`).
drill: setup
	$(PY) -m o11y drill --stack $(STACK)

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
