"""Cost attribution and cardinality audit.

Attribution: traffic, request time and every currency-valued service metric of the catalog
(e.g. `llm_cost_usd_total`) split by each of the stack's `cost_labels` (plan, feature, tenant).
Audit: where the series are (top metrics and jobs), head series over time, and the unbounded
labels that must never reach a metric, which should all read 0.
"""

from o11y.conventions import (
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    ROUTE_LABEL,
    SERVICE_LABEL,
    service_selector,
)
from o11y.dashboards.panels import (
    PanelBuilder,
    ceiling,
    piechart,
    prometheus,
    stat,
    table,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.stack import Stack
from o11y.promql import RANGE, legend, selector, sum_increase

# Labels that identify one user or one record: unbounded, so they belong in logs and traces,
# never on a metric. Scrape relabelling drops them; these stats prove it.
UNBOUNDED_LABELS = ("user_id", "event_id", "trace_id", "session_id")
# How many rows the top-N audit tables show.
TOP = 20


def attribution_panels(stack: Stack, label: str) -> tuple[PanelBuilder, ...]:
    """Requests, request time and each currency metric over the range, split by one cost label."""
    present = f'{label}!=""'
    by_label = (label,)
    panels = [
        piechart(
            f"Requests by {label}",
            [
                prometheus(
                    sum_increase(selector(METRIC_HTTP_REQUESTS, present), RANGE, by_label),
                    legend(by_label),
                    instant=True,
                )
            ],
        ).span(8),
        piechart(
            f"Request time by {label}",
            [
                prometheus(
                    sum_increase(selector(f"{METRIC_HTTP_DURATION}_sum", present), RANGE, by_label),
                    legend(by_label),
                    instant=True,
                )
            ],
            "s",
            description="Seconds spent serving requests: a proxy for compute cost.",
        ).span(8),
    ]
    for service in stack.services:
        for metric in service.metrics:
            if not metric.unit.startswith("currency"):
                continue
            spent = selector(metric.name, service_selector(service.name), present)
            panels.append(
                piechart(
                    f"{metric.title} by {label}",
                    [
                        prometheus(
                            sum_increase(spent, RANGE, by_label),
                            legend(by_label),
                            instant=True,
                        )
                    ],
                    metric.unit,
                ).span(8)
            )
    return tuple(panels)


def expensive_endpoints() -> PanelBuilder:
    request_time = f"{METRIC_HTTP_DURATION}_sum"
    return table(
        "Most expensive endpoints (request time)",
        [
            prometheus(
                f"topk({TOP}, {sum_increase(request_time, RANGE, (SERVICE_LABEL, ROUTE_LABEL))})",
                instant=True,
            )
        ],
        "s",
    ).span(24)


def cardinality_panels() -> tuple[PanelBuilder, ...]:
    """The cardinality audit queries, over every series Prometheus holds."""
    every_series = '{__name__=~".+"}'
    unbounded = tuple(
        stat(
            f"Series with {label}",
            [prometheus(f'count({{{label}!=""}}) or vector(0)', label)],
            steps=ceiling(1),
            description=f"Must be 0: `{label}` is unbounded and is dropped at scrape.",
        ).span(6)
        for label in UNBOUNDED_LABELS
    )
    return (
        *unbounded,
        table(
            f"Top {TOP} metrics by series",
            [prometheus(f"topk({TOP}, count by (__name__) ({every_series}))", instant=True)],
        ),
        table(
            f"Top {TOP} jobs by series",
            [prometheus(f"topk({TOP}, count by (job) ({every_series}))", instant=True)],
        ),
        timeseries(
            "Head series",
            [prometheus("sum(prometheus_tsdb_head_series)", "head series")],
        ).span(12),
        table(
            f"Top {TOP} targets by samples per scrape",
            [
                prometheus(
                    f"topk({TOP}, sum by (job, instance) (scrape_samples_post_metric_relabeling))",
                    instant=True,
                )
            ],
        ),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    return [
        DashboardSpec(
            key="cost",
            title="Cost attribution and cardinality",
            description="Who uses what, by cost label, and where the series are.",
            rows=(
                *(
                    Row(f"By {label}", attribution_panels(stack, label))
                    for label in stack.cost_labels
                ),
                Row("Endpoints", (expensive_endpoints(),)),
                Row("Cardinality audit", cardinality_panels()),
            ),
            time_from="now-7d",
        )
    ]
