"""The SLO engine on the catalog: exact rules and alerts, and their behaviour under promtool.

The promtool suites are generated into tmp_path: for each alert a scenario in which it must
fire (with its exact labels) and scenarios in which it must stay silent.
"""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from o11y.alertdef import AlertDefinition
from o11y.model.catalog import Service
from o11y.model.slo import Period
from o11y.model.stack import Stack
from o11y.promrules import Rule, RuleGroup, rule_file
from o11y.rules import alert_rule, rule_groups
from o11y.severity import Action
from o11y.slo import (
    BURN_RATE_TABLE,
    EventsSLI,
    ServiceLevel,
    alert_windows,
    burn_factor,
    burn_rate_expr,
    catalog_service_levels,
    le_matcher,
    service_level_alerts,
    slo_alerts,
    slo_rule_group,
    slo_rule_groups,
)
from tests.o11y.slo_replay import (
    Phase,
    Scenario,
    counter_values,
    file_order,
    http_series,
    run_suite,
)
from tests.small_stacks import SERVICE as SMALL_SERVICE
from tests.small_stacks import small_stack

SERVICE = "shop"
RATE = 1000  # requests per minute


@pytest.fixture(scope="module")
def slo_stack() -> Stack:
    """Shop: availability 99.9% and latency 95% under 0.5s, and a second service with one SLO."""
    slos = [
        {"name": "availability", "objective": 99.9},
        {"name": "latency", "kind": "latency", "objective": 95, "threshold_seconds": 0.5},
    ]
    return small_stack(
        overrides={
            "services": [
                {**SMALL_SERVICE, "slos": slos},
                {**SMALL_SERVICE, "name": "cart", "display_name": "Cart"},
            ]
        }
    )


# --- exact values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "factors"),
    [
        ("30d", ["14.4", "6", "3", "1"]),  # SRE Workbook table 5-8
        ("28d", ["13.44", "5.6", "2.8", "0.9333333333333333333333333333"]),  # Sloth google-28d
        ("7d", ["3.36", "1.4", "1", "1"]),  # ticket factors floored at 1x
    ],
)
def test_burn_factors_scale_with_the_period(period: Period, factors: list[str]) -> None:
    assert [burn_factor(row, period) for row in BURN_RATE_TABLE] == [Decimal(f) for f in factors]


def test_recording_windows_are_exactly_those_the_alerts_read() -> None:
    assert alert_windows() == ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def test_latency_bucket_matches_both_le_spellings_of_integral_thresholds() -> None:
    assert le_matcher(0.5) == 'le="0.5"'
    assert le_matcher(10) == 'le=~"10|10\\\\.0"'


def test_each_catalog_slo_is_one_group_of_recordings_then_the_alerts_reading_them(
    slo_stack: Stack,
) -> None:
    groups = slo_rule_groups(slo_stack, tagged)
    slos = [(s.name, slo.name) for s in slo_stack.services for slo in s.slos]
    assert [g["name"] for g in groups] == [f"slo-{service}-{name}" for service, name in slos]
    rules = groups[0]["rules"]
    sli_records = [*(f"slo:sli_error:ratio_rate{w}" for w in alert_windows())]
    sli_records += ["slo:sli_error:rate5m", "slo:sli_total:rate5m", "slo:sli_error:ratio_rate30d"]
    sli, meta, alerts = rules[: len(sli_records)], rules[len(sli_records) : -4], rules[-4:]
    assert [r.get("record") for r in sli] == sli_records
    assert [r.get("alert") for r in alerts] == [
        f"SLOShopAvailability{suffix}"
        for suffix in (
            "ErrorBudgetFastBurn",
            "ErrorBudgetSlowBurn",
            "ErrorBudgetHalfSpent",
            "SLISourceAbsent",
        )
    ]
    assert all(r.get("annotations") == {"finalized": "yes"} for r in alerts)
    assert [(r.get("record"), r["expr"]) for r in meta] == [
        ("slo:objective:ratio", "vector(0.999)"),
        ("slo:error_budget:ratio", "vector(0.001)"),
        ("slo:time_period:days", "vector(30)"),
        (
            "slo:current_burn_rate:ratio",
            'slo:sli_error:ratio_rate5m{slo_service="shop", slo_name="availability"} / 0.001',
        ),
        (
            "slo:period_burn_rate:ratio",
            'slo:sli_error:ratio_rate30d{slo_service="shop", slo_name="availability"} / 0.001',
        ),
        (
            "slo:period_error_budget_remaining:ratio",
            '1 - slo:period_burn_rate:ratio{slo_service="shop", slo_name="availability"}',
        ),
    ]
    assert all(
        r.get("labels")
        == {
            "service": "shop",
            "slo_name": "availability",
            "slo_service": "shop",
            "team": "core",
        }
        for r in sli + meta
    )
    assert sli[0]["expr"] == (
        "(\n"
        '  (sum (rate(http_requests_total{service="shop",code=~"5.."}[5m])))\n'
        "  /\n"
        '  (sum (rate(http_requests_total{service="shop"}[5m])))\n'
        ") >= 0\n"
        "or on() vector(0)\n"
    )


def test_each_slo_has_page_ticket_budget_and_absent_alerts(slo_stack: Stack) -> None:
    alerts = slo_alerts(slo_stack)
    gateway = [a for a in alerts if a.service == SERVICE and a.labels["slo_name"] == "availability"]
    assert [(a.name, a.priority.value, a.for_, a.labels) for a in gateway] == [
        (
            f"SLOShopAvailability{suffix}",
            priority,
            for_,
            {
                "slo_name": "availability",
                "slo_service": SERVICE,
                "slo_alert": kind,
            },
        )
        for suffix, priority, for_, kind in [
            ("ErrorBudgetFastBurn", "P1", "0s", "page"),
            ("ErrorBudgetSlowBurn", "P2", "0s", "ticket"),
            ("ErrorBudgetHalfSpent", "P2", "15m", "budget"),
            ("SLISourceAbsent", "P2", "15m", "absent"),
        ]
    ]
    assert gateway[3].expr == 'absent(http_requests_total{service="shop"})'
    assert len(alerts) == 4 * sum(len(s.slos) for s in slo_stack.services)
    assert len({a.name for a in alerts}) == len(alerts)
    for alert in alerts:
        assert alert.team and alert.group == f"slo-{alert.service}-{alert.labels['slo_name']}"
        assert (
            alert.symptom and alert.impact and alert.causes and alert.resolution and alert.related
        )
        assert any(alert.labels["slo_service"] in q.query for q in alert.triage)


def test_latency_slo_counts_requests_slower_than_the_threshold_bucket(slo_stack: Stack) -> None:
    level = next(lv for lv in catalog_service_levels(slo_stack) if lv.name == "latency")
    assert isinstance(level.sli, EventsSLI)
    assert level.sli.error_query == (
        'sum (rate(http_request_duration_seconds_count{service="shop"}[{{.window}}]))\n'
        "  -\n"
        '  sum (rate(http_request_duration_seconds_bucket{service="shop",le="0.5"}[{{.window}}]))'
    )
    assert level.source_selector == 'http_request_duration_seconds_bucket{service="shop",le="0.5"}'


def test_a_latency_slo_without_a_bucket_at_its_threshold_is_refused(slo_stack: Stack) -> None:
    service = slo_stack.services[0].model_dump()
    service["slos"] = [
        {"name": "latency", "kind": "latency", "objective": 95, "threshold_seconds": 0.3}
    ]
    with pytest.raises(ValueError, match=r'no histogram bucket le="0.3" in latency_buckets'):
        Service.model_validate(service)


def test_custom_availability_queries_replace_the_http_contract(slo_stack: Stack) -> None:
    service = slo_stack.services[0].model_dump()
    service["slos"] = [
        {
            "name": "checkout",
            "objective": 99.5,
            "error_query": "sum(rate(billing_checkout_failures_total[{{.window}}]))",
            "total_query": "sum(rate(billing_checkout_attempts_total[{{.window}}]))",
        }
    ]
    stack = slo_stack.model_copy(update={"services": [Service.model_validate(service)]})
    sli = slo_rule_groups(stack, tagged)[0]["rules"][1]
    assert sli["expr"] == (
        "(\n"
        "  (sum(rate(billing_checkout_failures_total[30m])))\n"
        "  /\n"
        "  (sum(rate(billing_checkout_attempts_total[30m])))\n"
        ") >= 0\n"
        "or on() vector(0)\n"
    )
    absent = [a for a in slo_alerts(stack) if a.labels["slo_alert"] == "absent"]
    assert absent[0].expr == "absent(sum(rate(billing_checkout_attempts_total[5m])))"


def test_min_events_adds_a_traffic_guard_to_each_window_pair(slo_stack: Stack) -> None:
    level = with_min_events(catalog_service_levels(slo_stack)[0], 100)
    expr = burn_rate_expr(level, Action.PAGE)
    assert (
        'on() (avg_over_time(slo:sli_total:rate5m{slo_service="shop", slo_name="availability"}[1h]) * 3600 >= 100)'
        in expr
    )
    assert "[6h]) * 21600 >= 100)" in expr
    assert "avg_over_time" not in burn_rate_expr(catalog_service_levels(slo_stack)[0], Action.PAGE)


# --- promtool ------------------------------------------------------------------------------


def with_min_events(level: ServiceLevel, min_events: int) -> ServiceLevel:
    return ServiceLevel(**{**level.__dict__, "min_events": min_events})


def tagged(alert: AlertDefinition) -> Rule:
    """A stand-in for the final pass, marking the rules it made."""
    return Rule(alert=alert.name, expr=alert.expr, annotations={"finalized": "yes"})


@pytest.mark.tools
@pytest.mark.parametrize("stack_name", ["dev_stack", "prod_stack"])
def test_rendered_slo_rules_pass_promtool_check(
    stack_name: str, request: pytest.FixtureRequest, promtool: str, tmp_path: Path
) -> None:
    stack = request.getfixturevalue(stack_name)
    path = tmp_path / "slo.yaml"
    path.write_text(rule_file(rule_groups(stack)["slo"]), encoding="utf-8")
    # The runbooks' triage queries must parse too: check them as recording rules.
    triage = tmp_path / "triage.yaml"
    queries = sorted({q.query for alert in slo_alerts(stack) for q in alert.triage})
    triage_rules = [Rule(record=f"triage:query{i}:check", expr=q) for i, q in enumerate(queries)]
    triage.write_text(rule_file([RuleGroup(name="triage", rules=triage_rules)]), encoding="utf-8")
    for checked in (path, triage):
        result = subprocess.run(
            [promtool, "check", "rules", str(checked)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout and "FAILED" not in result.stdout, result.stdout


def gateway_rules(stack: Stack, min_events: int = 0) -> str:
    """Only shop's SLOs, so the suites stay fast and other services' absent alerts quiet."""
    levels = [
        with_min_events(lv, min_events)
        for lv in catalog_service_levels(stack)
        if lv.service == SERVICE
    ]
    groups = [
        slo_rule_group(level, [unannotated(stack, a) for a in service_level_alerts(level)])
        for level in levels
    ]
    return rule_file(groups)


def unannotated(stack: Stack, alert: AlertDefinition) -> Rule:
    """The final pass's rule without annotations, which promtool would compare too."""
    rule = alert_rule(stack, alert)
    del rule["annotations"]
    return rule


def alert_labels(name: str, kind: str, severity: str) -> dict[str, str]:
    labels = {"service": SERVICE, "team": "core", "slo_service": SERVICE, "slo_name": name}
    return {**labels, "slo_alert": kind, "severity": severity, "priority": PRIORITY[kind]}


NAMES = {
    "page": "SLOShopAvailabilityErrorBudgetFastBurn",
    "ticket": "SLOShopAvailabilityErrorBudgetSlowBurn",
    "budget": "SLOShopAvailabilityErrorBudgetHalfSpent",
    "absent": "SLOShopAvailabilitySLISourceAbsent",
}
SEVERITY = {"page": "critical", "ticket": "high", "budget": "high", "absent": "high"}
PRIORITY = {"page": "P1", "ticket": "P2", "budget": "P2", "absent": "P2"}


def checks(
    minute: int, firing: set[str], silent: set[str], name: str = "availability"
) -> list[dict[str, object]]:
    """alert_rule_test entries: these alerts fire (exact labels), those stay silent."""
    names = {
        kind: alert.replace("Availability", name.capitalize()) for kind, alert in NAMES.items()
    }
    tests: list[dict[str, object]] = [
        {
            "eval_time": f"{minute}m",
            "alertname": names[kind],
            "exp_alerts": [{"exp_labels": alert_labels(name, kind, SEVERITY[kind])}],
        }
        for kind in sorted(firing)
    ]
    tests += [
        {"eval_time": f"{minute}m", "alertname": names[kind], "exp_alerts": []}
        for kind in sorted(silent)
    ]
    return tests


def scenario_group(
    scenario: Scenario, alert_tests: list[dict[str, object]], **extra: object
) -> dict[str, object]:
    series = http_series(scenario, "http_requests_total", {"service": SERVICE})
    return {
        "name": scenario.name,
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in series.items()],
        "alert_rule_test": alert_tests,
        **extra,
    }


@pytest.mark.tools
def test_availability_alerts_fire_and_stay_silent_as_the_workbook_says(
    slo_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    outage = Scenario(
        "full outage, then recovery", (Phase(60, RATE, 0), Phase(60, 0, RATE), Phase(120, RATE, 0))
    )
    # After 6h of clean traffic only the 5m/1h pair can page early: its 1h ratio passes 14.4x
    # (1.44%) 8.64 minutes into a 10% error rate; the 6h ratio needs 21.6 minutes for 6x.
    ten_percent = Scenario(
        "10% errors after six clean hours", (Phase(360, RATE, 0), Phase(30, RATE * 0.9, RATE * 0.1))
    )
    # 0.02% errors with a 1% spike for one minute every hour: noisy, but 0.036% on average.
    noisy = Scenario(
        "noisy traffic inside the SLO",
        tuple(
            phase
            for _ in range(6)
            for phase in (
                Phase(59, RATE * 0.9998, RATE * 0.0002),
                Phase(1, RATE * 0.99, RATE * 0.01),
            )
        ),
    )
    zero = Scenario("zero traffic after a clean hour", (Phase(60, RATE, 0), Phase(180, 0, 0)))
    remaining = (
        'slo:period_error_budget_remaining:ratio{slo_service="shop", slo_name="availability"}'
    )
    ratio = 'slo:sli_error:ratio_rate5m{slo_service="shop", slo_name="availability"}'
    tests: list[dict[str, object]] = [
        scenario_group(
            outage,
            [
                *checks(55, firing=set(), silent={"page", "ticket", "budget", "absent"}),
                *checks(90, firing={"page", "ticket", "budget"}, silent={"absent"}),
                *checks(
                    125, firing={"page", "ticket", "budget"}, silent=set()
                ),  # 30m window still hot
                *checks(
                    155, firing={"ticket", "budget"}, silent={"page"}
                ),  # page clears within 30m
            ],
        ),
        scenario_group(
            ten_percent,
            [
                *checks(359, firing=set(), silent={"page", "ticket"}),
                *checks(365, firing={"ticket"}, silent={"page"}),
                *checks(375, firing={"page", "ticket"}, silent={"absent"}),
            ],
        ),
        scenario_group(
            noisy,
            [
                check
                for minute in range(30, 361, 30)
                for check in checks(minute, firing=set(), silent={"page", "ticket", "budget"})
            ],
        ),
        scenario_group(
            zero,
            [
                *checks(230, firing=set(), silent={"page", "ticket", "budget", "absent"}),
            ],
            promql_expr_test=[
                # 0/0 windows record 0 and leave the budget untouched, not NaN.
                {
                    "expr": ratio,
                    "eval_time": "230m",
                    "exp_samples": [
                        {
                            "labels": f"slo:sli_error:ratio_rate5m{labels_text('availability')}",
                            "value": 0,
                        }
                    ],
                },
                {
                    "expr": remaining,
                    "eval_time": "230m",
                    "exp_samples": [
                        {
                            "labels": f"slo:period_error_budget_remaining:ratio{labels_text('availability')}",
                            "value": 1,
                        }
                    ],
                },
            ],
        ),
        {
            "name": "no series for the service",
            "interval": "1m",
            "input_series": [
                {"series": 'http_requests_total{service="other",code="200"}', "values": "0+10x60"}
            ],
            "alert_rule_test": [
                *checks(10, firing=set(), silent={"absent"}),  # `for: 15m`
                *checks(20, firing={"absent"}, silent={"page", "ticket", "budget"}),
            ],
        },
    ]
    run_suite(promtool, tmp_path, gateway_rules(slo_stack), tests)


@pytest.mark.tools
@pytest.mark.parametrize("order", ["file order", "reversed"])
def test_a_full_outage_pages_at_the_first_evaluation_whatever_the_group_order(
    order: str, slo_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    # Prometheus gives each group its own evaluation offset; an alert that read the recordings
    # of another group evaluated after it would see the previous minute and page at 362m.
    rules = gateway_rules(slo_stack)
    groups = file_order(rules)
    outage = Scenario("outage after six clean hours", (Phase(360, RATE, 0), Phase(10, 0, RATE)))
    tests = [
        scenario_group(
            outage,
            [
                *checks(360, firing=set(), silent={"page"}),
                *checks(361, firing={"page"}, silent=set()),
            ],
        )
    ]
    group_order = groups if order == "file order" else groups[::-1]
    run_suite(promtool, tmp_path, rules, tests, group_order=group_order)


def labels_text(name: str) -> str:
    return f'{{service="{SERVICE}", slo_name="{name}", slo_service="{SERVICE}", team="core"}}'


@pytest.mark.tools
def test_a_slow_2x_burn_opens_a_ticket_and_never_pages(
    slo_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    # Half a day clean, then 0.2% errors (2x a 99.9% budget). The 6h/3d pair at 1x trips once
    # the 3d ratio (all data so far) passes 0.1%: after 12h of burn.
    slow = Scenario("slow 2x burn", (Phase(720, RATE, 0), Phase(900, RATE * 0.998, RATE * 0.002)))
    tests = [
        scenario_group(
            slow,
            [
                *checks(1380, firing=set(), silent={"page", "ticket"}),
                *checks(1500, firing={"ticket"}, silent={"page"}),
                *checks(1620, firing={"ticket"}, silent={"page"}),
            ],
        )
    ]
    # Every 10 minutes: promtool's cost grows with evaluations x samples in the 3d window.
    run_suite(promtool, tmp_path, gateway_rules(slo_stack), tests, evaluation_interval=10)


@pytest.mark.tools
def test_min_events_keeps_one_failure_at_night_from_paging(
    slo_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    # One request a minute; at 3 a.m. one of them fails. 5m: 20% errors, 1h: 1.7% > 14.4x 0.1%.
    night = Scenario(
        "one failure on a quiet night", (Phase(120, 1, 0), Phase(1, 0, 1), Phase(30, 1, 0))
    )
    fires = [scenario_group(night, checks(125, firing={"page"}, silent=set()))]
    run_suite(promtool, tmp_path, gateway_rules(slo_stack), fires)
    silent = [
        scenario_group(night, checks(125, firing=set(), silent={"page"})),
        scenario_group(
            Scenario("full outage under real traffic", (Phase(60, RATE, 0), Phase(30, 0, RATE))),
            checks(80, firing={"page", "ticket"}, silent=set()),
        ),
    ]
    guarded = tmp_path / "guarded"
    guarded.mkdir()
    run_suite(promtool, guarded, gateway_rules(slo_stack, min_events=500), silent)


@pytest.mark.tools
def test_latency_slo_pages_when_requests_are_slow(
    slo_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    def histogram(slow_share: float, minutes: int) -> list[dict[str, str]]:
        phases = [Phase(60, RATE, 0), Phase(minutes, RATE * (1 - slow_share), RATE * slow_share)]
        total = [p.good_per_minute + p.bad_per_minute for p in phases]
        fast = [p.good_per_minute for p in phases]
        return [
            {
                "series": f'http_request_duration_seconds_count{{service="{SERVICE}"}}',
                "values": counter_values(phases, total),
            },
            {
                "series": f'http_request_duration_seconds_bucket{{service="{SERVICE}",le="0.5"}}',
                "values": counter_values(phases, fast),
            },
            {
                "series": f'http_requests_total{{service="{SERVICE}",code="200"}}',
                "values": counter_values(phases, total),
            },
        ]

    def group(name: str, slow_share: float, tests: list[dict[str, object]]) -> dict[str, object]:
        return {
            "name": name,
            "interval": "1m",
            "input_series": histogram(slow_share, 60),
            "alert_rule_test": tests,
        }

    tests = [
        # 80% slower than 0.5s against a 95% objective: 16x the budget.
        # 30m/6h at 6x (30%) trips once the 6h ratio (all data so far) passes 30%: 50m in.
        group(
            "most requests slow",
            0.8,
            checks(110, firing={"page", "ticket"}, silent={"absent"}, name="latency"),
        ),
        # 3% slow is inside the 5% budget.
        group(
            "a few requests slow",
            0.03,
            checks(110, firing=set(), silent={"page", "ticket", "absent"}, name="latency"),
        ),
    ]
    run_suite(promtool, tmp_path, gateway_rules(slo_stack), tests)


def test_the_absent_source_runbook_counts_what_is_there(promtool: str, tmp_path: Path) -> None:
    """Its queries read 0 while the source is missing and more once it is back, evaluated by
    promtool; the burn-rate queries would return nothing either way."""
    (level,) = catalog_service_levels(small_stack())
    (absent,) = [a for a in service_level_alerts(level) if a.labels["slo_alert"] == "absent"]
    source, targets, names = (q.query for q in absent.triage)
    assert source == 'count(http_requests_total{service="shop"}) or vector(0)'
    assert targets == 'sum(up{service="shop",job="shop"}) or vector(0)'
    assert names == 'count by (__name__) ({service="shop",__name__=~".+"})'
    (tmp_path / "none.yaml").write_text("groups: []\n", encoding="utf-8")
    requests = 'http_requests_total{service="shop",code="200",route="/"}'
    scrape = 'up{service="shop",job="shop",instance="a"}'
    expects = [
        ("0m", [], 0, 0),
        ("10m", [(requests, "0+60x20"), (scrape, "1x20")], 1, 1),
    ]
    tests = [
        {
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in series],
            "promql_expr_test": [
                {"expr": source, "eval_time": at, "exp_samples": [{"value": seen}]},
                {"expr": targets, "eval_time": at, "exp_samples": [{"value": up}]},
            ],
        }
        for at, series, seen, up in expects
    ]
    suite = {"rule_files": ["none.yaml"], "evaluation_interval": "1m", "tests": tests}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(suite), encoding="utf-8")
    done = subprocess.run(
        [promtool, "test", "rules", "test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
