"""The Helm releases of the platform: which charts, which values, in which order.

`releases(stack)` is the whole decision; components/platform.py only turns each entry into a
`helm.v3.Release`. `values_files(stack)` renders the same values for review (`o11y render`).
"""

from dataclasses import dataclass, field

import yaml

from o11y import conventions as names
from o11y.charts import CHARTS, ChartName
from o11y.helm import (
    exporters,
    grafana,
    kube_prometheus_stack,
    loki,
    mimir,
    operator_crds,
    otel,
    strimzi,
    tempo,
    tempo_distributed,
)
from o11y.helm.network_policies import network_policies
from o11y.helm.pods import Values, object_storage_credentials
from o11y.model.stack import SecretName, Stack
from o11y.once import once_per_stack

__all__ = ["HelmRelease", "kubernetes_secrets", "network_policies", "releases", "values_files"]


@dataclass(frozen=True)
class HelmRelease:
    name: str
    chart: ChartName
    version: str
    repository: str
    namespace: str
    values: Values
    # Releases holding data are protected from deletion (prod).
    protect: bool = False
    # Releases that must be ready first (names of other releases in the same list).
    depends_on: tuple[str, ...] = field(default=())
    # Mounts the on-call Secrets (Alertmanager's configuration and keys): only this release
    # waits for them, so a PagerDuty outage holds back Alertmanager and nothing else.
    reads_oncall_secrets: bool = False
    # Adopts objects that exist without this release's ownership (Helm's --take-ownership).
    take_ownership: bool = False
    # Waits for the platform's Kafka (o11y/kafka.py) to be ready: Tempo's ingest path.
    needs_kafka: bool = False


@dataclass(frozen=True)
class _Entry:
    name: str
    chart: ChartName
    values: Values
    protect: bool = False
    depends_on: tuple[str, ...] = ()
    reads_oncall_secrets: bool = False
    take_ownership: bool = False
    needs_kafka: bool = False


@once_per_stack
def releases(stack: Stack) -> list[HelmRelease]:
    """Every release of the stack, each after the releases it depends on."""
    platform = stack.platform
    protect = platform.protect_stateful
    # The prometheus-operator CRDs are a release of their own, first: every chart that renders
    # a ServiceMonitor (grafana, tempo, the collectors) and kube-prometheus-stack itself wait
    # for it, and none of them waits for kube-prometheus-stack.
    crds = (names.RELEASE_OPERATOR_CRDS,)
    entries = [
        # CRDs are cluster-wide and may already exist: installed by kube-prometheus-stack's
        # `crds/` directory on an earlier deploy (never owned by a release), or by hand. The
        # release adopts them instead of failing Helm's ownership check.
        _Entry(
            names.RELEASE_OPERATOR_CRDS,
            "prometheus-operator-crds",
            operator_crds.values(),
            take_ownership=True,
        ),
        _Entry(
            names.RELEASE_PROMETHEUS,
            "kube-prometheus-stack",
            kube_prometheus_stack.values(stack),
            protect,
            crds,
            reads_oncall_secrets=True,
        ),
    ]
    if platform.mimir:
        entries.append(
            _Entry(names.RELEASE_MIMIR, "mimir-distributed", mimir.values(stack), protect, crds)
        )
    entries.append(_Entry(names.RELEASE_LOKI, "loki", loki.values(stack), protect, crds))
    if platform.tempo_mode == "monolithic":
        entries.append(_Entry(names.RELEASE_TEMPO, "tempo", tempo.values(stack), protect, crds))
    else:
        if tempo_distributed.runs_kafka(stack):
            # The operator (and the Kafka CRDs in its chart's crds/) before the Kafka it runs.
            entries.append(
                _Entry(
                    names.RELEASE_STRIMZI,
                    "strimzi-kafka-operator",
                    strimzi.values(stack),
                    depends_on=crds,
                )
            )
        entries.append(
            _Entry(
                names.RELEASE_TEMPO,
                "tempo-distributed",
                tempo_distributed.values(stack),
                protect,
                crds,
                needs_kafka=tempo_distributed.runs_kafka(stack),
            )
        )
    entries.append(_Entry(names.RELEASE_GRAFANA, "grafana", grafana.values(stack), protect, crds))
    collector: ChartName = "opentelemetry-collector"
    if otel.has_load_balancer(stack):
        sampler = otel.sampler_tier_name(stack)
        entries.append(
            _Entry(
                sampler, collector, otel.sampler_values(stack), False, (*crds, names.RELEASE_TEMPO)
            )
        )
        entries.append(
            _Entry(
                names.RELEASE_OTEL_GATEWAY,
                collector,
                otel.gateway_values(stack),
                False,
                (*crds, sampler),
            )
        )
    else:
        entries.append(
            _Entry(
                names.RELEASE_OTEL_GATEWAY,
                collector,
                otel.gateway_values(stack),
                False,
                (*crds, names.RELEASE_TEMPO),
            )
        )
    entries.append(
        _Entry(
            names.RELEASE_OTEL_AGENT,
            collector,
            otel.agent_values(stack),
            False,
            (*crds, names.RELEASE_LOKI),
        )
    )
    entries.append(
        _Entry(
            names.RELEASE_BLACKBOX,
            "prometheus-blackbox-exporter",
            exporters.blackbox_values(stack),
            False,
            crds,
        )
    )
    for dependency in exporters.exported_dependencies(stack):
        entries.append(
            _Entry(
                exporters.exporter_release_name(dependency),
                _EXPORTER_CHARTS[dependency.kind],
                exporters.exporter_values(stack, dependency),
                False,
                crds,
            )
        )
    return [
        HelmRelease(
            name=entry.name,
            chart=entry.chart,
            version=CHARTS[entry.chart].version,
            repository=CHARTS[entry.chart].repository,
            namespace=stack.kubernetes.namespace,
            values=entry.values,
            protect=entry.protect,
            depends_on=entry.depends_on,
            reads_oncall_secrets=entry.reads_oncall_secrets,
            take_ownership=entry.take_ownership,
            needs_kafka=entry.needs_kafka,
        )
        for entry in entries
    ]


_EXPORTER_CHARTS: dict[str, ChartName] = {
    "postgres": "prometheus-postgres-exporter",
    "redis": "prometheus-redis-exporter",
    "kafka": "prometheus-kafka-exporter",
}


def values_files(stack: Stack) -> dict[str, str]:
    """`helm/<release>.values.yaml` -> the values document, keys sorted (deterministic), under
    a header naming the chart (read back by o11y.chartcheck.values_problems)."""
    return {
        f"helm/{release.name}.values.yaml": (
            f"# chart: {release.chart} {release.version} ({release.repository})\n"
            + yaml.safe_dump(release.values, sort_keys=True, width=1000, allow_unicode=True)
        )
        for release in releases(stack)
    }


def kubernetes_secrets(stack: Stack) -> dict[str, dict[str, SecretName]]:
    """Kubernetes Secrets the values refer to: Secret name -> {key: stack secret name}.
    Only secrets the stack has are listed; the values never reference a missing one."""
    wanted: dict[str, dict[str, SecretName]] = {}
    if credentials := object_storage_credentials(stack):
        wanted[names.SECRET_OBJECT_STORAGE] = credentials
    if stack.platform.grafana_database is not None and "grafana_db_password" in stack.secrets:
        wanted[names.SECRET_GRAFANA_DATABASE] = {
            grafana.DATABASE_PASSWORD_KEY: "grafana_db_password"
        }
    if tempo_distributed.needs_sasl_secret(stack) and "kafka_sasl_password" in stack.secrets:
        wanted[names.SECRET_TEMPO_KAFKA] = {tempo_distributed.PASSWORD_KEY: "kafka_sasl_password"}
    for secret, source in exporters.EXPORTER_SECRETS.items():
        if source in stack.secrets and exporters.needs_secret(stack, source):
            wanted[secret] = {exporters.PASSWORD_KEY: source}
    return wanted
