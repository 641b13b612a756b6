"""Small PromQL builders shared by the alert areas; label matchers come from o11y.conventions."""

from collections.abc import Sequence


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


def by(labels: Sequence[str]) -> str:
    return f"by ({', '.join(labels)}) " if labels else ""


def sum_rate(series: str, window: str, labels: Sequence[str]) -> str:
    """Per-second rate of a counter over `window`, summed by `labels`."""
    return f"sum {by(labels)}(rate({series}[{window}]))"


def quantile(q: float, buckets: str, window: str, labels: Sequence[str]) -> str:
    """The `q` quantile of a histogram's `_bucket` series, by `labels`."""
    return f"histogram_quantile({q:g}, sum {by([*labels, 'le'])}(rate({buckets}[{window}])))"


def percent_of(part: str, whole: str) -> str:
    """`part` as a percentage of `whole` (both vectors with the same labels)."""
    return f"{part} / {whole} * 100"
