"""SLO definitions: availability (bad/total events) and latency (slow/total from histogram buckets)."""

from typing import Annotated, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, model_validator

from o11y.model.types import STRICT, LabelName, MetricName, Name, Objective

# SLO periods with burn-rate factors in o11y/slo.py (Workbook 30d, Sloth's 28d, and 7d).
Period = Literal["7d", "28d", "30d"]

# Where the range goes in custom SLI queries, spelled as in Sloth specs.
WINDOW = "{{.window}}"


class AvailabilitySLO(BaseModel):
    """Share of requests that did not fail. Queries default to the service's metric contract."""

    model_config = STRICT
    kind: Literal["availability"] = "availability"
    name: Name
    objective: Objective
    period: Period = "30d"
    description: str = ""
    # PromQL with `{{.window}}` where the range goes, as in Sloth; default: the HTTP contract.
    error_query: str | None = None
    total_query: str | None = None
    # Below this many events in the alert's long window, a burn-rate alert does not fire.
    min_events: int = Field(default=0, ge=0)
    labels: dict[LabelName, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _query_pair(self) -> "AvailabilitySLO":
        queries = {"error_query": self.error_query, "total_query": self.total_query}
        given = [key for key, query in queries.items() if query is not None]
        if len(given) == 1:
            raise ValueError(f"set both error_query and total_query, or neither (only {given[0]})")
        for key in given:
            if WINDOW not in str(queries[key]):
                raise ValueError(
                    f"{key} must contain {WINDOW} where the range goes, e.g. [{WINDOW}]"
                )
        return self


class LatencySLO(BaseModel):
    """Share of requests faster than `threshold_seconds`, read from histogram buckets."""

    model_config = STRICT
    kind: Literal["latency"]
    name: Name
    objective: Objective
    period: Period = "30d"
    description: str = ""
    threshold_seconds: float = Field(gt=0)
    histogram: MetricName = "http_request_duration_seconds"
    min_events: int = Field(default=0, ge=0)
    labels: dict[LabelName, str] = Field(default_factory=dict)


def _slo_kind(value: object) -> str:
    """`kind` may be left out for the common case, an availability SLO."""
    if isinstance(value, dict):
        return str(value.get("kind", "availability"))
    return str(getattr(value, "kind", "availability"))


SLO = Annotated[
    Annotated[AvailabilitySLO, Tag("availability")] | Annotated[LatencySLO, Tag("latency")],
    Discriminator(_slo_kind),
]
