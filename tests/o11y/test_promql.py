"""The one PromQL layer (o11y/promql.py): each builder's exact text, every expression the
product writes for a small stack of the tests' own parsed by a PromQL parser, and the
zero-filled error share evaluated by promtool."""

import subprocess
from pathlib import Path

import promql_parser
import pytest
import yaml

from o11y.conventions import CLIENT_ERRORS, METRIC_HTTP_REQUESTS
from o11y.dashboards.queries import panel_queries
from o11y.promql import (
    RANGE,
    RATE_WINDOW,
    absent,
    buckets,
    by,
    error_ratio,
    legend,
    percent_of,
    quantile,
    selector,
    share,
    sum_increase,
    sum_of,
    sum_rate,
)
from o11y.rules import alerts_by_file, rule_groups
from o11y.slo import WINDOW_PLACEHOLDER
from tests.o11y.dashboards.shop import shop_stack

REQUESTS = 'http_requests_total{service="shop"}'


# Case names are sentences: what each builder promises.
BUILT = [
    ("a metric with no matchers stays bare", selector("up"), "up"),
    (
        "matchers are joined without spaces",
        selector("up", 'service="shop"', 'job="shop"'),
        'up{service="shop",job="shop"}',
    ),
    (
        "a selector narrowed again keeps its own matchers last",
        selector('x_total{result="failed"}', 'service="shop"'),
        'x_total{service="shop",result="failed"}',
    ),
    (
        "a histogram's buckets are its _bucket series",
        buckets("latency_seconds", 'service="shop"'),
        'latency_seconds_bucket{service="shop"}',
    ),
    ("no labels: no by clause", by(()), ""),
    ("labels: a by clause and a space", by(("route", "code")), "by (route, code) "),
    ("a gauge summed", sum_of("queue_depth"), "sum (queue_depth)"),
    (
        "a gauge summed per label",
        sum_of("queue_depth", ("queue",)),
        "sum by (queue) (queue_depth)",
    ),
    (
        "a rate over a fixed window",
        sum_rate(REQUESTS, "5m"),
        f"sum (rate({REQUESTS}[5m]))",
    ),
    (
        "a rate over Grafana's window per label",
        sum_rate(REQUESTS, RATE_WINDOW, ("route",)),
        f"sum by (route) (rate({REQUESTS}[$__rate_interval]))",
    ),
    (
        "an increase over the dashboard's range",
        sum_increase(REQUESTS, RANGE, ("plan",)),
        f"sum by (plan) (increase({REQUESTS}[$__range]))",
    ),
    (
        "a quantile groups by le after the labels",
        quantile(0.95, buckets("d"), "5m", ("route",)),
        "histogram_quantile(0.95, sum by (route, le) (rate(d_bucket[5m])))",
    ),
    (
        "a quantile of everything",
        quantile(0.5, "d_bucket", "1m", ()),
        "histogram_quantile(0.5, sum by (le) (rate(d_bucket[1m])))",
    ),
    ("a percentage", percent_of("a", "b"), "a / b * 100"),
    ("a share fills a missing numerator with 0", share("bad", "all"), "(bad or all * 0) / all"),
    ("absence of a series", absent("up"), "absent(up)"),
    (
        "a legend names each series by its labels",
        legend(("route", "method")),
        "{{route}} {{method}}",
    ),
]


@pytest.mark.parametrize(("case", "built", "expected"), BUILT, ids=[c[0] for c in BUILT])
def test_each_builder_writes_exactly_this(case: str, built: str, expected: str) -> None:
    assert built == expected, case


def test_the_error_ratio_is_5xx_over_all_unless_told_other_errors() -> None:
    bad = 'http_requests_total{code=~"5..",service="shop"}'
    assert error_ratio(REQUESTS, "5m") == (
        f"(sum (rate({bad}[5m])) or sum (rate({REQUESTS}[5m])) * 0) / sum (rate({REQUESTS}[5m]))"
    )
    client = error_ratio(REQUESTS, RATE_WINDOW, ("route",), CLIENT_ERRORS)
    assert client.startswith(
        '(sum by (route) (rate(http_requests_total{code=~"4..",service="shop"}[$__rate_interval]))'
    )


def test_the_parser_rejects_what_prometheus_rejects() -> None:
    """The parse test below proves something only if the parser fails on broken PromQL."""
    for broken in ("sum by (route (rate(x[5m]))", "rate(x{a=}[5m])", "x[$__rate_interval]"):
        with pytest.raises(ValueError):
            promql_parser.parse(broken)


def generated_promql() -> dict[str, str]:
    """Where it comes from -> every PromQL expression the product writes for the shop stack:
    alert and recording rules, alert triage queries and dashboard panels (Grafana's variables
    replaced as Grafana replaces them)."""
    stack = shop_stack()
    found: dict[str, str] = {}
    for stem, groups in rule_groups(stack).items():
        for group in groups:
            for rule in group["rules"]:
                name = rule.get("record") or rule.get("alert")
                found[f"rule {stem}/{group['name']}/{name}"] = str(rule["expr"])
    for stem, definitions in alerts_by_file(stack).items():
        for definition in definitions:
            for triage in definition.triage:
                if triage.language == "promql":
                    query = triage.query.replace(WINDOW_PLACEHOLDER, "5m")
                    found[f"triage {stem}/{definition.name}/{triage.title}"] = query
    for target in panel_queries(stack):
        if target.language == "promql":
            found[f"panel {target.dashboard}/{target.panel}/{len(found)}"] = target.text
    return found


def test_every_promql_expression_of_a_small_stack_parses() -> None:
    expressions = generated_promql()
    kinds = {where.split(" ", 1)[0] for where in expressions}
    assert kinds == {"rule", "triage", "panel"}
    assert len(expressions) >= 100
    failures = {}
    for where, expr in expressions.items():
        try:
            promql_parser.parse(expr)
        except ValueError as error:
            failures[where] = f"{expr}: {error}"
    assert failures == {}


@pytest.mark.tools
def test_a_service_without_5xx_has_a_share_of_0_and_one_without_traffic_has_none(
    promtool: str, tmp_path: Path
) -> None:
    def of(service: str) -> str:
        return error_ratio(selector(METRIC_HTTP_REQUESTS, f'service="{service}"'), "5m")

    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": []}))
    tests = tmp_path / "test.yaml"
    tests.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(rules)],
                "evaluation_interval": "1m",
                "tests": [
                    {
                        "interval": "1m",
                        "input_series": [
                            {
                                "series": 'http_requests_total{service="quiet", code="200"}',
                                "values": "0+60x10",
                            },
                            {
                                "series": 'http_requests_total{service="bad", code="200"}',
                                "values": "0+45x10",
                            },
                            {
                                "series": 'http_requests_total{service="bad", code="503"}',
                                "values": "0+15x10",
                            },
                        ],
                        "promql_expr_test": [
                            {
                                "expr": of("quiet"),
                                "eval_time": "10m",
                                "exp_samples": [{"labels": "{}", "value": 0}],
                            },
                            {
                                "expr": of("bad"),
                                "eval_time": "10m",
                                "exp_samples": [{"labels": "{}", "value": 0.25}],
                            },
                            {"expr": of("idle"), "eval_time": "10m", "exp_samples": []},
                        ],
                    }
                ],
            }
        )
    )
    done = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
