"""Sloth SLO specs (`prometheus/v1`, and the `PrometheusServiceLevel` CRD) -> our rule file.

Reads the spec format of https://github.com/slok/sloth and renders it with the same engine as
the catalog SLOs (o11y/slo.py): same windows, factors and records, with Sloth's page/ticket
alert semantics (`page_alert.labels` on the page alert, `ticket_alert.labels` on the ticket,
spec `labels` on every rule). The half-budget and absent-source alerts are catalog features and
are not added: a Sloth spec says exactly which alerts it wants. Unlike Sloth's own output,
each SLO's alerts share one group with its recordings (o11y/slo.py, `slo_rule_group`).
"""

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from o11y.config import ConfigError
from o11y.model.slo import Period
from o11y.model.types import LabelName, Objective
from o11y.promrules import Rule, RuleGroup, rule_file
from o11y.severity import Action
from o11y.slo import (
    SLO_ALERT_LABEL,
    EventsSLI,
    RatioSLI,
    ServiceLevel,
    burn_rate_expr,
    slo_rule_group,
)
from o11y.yamlfile import YamlFileError, read_documents

SPEC_VERSION = "prometheus/v1"
CRD_API_VERSION = "sloth.slok.dev/v1"
CRD_KIND = "PrometheusServiceLevel"

# Sloth's own alert annotations, with our label names.
DEFAULT_SUMMARY = (
    "{{$labels.slo_service}} {{$labels.slo_name}} SLO error budget burn rate is over expected."
)
DEFAULT_TITLE = "({action}) {{{{$labels.slo_service}}}} {{{{$labels.slo_name}}}} SLO error budget burn rate is too fast."


class SpecModel(BaseModel):
    """Snake-case keys as in `prometheus/v1`; the CRD's camelCase spelling is accepted too."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class EventsSpec(SpecModel):
    error_query: str = Field(min_length=1)
    total_query: str = Field(min_length=1)


class RawSpec(SpecModel):
    error_ratio_query: str = Field(min_length=1)


class SLISpec(SpecModel):
    events: EventsSpec | None = None
    raw: RawSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "SLISpec":
        if (self.events is None) == (self.raw is None):
            raise ValueError("set exactly one of `events` or `raw` (plugin SLIs are not supported)")
        return self


class AlertSpec(SpecModel):
    disable: bool = False
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[LabelName, str] = Field(default_factory=dict)


class AlertingSpec(SpecModel):
    name: str = Field(default="", pattern=r"^([a-zA-Z_][a-zA-Z0-9_]*)?$")
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[LabelName, str] = Field(default_factory=dict)
    page_alert: AlertSpec = AlertSpec()
    ticket_alert: AlertSpec = AlertSpec()


class SLOSpec(SpecModel):
    name: str = Field(pattern=r"^[a-zA-Z0-9_-]+$")
    objective: Objective
    description: str = ""
    labels: dict[LabelName, str] = Field(default_factory=dict)
    sli: SLISpec
    alerting: AlertingSpec = AlertingSpec()

    @model_validator(mode="after")
    def _named_alerts(self) -> "SLOSpec":
        enabled = not (self.alerting.page_alert.disable and self.alerting.ticket_alert.disable)
        if enabled and not self.alerting.name:
            raise ValueError("alerting.name: required unless page and ticket alerts are disabled")
        return self


class ServiceLevelSpec(SpecModel):
    """A `prometheus/v1` spec, or the `spec` of a PrometheusServiceLevel."""

    version: str = SPEC_VERSION
    service: str = Field(pattern=r"^[a-zA-Z0-9_-]+$")
    labels: dict[LabelName, str] = Field(default_factory=dict)
    slos: list[SLOSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_version(self) -> "ServiceLevelSpec":
        if self.version != SPEC_VERSION:
            raise ValueError(f"version: must be '{SPEC_VERSION}' (got '{self.version}')")
        return self


def service_level(spec: ServiceLevelSpec, slo: SLOSpec, period: Period) -> ServiceLevel:
    sli: EventsSLI | RatioSLI
    if slo.sli.events is not None:
        sli = EventsSLI(slo.sli.events.error_query, slo.sli.events.total_query)
    else:
        assert slo.sli.raw is not None  # guaranteed by SLISpec._one_kind
        sli = RatioSLI(slo.sli.raw.error_ratio_query)
    return ServiceLevel(
        service=spec.service,
        name=slo.name,
        objective_percent=Decimal(str(slo.objective)),
        period=period,
        sli=sli,
        description=slo.description,
        labels={**spec.labels, **slo.labels},
    )


def burn_rate_rule(level: ServiceLevel, slo: SLOSpec, action: Action, alert: AlertSpec) -> Rule:
    """One Sloth page or ticket alert: one name for both, told apart by labels."""
    labels = {
        **level.labels,
        **slo.alerting.labels,
        **alert.labels,
        **level.identity,
        SLO_ALERT_LABEL: action.value,
    }
    annotations = {
        "summary": DEFAULT_SUMMARY,
        "title": DEFAULT_TITLE.format(action=action.value),
        **slo.alerting.annotations,
        **alert.annotations,
    }
    return Rule(
        alert=slo.alerting.name,
        expr=burn_rate_expr(level, action),
        labels=dict(sorted(labels.items())),
        annotations=dict(sorted(annotations.items())),
    )


def spec_rule_groups(spec: ServiceLevelSpec, period: Period) -> list[RuleGroup]:
    groups: list[RuleGroup] = []
    for slo in spec.slos:
        level = service_level(spec, slo, period)
        alerts = [
            burn_rate_rule(level, slo, action, alert)
            for action, alert in (
                (Action.PAGE, slo.alerting.page_alert),
                (Action.TICKET, slo.alerting.ticket_alert),
            )
            if not alert.disable
        ]
        groups.append(slo_rule_group(level, alerts))
    return groups


def read_specs(path: Path) -> list[ServiceLevelSpec]:
    """Every spec in a (multi-document) YAML file; problems as `file: key.path: reason`."""
    try:
        documents = read_documents(path)
    except YamlFileError as error:
        raise ConfigError([str(error)]) from None
    specs: list[ServiceLevelSpec] = []
    problems: list[str] = []
    for index, document in enumerate(d for d in documents if d is not None):
        where = f"{path}" if len(documents) == 1 else f"{path}[{index}]"
        body: object = document
        prefix = ""
        if isinstance(document, dict) and document.get("kind") == CRD_KIND:
            body, prefix = document.get("spec"), "spec."
        if isinstance(document, dict) and "apiVersion" in document and prefix == "":
            problems.append(f"{where}: kind: must be {CRD_KIND} (apiVersion {CRD_API_VERSION})")
            continue
        try:
            specs.append(ServiceLevelSpec.model_validate(body))
        except ValidationError as error:
            problems += [f"{where}: {prefix}{problem}" for problem in spec_problems(error)]
    if problems:
        raise ConfigError(problems)
    return specs


def spec_problems(error: ValidationError) -> list[str]:
    lines = []
    for detail in error.errors(include_url=False):
        path = ""
        for part in detail["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = str(detail["msg"]).removeprefix("Value error, ")
        context: Mapping[str, object] = detail.get("ctx") or {}
        for bound, symbol in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
            if bound in context:
                value = context[bound]
                message = (
                    f"must be {symbol} {value:g}"
                    if isinstance(value, float)
                    else f"must be {symbol} {value}"
                )
        reason = {"extra_forbidden": "unknown key", "missing": "required"}.get(
            detail["type"], message[:1].lower() + message[1:]
        )
        lines.append(f"{path or '(top level)'}: {reason}")
    return sorted(dict.fromkeys(lines))


def rule_file_from_specs(paths: list[Path], *, period: Period = "30d") -> str:
    """A plain Prometheus rule file for Sloth specs; `period` is Sloth's --default-slo-period."""
    groups: list[RuleGroup] = []
    problems: list[str] = []
    for path in paths:
        try:
            specs = read_specs(path)
        except ConfigError as error:
            problems += error.problems
            continue
        for spec in specs:
            groups += spec_rule_groups(spec, period)
    names = [g["name"] for g in groups]
    problems += [
        f"{n}: the same service and SLO name twice"
        for n in sorted(set(names))
        if names.count(n) > 1
    ]
    if problems:
        raise ConfigError(problems)
    return rule_file(groups)
