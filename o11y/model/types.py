"""Constrained value types, defined once and reused by every model."""

import re
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

# Every model rejects unknown keys and is immutable once validated.
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNIT_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def duration_seconds(value: str) -> int:
    """Seconds in a Prometheus duration such as `5m`, `1h30m` or `30d`."""
    match = _DURATION.fullmatch(value)
    if match is None or not value:
        raise ValueError(f"'{value}' is not a duration such as 30s, 5m, 1h or 7d")
    return sum(int(n) * unit for n, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if n)


def _duration(value: str) -> str:
    if duration_seconds(value) <= 0:
        raise ValueError("must be longer than 0s")
    return value


# A Prometheus/Alertmanager duration (no milliseconds): 30s, 5m, 1h30m, 7d, 1w.
Duration = Annotated[str, AfterValidator(_duration)]

# A TCP port a Kubernetes Service can expose.
Port = Annotated[int, Field(ge=1, le=65535)]

# A Kubernetes object name (RFC 1123 label).
Name = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", max_length=63)
]

# A Pulumi stack name (what `pulumi stack init` accepts), also the stack file's `Pulumi.<name>.yaml`.
STACK_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
StackName = Annotated[str, StringConstraints(pattern=STACK_NAME_PATTERN)]

# A Prometheus label name.
LabelName = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]

# A Prometheus metric name.
MetricName = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]

# An SLO objective in percent, strictly between 0 and 100.
Objective = Annotated[float, Field(gt=0, lt=100)]

# A share in percent, 0 to 100 inclusive (sampling, thresholds).
Percent = Annotated[float, Field(ge=0, le=100)]

# A positive count (replicas, members).
Count = Annotated[int, Field(ge=1)]

# A Kubernetes quantity such as 500m, 2Gi or 50Gi.
Quantity = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$")]

# An e-mail address (shape only).
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

# An https or http URL.
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
