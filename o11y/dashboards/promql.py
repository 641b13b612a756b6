"""The PromQL every dashboard shares: rates, ratios, quantiles and selectors narrowed by more
matchers. Selectors come from o11y/conventions.py; no query pastes one.

Ratios of "bad over all" fill a missing numerator with 0 (`(bad or all * 0) / all`): a service
that never answered 5xx has no 5xx series, and its share is 0, not "No data". With no traffic
at all the denominator is empty too, and the panel says so.
"""

from collections.abc import Sequence

from o11y.conventions import METRIC_HTTP_REQUESTS, SERVER_ERRORS

# Grafana picks a rate window of at least four scrape intervals (the datasource's
# `timeInterval`) for the zoom level.
RATE_WINDOW = "$__rate_interval"
# The whole dashboard time range, for totals over it (pie charts, tables).
RANGE = "$__range"


def with_matchers(selector: str, *matchers: str) -> str:
    """A selector narrowed by more matchers (route, code), still from the one selector source."""
    return ", ".join(m for m in (selector, *matchers) if m)


def selected(metric: str, selector: str) -> str:
    """`metric` (a name or `name{matchers}`) narrowed to `selector`."""
    name, brace, rest = metric.partition("{")
    if not brace:
        return f"{name}{{{selector}}}"
    inner = rest.removesuffix("}").strip()
    return f"{name}{{{with_matchers(selector, inner)}}}"


def by(labels: Sequence[str]) -> str:
    """`sum` or `sum by (a, b) ` (the spacing promtool and the mixins print)."""
    return f"sum by ({', '.join(labels)}) " if labels else "sum"


def sum_rate(
    metric: str, selector: str, labels: Sequence[str] = (), window: str = RATE_WINDOW
) -> str:
    """Per-second rate of a counter, summed (optionally per label)."""
    return f"{by(labels)}(rate({selected(metric, selector)}[{window}]))"


def sum_increase(metric: str, selector: str, labels: Sequence[str] = ()) -> str:
    """How much a counter grew over the dashboard's time range, summed (optionally per label)."""
    return f"{by(labels)}(increase({selected(metric, selector)}[{RANGE}]))"


def share(bad: str, total: str) -> str:
    """`bad / total` for two expressions aggregated the same way; a missing `bad` series counts
    as 0 wherever `total` has a series."""
    return f"({bad} or {total} * 0) / {total}"


def quantile(q: float, histogram: str, selector: str, labels: Sequence[str] = ()) -> str:
    """The q-quantile of a classic histogram (`<histogram>_bucket`), per `labels`."""
    grouping = ", ".join(("le", *labels))
    buckets = f"rate({histogram}_bucket{{{selector}}}[{RATE_WINDOW}])"
    return f"histogram_quantile({q:g}, sum by ({grouping}) ({buckets}))"


def error_ratio(selector: str, labels: Sequence[str] = (), codes: str = SERVER_ERRORS) -> str:
    """The share of requests answered with `codes` (5xx: the SLO's bad events), per `labels`."""
    return share(
        sum_rate(METRIC_HTTP_REQUESTS, with_matchers(selector, codes), labels),
        sum_rate(METRIC_HTTP_REQUESTS, selector, labels),
    )


def legend(labels: Sequence[str]) -> str:
    """A legend that names each series by `labels` (`{{route}} {{method}}`)."""
    return " ".join(f"{{{{{label}}}}}" for label in labels)
