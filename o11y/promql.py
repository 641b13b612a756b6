"""The PromQL every generator writes (alert rules, the SLO engine, dashboards): selectors
narrowed by matchers, sums of rates and increases, ratios, quantiles, absence, legends.
Metric names and label matchers come from o11y/conventions.py; no query pastes one.

Every builder takes a series or selector first, then the window, then the labels to keep.
Dashboards pass Grafana's windows (`RATE_WINDOW`, `RANGE`); rules pass fixed durations.

Ratios of "bad over all" fill a missing numerator with 0 (`(bad or all * 0) / all`): a service
that never answered 5xx has no 5xx series, and its share is 0, not "No data". With no traffic
at all the denominator is empty too, and the panel says so.
"""

from collections.abc import Sequence

from o11y.conventions import SERVER_ERRORS

# Grafana picks a rate window of at least four scrape intervals (the datasource's
# `timeInterval`) for the zoom level.
RATE_WINDOW = "$__rate_interval"
# The whole dashboard time range, for totals over it (pie charts, tables).
RANGE = "$__range"


def selector(metric: str, *matchers: str) -> str:
    """`metric{m1,m2}`; `metric` may already carry matchers (`x_total{result="failed"}`)."""
    if not matchers:
        return metric
    if metric.endswith("}"):
        inner = metric[metric.index("{") + 1 : -1]
        return (
            metric[: metric.index("{")]
            + "{"
            + ",".join([*matchers, inner] if inner else matchers)
            + "}"
        )
    return metric + "{" + ",".join(matchers) + "}"


def buckets(histogram: str, *matchers: str) -> str:
    """The `_bucket` series of a classic histogram, narrowed by `matchers` (for `quantile`)."""
    return selector(f"{histogram}_bucket", *matchers)


def by(labels: Sequence[str]) -> str:
    return f"by ({', '.join(labels)}) " if labels else ""


def sum_of(series: str, labels: Sequence[str] = ()) -> str:
    """A gauge (or any vector) summed, per `labels`."""
    return f"sum {by(labels)}({series})"


def sum_rate(series: str, window: str, labels: Sequence[str] = ()) -> str:
    """Per-second rate of a counter over `window`, summed by `labels`."""
    return f"sum {by(labels)}(rate({series}[{window}]))"


def sum_increase(series: str, window: str, labels: Sequence[str] = ()) -> str:
    """How much a counter grew over `window`, summed by `labels`."""
    return f"sum {by(labels)}(increase({series}[{window}]))"


def quantile(q: float, buckets: str, window: str, labels: Sequence[str]) -> str:
    """The `q` quantile of a histogram's `_bucket` series, by `labels`."""
    return f"histogram_quantile({q:g}, sum {by([*labels, 'le'])}(rate({buckets}[{window}])))"


def percent_of(part: str, whole: str) -> str:
    """`part` as a percentage of `whole` (both vectors with the same labels)."""
    return f"{part} / {whole} * 100"


def share(bad: str, total: str) -> str:
    """`bad / total` for two expressions aggregated the same way; a missing `bad` series counts
    as 0 wherever `total` has a series."""
    return f"({bad} or {total} * 0) / {total}"


def error_ratio(
    requests: str, window: str, labels: Sequence[str] = (), errors: str = SERVER_ERRORS
) -> str:
    """The share of `requests` (a counter's selector) that match `errors` (5xx by default: the
    SLO's bad events), per `labels`."""
    return share(
        sum_rate(selector(requests, errors), window, labels),
        sum_rate(requests, window, labels),
    )


def absent(series: str) -> str:
    """1 while `series` has no sample: the rules would otherwise stay silent."""
    return f"absent({series})"


def legend(labels: Sequence[str]) -> str:
    """A Grafana legend that names each series by `labels` (`{{route}} {{method}}`)."""
    return " ".join(f"{{{{{label}}}}}" for label in labels)
