"""Every panel query as its datasource receives it (o11y/dashboards/queries.py): no variable
left, and each one parsed by the real tools (promtool, Grafana's LogQL and TraceQL grammars)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.dashboards import dashboards
from o11y.dashboards.queries import panel_queries
from o11y.model.stack import Stack
from tests.conftest import ROOT
from tests.o11y.dashboards.shop import (
    targets,
)
from tests.trees import as_list


def test_every_query_reaches_its_datasource_with_no_variable_left(shop: Stack) -> None:
    queries = panel_queries(shop)
    targets_count = sum(
        max(1, len(as_list(t.get("serviceMapQuery", []))))
        for board in dashboards(shop)
        for _, t in targets(board)
    )
    assert len(queries) == targets_count
    assert all("$" not in q.text for q in queries), [q for q in queries if "$" in q.text]
    checkout_rate = next(
        q for q in queries if q.panel == "Request rate by route" and "checkout" in q.dashboard
    )
    # Four scrape intervals of the stack (15s): Grafana's smallest $__rate_interval.
    assert "[60s]" in checkout_rate.text
    assert [q.text for q in queries if q.language == "trace-id"] == [
        "4bf92f3577b34da6a3ce929d0e0e4736"
    ]


@pytest.mark.tools
def test_every_promql_expression_parses_with_promtool(
    shop: Stack, promtool: str, tmp_path: Path
) -> None:
    expressions = sorted({q.text for q in panel_queries(shop) if q.language == "promql"})
    rules = [
        {"record": f"dashboard:check_{i}:expr", "expr": expr} for i, expr in enumerate(expressions)
    ]
    path = tmp_path / "dashboards.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(expressions)} rules found" in done.stdout


LEZER = ROOT / ".tools" / "lezer"
LEZER_PARSE = ROOT / "tests" / "o11y" / "lezer_parse.cjs"


@pytest.fixture(scope="module")
def lezer() -> Path:
    if not (LEZER / "node_modules" / "@grafana" / "lezer-logql").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Grafana's LogQL/TraceQL grammars are missing; CI must run `make lezer`")
        pytest.skip("Grafana's LogQL/TraceQL grammars not installed (`make lezer`)")
    return LEZER


@pytest.mark.tools
def test_every_logql_and_traceql_query_parses_with_grafanas_grammars(
    shop: Stack, lezer: Path
) -> None:
    parsed = [
        {"language": q.language, "query": q.text}
        for q in panel_queries(shop)
        if q.language in ("logql", "traceql")
    ]
    assert {q["language"] for q in parsed} == {"logql", "traceql"}
    done = subprocess.run(
        ["node", str(LEZER_PARSE)],
        input=json.dumps(parsed),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(lezer / "node_modules")},
    )
    assert json.loads(done.stdout) == []


@pytest.mark.tools
def test_the_grammars_reject_a_broken_query(lezer: Path) -> None:
    broken = [
        {"language": "logql", "query": '{service="checkout" | json'},
        {"language": "traceql", "query": '{resource.service.name="checkout" &&}'},
    ]
    done = subprocess.run(
        ["node", str(LEZER_PARSE)],
        input=json.dumps(broken),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(lezer / "node_modules")},
    )
    # Offsets of the first error: the pipe inside the selector, the brace after `&&`.
    assert [p["at"] for p in json.loads(done.stdout)] == [20, 36]
