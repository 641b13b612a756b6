"""Every dashboard panel shows data: each panel query, variables filled in as Grafana fills
them, is evaluated against a real Prometheus scraping the drill's real sources (the reference
service under traffic, PostgreSQL and Redis with their exporters, the blackbox exporter,
node-exporter, Prometheus itself) and the stack's own recording rules, and must return a
non-empty result.

A query whose source cannot run here (kube-state-metrics, the kubelet's cAdvisor, Tempo's
span and service-graph metrics, Loki, Tempo, ...) is classified as unverifiable by the
source of its metric, below; that list is printed with the test's output, never skipped
silently.
"""

import json
import re
import time
import urllib.parse
import urllib.request

import pytest

from o11y.dashboards.queries import PanelQuery, panel_queries
from o11y.drill.run import Traffic, settle
from o11y.drill.world import Subjects, lane
from o11y.model.catalog import BusinessDomain
from o11y.model.stack import Stack
from tests.o11y.drill.stacks import SHOP, small_stack

pytestmark = pytest.mark.tools

# Short intervals so that rate() windows (4 scrape intervals) fill within the test's minutes.
SCRAPE_INTERVAL = "5s"
# After every target is up: how long the queries may take to all show data (rates need two
# samples in their window, the recording rules an evaluation on top of those). With the
# lane's start and settle (probes every 60s), the test stays within about four minutes.
DATA_SECONDS = 60
POLL_SECONDS = 5.0

# A domain of the test's own: its KPI is a business counter the reference service does not
# export; its route prefix gives a latency panel that the reference service does feed.
SHOP_DOMAIN = BusinessDomain.model_validate(
    {
        "name": "shop",
        "title": "Shop",
        "route_prefix": "/cart",
        "kpis": [{"name": "shop_orders_total", "title": "Orders", "service": "shop"}],
    }
)

# Where a metric comes from when that source cannot run on a test machine: reviewed rules,
# by metric name (or label), first match wins.
ELSEWHERE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bkube_\w+"), "kube-state-metrics"),
    (re.compile(r"\bcontainer_\w+"), "cAdvisor (the kubelet's container metrics)"),
    (re.compile(r"\btraces_span_metrics_\w+"), "Tempo span metrics"),
    (re.compile(r"\btraces_service_graph_\w+"), "Tempo service graph"),
    (re.compile(r"\bALERTS\b"), "ALERTS: no alert fires while everything is healthy"),
    (
        re.compile(r'\b(tenant|plan|feature)!=""'),
        "cost-attribution labels, optional in docs/CONTRACT.md, not set by the reference service",
    ),
)
# Queries of other languages go to other datasources.
DATASOURCES = {"logql": "Loki", "traceql": "Tempo", "trace-id": "Tempo"}


def dashboard_stack(dev_stack: Stack) -> Stack:
    """The drill's small stack (one service, one PostgreSQL, one Redis) scraped every 5s,
    with one business domain."""
    stack = small_stack(dev_stack)
    platform = stack.platform.model_copy(update={"scrape_interval": SCRAPE_INTERVAL})
    shop = SHOP.model_copy(update={"scrape_interval": SCRAPE_INTERVAL})
    return stack.model_copy(
        update={"platform": platform, "services": [shop], "business_domains": [SHOP_DOMAIN]}
    )


def business_counters(stack: Stack) -> set[str]:
    """The counters the catalog declares for its business domains (KPIs, funnel steps)."""
    names = set()
    for domain in stack.business_domains:
        names |= {k.name for k in domain.kpis}
        names |= {s.metric for f in domain.funnels for s in f.stages}
    return names


def source_elsewhere(stack: Stack, query: PanelQuery) -> str | None:
    """Why `query` cannot show data here, or None if its source runs in the lane."""
    if query.language != "promql":
        return DATASOURCES[query.language]
    for pattern, source in ELSEWHERE:
        if pattern.search(query.text):
            return source
    declared = business_counters(stack)
    if any(name in declared for name in re.findall(r"\b[a-zA-Z_:][\w:]*", query.text)):
        return "business counters of the catalog, not exported by the reference service"
    return None


def evaluate(prometheus: str, text: str) -> int:
    """How many series (or 1 for a scalar) an instant query at now returns."""
    url = f"{prometheus}/api/v1/query?{urllib.parse.urlencode({'query': text})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        reply = json.loads(response.read())
    assert reply["status"] == "success", f"{text}: {reply}"
    data = reply["data"]
    return 1 if data["resultType"] == "scalar" else len(data["result"])


def label(query: PanelQuery) -> str:
    return f"{query.dashboard} / {query.panel}: {query.text}"


def unverifiable_report(elsewhere: list[tuple[PanelQuery, str]], anyway: set[PanelQuery]) -> str:
    """The unverifiable queries by source, marking those that had data all the same."""
    lines = [f"{len(elsewhere)} panel queries unverifiable here, by the source of their data:"]
    for source in sorted({s for _, s in elsewhere}):
        lines.append(f"  {source}:")
        for query in (q for q, s in elsewhere if s == source):
            lines.append(f"    {label(query)}" + ("  (has data here)" if query in anyway else ""))
    return "\n".join(lines)


def test_every_panel_query_whose_source_runs_here_returns_data(
    dev_stack: Stack, drill_programs: None
) -> None:
    stack = dashboard_stack(dev_stack)
    queries = panel_queries(stack)
    elsewhere = [(q, source) for q in queries if (source := source_elsewhere(stack, q))]
    verified = [q for q in queries if source_elsewhere(stack, q) is None]
    subjects = Subjects(services=(SHOP.name,), postgres=True, redis=True, node=True)
    with lane(stack, subjects) as world, Traffic(world):
        settle(world, stack)
        deadline = time.monotonic() + DATA_SECONDS
        while True:
            empty = [q for q in verified if evaluate(world.prometheus, q.text) == 0]
            if not empty or time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        # Shown, not asserted: a listed query with data here may belong with the verified.
        anyway = {
            q for q, _ in elsewhere if q.language == "promql" and evaluate(world.prometheus, q.text)
        }

    print(f"\n{len(verified) - len(empty)} of {len(verified)} verifiable panel queries return data")
    print(unverifiable_report(elsewhere, anyway))
    assert not empty, "no data for:\n" + "\n".join(label(q) for q in empty)
