"""How fast the SLO burn-rate alerts fire and reset, measured with promtool, next to theory.

    .venv/bin/python benchmarks/slo_detection.py

For a 99.9% availability SLO over 30d (rules from o11y/slo.py), three days of clean traffic
(so even the 3d window starts clean, as the Workbook's numbers assume) are followed by a
constant error rate. The detection time is the first minute at which the alert fires, found by
bisection: each candidate minute T is one promtool test file with `evaluation_interval: T`, so
promtool evaluates the rules only at 0 and T (the alerts have `for: 0s`, and every window ratio
is read from raw counters, so firing at T does not depend on earlier evaluations).

Theory (SRE Workbook, "Alerting on SLOs"): a window w with burn factor f over an error budget b
passes its threshold after t = w * f * b / e at error ratio e, if f * b < e (else never). Both
windows of a pair must pass, so a pair fires after its long window's t; an alert fires after
its fastest pair. After an outage longer than the short window, a pair resets once its short
window's ratio falls below f * b: after w * (1 - f * b).
"""

import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from o11y.model.types import duration_seconds  # noqa: E402
from o11y.promrules import Rule, RuleGroup, rule_file  # noqa: E402
from o11y.severity import Action  # noqa: E402
from o11y.slo import (  # noqa: E402
    BURN_RATE_TABLE,
    SLO_ALERT_LABEL,
    EventsSLI,
    ServiceLevel,
    burn_factor,
    burn_rate_expr,
    metadata_recording_group,
    sli_recording_group,
    slo_rule_group,
)
from tests.o11y.slo_replay import (  # noqa: E402
    IMPOSSIBLE,
    Phase,
    Scenario,
    count_query,
    file_order,
    http_series,
    observe,
)

RATE = 1000.0  # requests per minute
CLEAN_MINUTES = 3 * 24 * 60  # a full 3d window of clean traffic before the errors start
ERROR_RATES = (Decimal(1), Decimal("0.1"), Decimal("0.02"), Decimal("0.005"))
HORIZON = 20 * 60  # minutes after onset we look for an alert (0.5% tickets after 14.4h)
OUTAGE_MINUTES = 60

LEVEL = ServiceLevel(
    service="bench",
    name="availability",
    objective_percent=Decimal("99.9"),
    period="30d",
    sli=EventsSLI(
        'sum(rate(http_requests_total{service="bench",code=~"5.."}[{{.window}}]))',
        'sum(rate(http_requests_total{service="bench"}[{{.window}}]))',
    ),
)


def alerts() -> list[Rule]:
    return [
        Rule(
            alert=f"Bench{action.value.capitalize()}",
            expr=burn_rate_expr(LEVEL, action),
            labels={SLO_ALERT_LABEL: action.value},
        )
        for action in (Action.PAGE, Action.TICKET)
    ]


def rules() -> str:
    """The SLO's one group (o11y/slo.py): recordings, then the alerts reading them."""
    return rule_file([slo_rule_group(LEVEL, alerts())])


def split_rules() -> tuple[str, list[str]]:
    """The layout of Sloth (and of this product before): recordings and alerts in separate
    groups; with the order in which the alert group runs first, as a real Prometheus may."""
    sli, meta = sli_recording_group(LEVEL), metadata_recording_group(LEVEL)
    alert_group = RuleGroup(name="bench-alerts", rules=alerts())
    return rule_file([sli, meta, alert_group]), [alert_group["name"], sli["name"], meta["name"]]


def theory_detection(action: Action, error_rate: Decimal) -> Decimal | None:
    """Minutes from onset to firing, or None if it never fires."""
    budget = LEVEL.error_budget
    times = [
        Decimal(duration_seconds(row.long))
        / 60
        * burn_factor(row, LEVEL.period)
        * budget
        / error_rate
        for row in BURN_RATE_TABLE
        if row.action is action and burn_factor(row, LEVEL.period) * budget < error_rate
    ]
    return min(times) if times else None


def theory_reset(action: Action) -> Decimal:
    """Minutes from the end of a full outage to the alert clearing (its slowest pair)."""
    budget = LEVEL.error_budget
    return max(
        Decimal(duration_seconds(row.short)) / 60 * (1 - burn_factor(row, LEVEL.period) * budget)
        for row in BURN_RATE_TABLE
        if row.action is action
    )


_GOT = re.compile(r'expr: "(?:[^"\\]|\\.)*", time: (\S+),\n\s+exp: .*\n\s+got: \{\} (\S+)')


def firing_at(
    workdir: Path, rule_text: str, series: dict[str, str], query: str, minutes: list[int]
) -> dict[int, bool]:
    """Whether `query` counts a firing alert at each minute: one test file per minute, one run."""
    (workdir / "rules.yaml").write_text(rule_text, encoding="utf-8")
    files = []
    for minute in minutes:
        suite = {
            "rule_files": ["rules.yaml"],
            "evaluation_interval": f"{minute}m",
            "group_eval_order": file_order(rule_text),
            "tests": [
                {
                    "interval": "1m",
                    "input_series": [{"series": s, "values": v} for s, v in series.items()],
                    "promql_expr_test": [
                        {
                            "expr": query,
                            "eval_time": f"{minute}m",
                            "exp_samples": [{"labels": "{}", "value": IMPOSSIBLE}],
                        }
                    ],
                }
            ],
        }
        path = workdir / f"t{minute}.yaml"
        path.write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
        files.append(path.name)
    result = subprocess.run(
        ["promtool", "test", "rules", *files],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    got = {
        duration_seconds(t) // 60: float(v) > 0
        for t, v in _GOT.findall(result.stdout + result.stderr)
    }
    if set(got) != set(minutes):
        raise RuntimeError(
            f"promtool did not answer for every minute:\n{result.stdout}{result.stderr}"
        )
    return got


def first_minute(
    workdir: Path,
    rule_text: str,
    series: dict[str, str],
    query: str,
    low: int,
    high: int,
    want: bool,
) -> int | None:
    """The first minute in (low, high] at which firing == want (monotonic), by 16-way bisection."""
    if firing_at(workdir, rule_text, series, query, [high])[high] != want:
        return None
    while high - low > 1:
        step = max(1, (high - low) // 16)
        candidates = list(range(low + step, high, step))
        states = firing_at(workdir, rule_text, series, query, candidates) if candidates else {}
        hit = next((m for m in candidates if states[m] == want), high)
        low, high = hit - step, hit
    return high


def http(phases: tuple[Phase, ...]) -> dict[str, str]:
    return http_series(Scenario("bench", phases), "http_requests_total", {"service": "bench"})


def minutes_text(value: Decimal | int | None) -> str:
    if value is None:
        return "never"
    minutes = float(value)
    return f"{minutes:.1f} min" if minutes < 120 else f"{minutes / 60:.2f} h"


# Page alerts evaluated every minute, the alert group first: clean traffic for the page's
# longest window (6h), then errors or a 20-minute outage.
ORDER_CLEAN = 6 * 60
ORDER_HORIZON = 60
ORDER_OUTAGE = 20
ORDER_RATES = (Decimal(1), Decimal("0.1"), Decimal("0.02"))


def first_page_minute(
    workdir: Path, rule_text: str, order: list[str], series: dict[str, str], start: int, want: bool
) -> int | None:
    """Minutes after `start` until the page fires (want) or clears, evaluating every minute."""
    query = count_query({SLO_ALERT_LABEL: Action.PAGE.value})
    minutes = list(range(start, start + ORDER_HORIZON + 1))
    values = observe("promtool", workdir, rule_text, series, [query], minutes, group_order=order)
    return next((m - start for m in minutes if (values[(query, m)] > 0) == want), None)


def group_order_rows(workdir: Path) -> list[tuple[str, int | None, int | None]]:
    """(scenario, minutes with separate groups, minutes with one group per SLO)."""
    one_group = rules()
    layouts = [split_rules(), (one_group, list(reversed(file_order(one_group))))]
    rows = []
    for rate in ORDER_RATES:
        errors = RATE * float(rate)
        series = http((Phase(ORDER_CLEAN, RATE, 0), Phase(ORDER_HORIZON, RATE - errors, errors)))
        split, ours = (
            first_page_minute(workdir, text, order, series, ORDER_CLEAN, True)
            for text, order in layouts
        )
        rows.append((f"{float(rate) * 100:g}% errors: page fires", split, ours))
    end = ORDER_CLEAN + ORDER_OUTAGE
    series = http(
        (Phase(ORDER_CLEAN, RATE, 0), Phase(ORDER_OUTAGE, 0, RATE), Phase(ORDER_HORIZON, RATE, 0))
    )
    split, ours = (
        first_page_minute(workdir, text, order, series, end, False) for text, order in layouts
    )
    rows.append((f"after a {ORDER_OUTAGE}m full outage: page clears", split, ours))
    return rows


def main() -> None:
    started = time.monotonic()
    rule_text = rules()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for rate in ERROR_RATES:
            errors = RATE * float(rate)
            series = http((Phase(CLEAN_MINUTES, RATE, 0), Phase(HORIZON, RATE - errors, errors)))
            for action in (Action.PAGE, Action.TICKET):
                query = count_query({SLO_ALERT_LABEL: action.value})
                found = first_minute(
                    workdir, rule_text, series, query, CLEAN_MINUTES, CLEAN_MINUTES + HORIZON, True
                )
                measured = None if found is None else found - CLEAN_MINUTES
                rows.append(
                    (
                        f"{float(rate) * 100:g}% errors",
                        action.value,
                        "detection",
                        theory_detection(action, rate),
                        measured,
                    )
                )
        outage_end = CLEAN_MINUTES + OUTAGE_MINUTES
        series = http(
            (Phase(CLEAN_MINUTES, RATE, 0), Phase(OUTAGE_MINUTES, 0, RATE), Phase(HORIZON, RATE, 0))
        )
        for action in (Action.PAGE, Action.TICKET):
            query = count_query({SLO_ALERT_LABEL: action.value})
            found = first_minute(
                workdir, rule_text, series, query, outage_end, outage_end + 8 * 60, False
            )
            measured = None if found is None else found - outage_end
            rows.append(
                (
                    f"after a {OUTAGE_MINUTES}m full outage",
                    action.value,
                    "reset",
                    theory_reset(action),
                    measured,
                )
            )
    print(
        f"99.9% availability SLO over 30d, {RATE:g} requests/min, promtool rule evaluation at 1-minute resolution\n"
    )
    print("| scenario | alert | measure | theory (Workbook) | measured (promtool) |")
    print("|---|---|---|---|---|")
    for scenario, alert, measure, theory, measured in rows:
        print(
            f"| {scenario} | {alert} | {measure} | {minutes_text(theory)} | {minutes_text(measured)} |"
        )
    with tempfile.TemporaryDirectory() as tmp:
        order_rows = group_order_rows(Path(tmp))
    print(
        "\nPage alerts evaluated every minute, the alert group first"
        " (Prometheus runs groups on independent offsets)\n"
    )
    print("| scenario | recordings and alerts in separate groups | one group per SLO |")
    print("|---|---|---|")
    for scenario, split, ours in order_rows:
        print(f"| {scenario} | {minutes_text(split)} | {minutes_text(ours)} |")
    print(f"\n(measured in {time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
