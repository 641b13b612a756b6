"""Synthetic user flows: scheduled HTTP checks of what users do, with an SLA per flow.

A flow is a named list of HTTP steps. A step calls a catalog service (in-cluster) or an
absolute URL, checks the status and the JSON fields of the answer, and may capture values for
the steps after it (`${name}` in the URL, path, headers or body). Credentials come from Pulumi
secrets (`secrets.synthetic_<...>`), delivered to the flow as a Kubernetes Secret.

A flow of one step that needs no variable is a blackbox-exporter check; longer flows run as a
CronJob of the project's runner (o11y/synthetic_runner.py).
"""

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from o11y.model.types import STRICT, Duration, Name, Percent

# `${name}` in a step's URL, path, headers or body: a value captured by an earlier step or a
# credential of the flow.
VARIABLE = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
# Pulumi secrets that hold flow credentials are named `synthetic_<word>`.
SECRET_PREFIX = "synthetic_"

VariableName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]
SyntheticSecretName = Annotated[str, StringConstraints(pattern=r"^synthetic_[a-z0-9_]+$")]
# A dotted path into a JSON answer: `data.__schema.types`, `items.0.id`.
JsonPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$")]
HttpStatus = Annotated[int, Field(ge=100, le=599)]


class FlowStep(BaseModel):
    """One HTTP request of a flow and what its answer must look like."""

    model_config = STRICT
    name: Name
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    # Either a catalog service (called in-cluster at `path`) or an absolute `url`.
    service: Name | None = None
    path: str = Field(default="/", pattern=r"^/\S*$")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    expect_status: list[HttpStatus] = Field(default_factory=lambda: [200], min_length=1)
    # Fields the JSON answer must have.
    expect_json: list[JsonPath] = Field(default_factory=list)
    # Variables for later steps: name -> field of the JSON answer.
    capture: dict[VariableName, JsonPath] = Field(default_factory=dict)
    # A clean-up step (delete what the flow created): it runs after a failed step too, when
    # the variables it needs were captured.
    always: bool = False
    timeout_seconds: float = Field(default=10, gt=0, le=60)

    @model_validator(mode="after")
    def _one_target(self) -> "FlowStep":
        if (self.service is None) == (self.url is None):
            raise ValueError("give either `service` (with `path`) or `url`")
        return self

    def variables(self) -> set[str]:
        """The `${name}` variables this step's request uses."""
        texts = [self.path, self.url or "", self.body or "", *self.headers.values()]
        return {m for text in texts for m in VARIABLE.findall(text)}


class FlowSla(BaseModel):
    """What a flow promises over `period` (e.g. 99.5% available, < 1% errors, < 1 s)."""

    model_config = STRICT
    availability_percent: Percent = 99.5
    max_error_percent: Percent = 1.0
    # The 95th percentile of the slowest step of each run stays under this.
    max_response_seconds: float = Field(default=1.0, gt=0)
    period: Duration = "30d"


class SyntheticFlow(BaseModel):
    model_config = STRICT
    name: Name
    title: str
    team: Name
    # How often the flow runs: a divisor of an hour, or whole hours dividing a day.
    every_minutes: int = Field(ge=1, le=1440)
    steps: list[FlowStep] = Field(min_length=1)
    # Variable name -> the Pulumi secret (`secrets.synthetic_...`) that holds its value.
    credentials: dict[VariableName, SyntheticSecretName] = Field(default_factory=dict)
    priority: str = Field(default="P2", pattern=r"^P[0-3]$")
    sla: FlowSla = FlowSla()

    @model_validator(mode="after")
    def _consistent(self) -> "SyntheticFlow":
        problems: list[str] = []
        if not (
            60 % self.every_minutes == 0
            or (self.every_minutes % 60 == 0 and 1440 % self.every_minutes == 0)
        ):
            problems.append(
                f"every_minutes: {self.every_minutes} is not a divisor of 60 or a number of"
                " hours dividing a day; a cron schedule cannot run it evenly"
            )
        names = [s.name for s in self.steps]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"steps: step name '{name}' is used more than once")
        known = set(self.credentials)
        for i, step in enumerate(self.steps):
            for variable in sorted(step.variables() - known):
                problems.append(
                    f"steps[{i}]: ${{{variable}}} is neither captured by an earlier step nor a"
                    " credential"
                )
            clash = sorted(set(step.capture) & set(self.credentials))
            if clash:
                problems.append(f"steps[{i}].capture: {clash[0]} is already a credential")
            known |= set(step.capture)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def runner(self) -> Literal["blackbox", "cronjob"]:
        """One self-contained request is a blackbox probe; anything else runs as a CronJob."""
        (first, *rest) = self.steps
        if rest or self.credentials or first.capture:
            return "cronjob"
        return "blackbox"

    @property
    def secret_names(self) -> frozenset[str]:
        return frozenset(self.credentials.values())
