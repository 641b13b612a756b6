"""Sloth `prometheus/v1` specs: parsing, and alerting conformance with Sloth's own output.

For each example of tests/fixtures/sloth (Sloth's examples and the rules Sloth generated for
them, see SOURCES.txt there) the same traffic is replayed against Sloth's rules and ours with
promtool: our page and ticket alerts must fire at exactly the minutes Sloth's fire, with the
spec's alert labels.
"""

import math
import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.config import ConfigError
from o11y.model.slo import Period
from o11y.sloth import read_specs, rule_file_from_specs
from tests.o11y.slo_replay import (
    Phase,
    Scenario,
    count_query,
    expect,
    http_series,
    observe,
)
from tests.trees import as_dict, as_list, dicts, dig

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sloth"

# Sloth ran base-28d with --default-slo-period 28d, everything else with the default 30d.
PERIODS: dict[str, Period] = {"base-28d": "28d"}

RATE = 1000  # requests per minute


def http_scenarios() -> list[tuple[Scenario, int]]:
    """(scenario, minutes between rule evaluations; every evaluation is compared)."""
    return [
        (
            Scenario(
                "full outage then recovery",
                (
                    Phase(60, RATE, 0),
                    Phase(60, 0, RATE),
                    Phase(240, RATE, 0),
                ),
            ),
            5,
        ),
        (Scenario("10% errors", (Phase(30, RATE, 0), Phase(180, RATE * 0.9, RATE * 0.1))), 5),
        # 1% (10x a 99.9% budget) only trips the 30m/6h page pair, after 216 minutes. 355, not
        # 360 clean minutes: with 360 the 3d ratio meets 1x exactly at a compared minute.
        (
            Scenario(
                "1% errors after about six clean hours",
                (Phase(355, RATE, 0), Phase(305, RATE * 0.99, RATE * 0.01)),
            ),
            5,
        ),
        # 2.3x, not 2x: at 2x the 3d ratio meets 1x the budget exactly at 2d, where Sloth's
        # float budget (1 - 0.999 = 0.000999999...) and our exact 0.001 legitimately differ.
        (
            Scenario(
                "slow 2.3x burn after a clean day",
                (Phase(1440, RATE, 0), Phase(1440, RATE * 0.9977, RATE * 0.0023)),
            ),
            30,
        ),
        (Scenario("noisy traffic inside the SLO", (Phase(720, RATE * 0.9995, RATE * 0.0005),)), 30),
        (
            Scenario(
                "zero traffic between busy hours",
                (
                    Phase(60, RATE, 0),
                    Phase(120, 0, 0),
                    Phase(60, RATE * 0.9, RATE * 0.1),
                ),
            ),
            5,
        ),
    ]


def gauge_values(levels: list[tuple[int, float]]) -> str:
    parts = [
        f"{value}+0x{minutes - (0 if i == 0 else 1)}" for i, (minutes, value) in enumerate(levels)
    ]
    return " ".join(parts)


def wifi_scenarios() -> list[tuple[str, dict[str, str], list[int]]]:
    """Ten wifi clients, some losing signal (Sloth's home-wifi examples read these gauges)."""

    def clients(
        name: str, bad: int, levels: list[tuple[int, float]]
    ) -> tuple[str, dict[str, str], list[int]]:
        good = gauge_values([(minutes, 0.95) for minutes, _ in levels])
        series = {
            f'unifipoller_client_satisfaction_ratio{{client="c{i}"}}': (
                gauge_values(levels) if i < bad else good
            )
            for i in range(10)
        }
        return name, series, list(range(0, sum(m for m, _ in levels) + 1, 5))

    return [
        clients("four clients degraded", 4, [(60, 0.95), (120, 0.4), (180, 0.95)]),
        clients("all clients collapse", 10, [(60, 0.95), (60, 0.1), (120, 0.95)]),
    ]


def examples() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def sloth_rules(name: str) -> str:
    directory = FIXTURES / name
    generated = next(directory.glob("generated.y*"))
    return generated.read_text(encoding="utf-8").replace("{{ .version }}", "dev")


def spec_document(name: str) -> dict[str, object]:  # parsed YAML
    loaded = as_dict(yaml.safe_load((FIXTURES / name / "spec.yml").read_text(encoding="utf-8")))
    return as_dict(loaded["spec"]) if loaded.get("kind") == "PrometheusServiceLevel" else loaded


def alert_queries(name: str, severity_label: str) -> list[str]:
    """One `count(ALERTS{...}) or vector(0)` per enabled page/ticket alert of the spec, matching
    the alert name and every label the spec puts on it."""
    spec = spec_document(name)
    queries = []
    for slo in dicts(spec["slos"]):
        alerting = as_dict(slo.get("alerting", {}))
        for action, key in (("page", "page_alert"), ("ticket", "ticket_alert")):
            alert = as_dict(
                alerting.get(key)
                or alerting.get("pageAlert" if action == "page" else "ticketAlert")
                or {}
            )
            if alert.get("disable"):
                continue
            matchers = {
                "alertname": alerting["name"],
                **as_dict(alerting.get("labels", {})),
                **as_dict(alert.get("labels", {})),
                severity_label: action,
            }
            queries.append(count_query({k: str(v) for k, v in matchers.items()}))
    return queries


def scenario_inputs(name: str) -> list[tuple[str, dict[str, str], list[int]]]:
    if "wifi" in name:
        return wifi_scenarios()
    job = "myapp" if name == "no-alerts" else "myservice"
    return [
        (
            s.name,
            http_series(s, "http_request_duration_seconds_count", {"job": job}),
            list(range(0, s.minutes + 1, step)),
        )
        for s, step in http_scenarios()
    ]


@pytest.mark.tools
@pytest.mark.parametrize("name", examples())
def test_our_rules_for_sloth_examples_pass_promtool_check(
    name: str, promtool: str, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        rule_file_from_specs([FIXTURES / name / "spec.yml"], period=PERIODS.get(name, "30d")),
        encoding="utf-8",
    )
    result = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.tools
@pytest.mark.parametrize("name", examples())
def test_page_and_ticket_alerts_fire_when_sloths_fire(
    name: str, promtool: str, tmp_path: Path
) -> None:
    ours = rule_file_from_specs([FIXTURES / name / "spec.yml"], period=PERIODS.get(name, "30d"))
    theirs = sloth_rules(name)
    sloth_queries = alert_queries(name, "sloth_severity")
    our_queries = alert_queries(name, "slo_alert")
    every_alert = count_query({})
    fired: dict[str, int] = {}
    for index, (_, series, minutes) in enumerate(scenario_inputs(name)):
        work = tmp_path / f"s{index}"
        (work / "sloth").mkdir(parents=True)
        (work / "ours").mkdir()
        step = minutes[1] - minutes[0]
        seen = observe(
            promtool, work / "sloth", theirs, series, [*sloth_queries, every_alert], minutes, step
        )
        expected = {
            (ours_q, minute): seen[(sloth_q, minute)]
            for sloth_q, ours_q in zip(sloth_queries, our_queries, strict=True)
            for minute in minutes
        }
        # No other alert of ours fires either (Sloth's file has only these alerts).
        expected |= {(every_alert, m): seen[(every_alert, m)] for m in minutes}
        expect(promtool, work / "ours", ours, series, expected, step)
        for query in sloth_queries:
            fired[query] = fired.get(query, 0) + sum(seen[(query, m)] > 0 for m in minutes)
    # The comparison means something: every alert Sloth defines fires in some scenario.
    assert all(fired[q] > 0 for q in sloth_queries), fired


@pytest.mark.tools
@pytest.mark.parametrize("name", ["getting-started", "no-alerts", "raw-home-wifi"])
def test_error_ratio_records_equal_sloths_where_there_is_traffic(
    name: str, promtool: str, tmp_path: Path
) -> None:
    ours = rule_file_from_specs([FIXTURES / name / "spec.yml"])
    service = spec_document(name)["service"]
    windows = ["5m", "1h", "1d"]
    scenario_name, series, minutes = scenario_inputs(name)[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sloth = observe(
        promtool,
        tmp_path / "a",
        sloth_rules(name),
        series,
        [
            f'sum(slo:sli_error:ratio_rate{w}{{sloth_service="{service}"}}) or vector(-1)'
            for w in windows
        ],
        minutes,
    )
    mine = observe(
        promtool,
        tmp_path / "b",
        ours,
        series,
        [
            f'sum(slo:sli_error:ratio_rate{w}{{slo_service="{service}"}}) or vector(-1)'
            for w in windows
        ],
        minutes,
    )
    compared = 0
    for (query, minute), value in sloth.items():
        if math.isnan(value) or value < 0:
            continue  # no traffic yet (Sloth: nothing or NaN; ours: 0)
        window = query.split("ratio_rate")[1].split("{")[0]
        ours_value = mine[
            (
                f'sum(slo:sli_error:ratio_rate{window}{{slo_service="{service}"}}) or vector(-1)',
                minute,
            )
        ]
        assert ours_value == pytest.approx(value, rel=1e-4, abs=1e-9), (
            scenario_name,
            query,
            minute,
        )
        compared += 1
    assert compared > len(minutes)


def test_crd_and_plain_spec_give_the_same_rules() -> None:
    plain = rule_file_from_specs([FIXTURES / "getting-started" / "spec.yml"])
    crd = rule_file_from_specs([FIXTURES / "k8s-getting-started" / "spec.yml"])
    assert plain == crd


def test_period_scales_the_burn_factors_as_sloth_does() -> None:
    thirty = rule_file_from_specs([FIXTURES / "base-30d" / "spec.yml"])
    twenty_eight = rule_file_from_specs([FIXTURES / "base-28d" / "spec.yml"], period="28d")
    for factor in ("(14.4 * 0.001)", "(6 * 0.001)", "(3 * 0.001)", "(1 * 0.001)"):
        assert factor in thirty
    for factor in (
        "(13.44 * 0.001)",
        "(5.6 * 0.001)",
        "(2.8 * 0.001)",
        "(0.933333333333333 * 0.001)",
    ):
        assert factor in twenty_eight
    assert "slo:sli_error:ratio_rate28d" in twenty_eight


def test_page_and_ticket_alerts_carry_their_own_labels_and_the_spec_labels() -> None:
    groups = yaml.safe_load(rule_file_from_specs([FIXTURES / "getting-started" / "spec.yml"]))[
        "groups"
    ]
    alerts = [r for g in groups for r in g["rules"] if "alert" in r]
    assert [(a["alert"], a["labels"]) for a in alerts] == [
        (
            "MyServiceHighErrorRate",
            {
                "category": "availability",
                "owner": "myteam",
                "repo": "myorg/myservice",
                "routing_key": "myteam",
                "severity": "pageteam",
                "slo_alert": "page",
                "slo_name": "requests-availability",
                "slo_service": "myservice",
                "tier": "2",
            },
        ),
        (
            "MyServiceHighErrorRate",
            {
                "category": "availability",
                "owner": "myteam",
                "repo": "myorg/myservice",
                "severity": "slack",
                "slack_channel": "#alerts-myteam",
                "slo_alert": "ticket",
                "slo_name": "requests-availability",
                "slo_service": "myservice",
                "tier": "2",
            },
        ),
    ]
    assert (
        alerts[0]["annotations"]["summary"] == "High error rate on 'myservice' requests responses"
    )
    records = [r for g in groups for r in g["rules"] if "record" in r]
    assert all(r["labels"]["owner"] == "myteam" for r in records)


def test_disabled_alerts_are_not_written() -> None:
    text = rule_file_from_specs([FIXTURES / "no-alerts" / "spec.yml"])
    assert "alert:" not in text
    assert "slo:period_error_budget_remaining:ratio" in text


@pytest.mark.parametrize(
    ("case", "spec", "problem"),
    [
        (
            "an objective of 100% leaves no budget",
            {"slos": [{"objective": 100}]},
            "slos[0].objective: must be < 100",
        ),
        (
            "an SLO needs an SLI",
            {"slos": [{"sli": None}]},
            "slos[0].sli: required",
        ),
        (
            "events and raw together are ambiguous",
            {
                "slos": [
                    {
                        "sli": {
                            "events": {"error_query": "a", "total_query": "b"},
                            "raw": {"error_ratio_query": "c"},
                        }
                    }
                ]
            },
            "slos[0].sli: set exactly one of `events` or `raw` (plugin SLIs are not supported)",
        ),
        (
            "alerts need a name",
            {"slos": [{"alerting": {"name": ""}}]},
            "slos[0]: alerting.name: required unless page and ticket alerts are disabled",
        ),
        ("unknown keys are typos", {"slos": [{"objectiv": 99}]}, "slos[0].objectiv: unknown key"),
        (
            "only prometheus/v1 is read",
            {"version": "openslo/v1"},
            "(top level): version: must be 'prometheus/v1' (got 'openslo/v1')",
        ),
    ],
)
def test_bad_specs_name_the_key_and_the_reason(
    case: str, spec: dict[str, object], problem: str, tmp_path: Path
) -> None:
    base = as_dict(
        yaml.safe_load((FIXTURES / "getting-started" / "spec.yml").read_text(encoding="utf-8"))
    )
    for key, value in spec.items():
        if key == "slos":
            slos = as_list(base["slos"])
            merged = as_dict(slos[0]) | as_dict(dig(value, 0))
            slos[0] = {k: v for k, v in merged.items() if v is not None}
        else:
            base[key] = value
    path = tmp_path / "spec.yml"
    path.write_text(yaml.safe_dump(base), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_specs(path)
    assert f"{path}: {problem}" in error.value.problems, (case, error.value.problems)
