"""Every Helm values document against its pinned chart: key paths and values.schema.json."""

from typing import Literal

import pytest

from o11y.chartcheck import (
    custom_resource_errors,
    schema_errors,
    unknown_keys,
    values_schema,
    without_required,
)
from o11y.charts import CHARTS
from o11y.helm import HelmRelease, releases, values_files
from o11y.helm.grafana import DATABASE_PASSWORD_ENV
from o11y.model.stack import SecretName, Stack
from tests.conftest import load_stack
from tests.trees import as_dict, dig


def variant(
    env: str,
    *,
    provider: Literal["s3", "gcs", "azure"] | None = None,
    storage_class: str | None = None,
    kms_key_id: str = "",
    secrets: tuple[SecretName, ...] = (),
) -> Stack:
    """An example stack with the settings the example files leave at their defaults."""
    stack = load_stack(env)
    platform = stack.platform
    storage = platform.storage.model_copy(update={"storage_class": storage_class})
    update: dict[str, object] = {"storage": storage}
    if platform.object_storage is not None and provider is not None:
        update["object_storage"] = platform.object_storage.model_copy(
            update={"provider": provider, "kms_key_id": kms_key_id}
        )
    return stack.model_copy(
        update={
            "platform": platform.model_copy(update=update),
            "secrets": stack.secrets | frozenset(secrets),
        }
    )


STACKS = {
    "dev": load_stack("dev"),
    "prod": load_stack("prod"),
    "dev-storage-class": variant("dev", storage_class="standard"),
    "prod-s3-kms-keys": variant(
        "prod",
        provider="s3",
        storage_class="gp3",
        kms_key_id="alias/o11y",
        secrets=(
            "object_storage_access_key",
            "object_storage_secret_key",
            "postgres_password",
            "redis_password",
        ),
    ),
    "prod-gcs": variant("prod", provider="gcs"),
    "prod-azure": variant("prod", provider="azure"),
}
CASES = [(env, r) for env, stack in STACKS.items() for r in releases(stack)]
IDS = [f"{env}-{r.name}" for env, r in CASES]


@pytest.mark.parametrize(("env", "release"), CASES, ids=IDS)
def test_every_key_we_set_exists_in_the_charts_values(env: str, release: HelmRelease) -> None:
    assert unknown_keys(release.chart, release.version, release.values) == []


# Only loki and opentelemetry-collector ship a values.schema.json (SOURCES.md).
WITH_SCHEMA = [(env, r) for env, r in CASES if values_schema(r.chart, r.version) is not None]


@pytest.mark.parametrize(
    ("env", "release"), WITH_SCHEMA, ids=[f"{env}-{r.name}" for env, r in WITH_SCHEMA]
)
def test_values_are_valid_against_the_charts_schema(env: str, release: HelmRelease) -> None:
    schema = values_schema(release.chart, release.version)
    assert schema is not None
    assert schema_errors(without_required(schema), release.values) == []


def test_a_misspelled_key_is_reported() -> None:
    release = next(r for r in releases(load_stack("dev")) if r.chart == "kube-prometheus-stack")
    values = {**release.values, "prometheus": {"prometheusSpec": {"retentionSise": "1d"}}}
    assert unknown_keys(release.chart, release.version, values) == [
        "prometheus.prometheusSpec.retentionSise"
    ]


def test_a_value_of_the_wrong_type_fails_the_loki_schema() -> None:
    release = next(r for r in releases(load_stack("dev")) if r.chart == "loki")
    schema = values_schema(release.chart, release.version)
    assert schema is not None
    values = {**release.values, "singleBinary": {"replicas": "two"}}
    assert schema_errors(without_required(schema), values) == [
        "singleBinary.replicas: 'two' is not of type 'integer', 'null'"
    ]


def test_a_misspelled_collector_key_fails_the_collector_schema() -> None:
    release = next(r for r in releases(load_stack("dev")) if r.chart == "opentelemetry-collector")
    schema = values_schema(release.chart, release.version)
    assert schema is not None
    values = {**release.values, "presets": {"logsCollection": {"enabeld": True}}}
    assert schema_errors(without_required(schema), values)


def test_every_pinned_chart_has_fixtures() -> None:
    for chart in CHARTS.values():
        assert unknown_keys(chart.name, chart.version, {}) == []


def test_values_files_are_sorted_yaml_per_release() -> None:
    files = values_files(load_stack("prod"))
    assert "helm/kube-prometheus-stack.values.yaml" in files
    assert files == values_files(load_stack("prod"))
    text = files["helm/grafana.values.yaml"]
    top = [
        line.split(":")[0]
        for line in text.splitlines()
        if line and not line[0].isspace() and not line.startswith("- ")
    ]
    assert top == sorted(top)


def test_no_secret_value_is_in_any_values_file() -> None:
    for text in values_files(load_stack("prod")).values():
        assert "<secret:" not in text
        # Grafana's database password is a reference to its Secret (envValueFrom), by name.
        assert "password:" not in text.lower().replace("passwordkey", "").replace(
            "passwordsecret", ""
        ).replace(f"{DATABASE_PASSWORD_ENV.lower()}:", "")


# kube-prometheus-stack keys that are the chart's own, not fields of the Prometheus CR.
CHART_ONLY = ("storageSpec", "podAntiAffinity")


def test_prometheus_spec_fields_are_valid_fields_of_the_prometheus_crd() -> None:
    release = next(r for r in releases(load_stack("prod")) if r.chart == "kube-prometheus-stack")
    spec = as_dict(dig(release.values, "prometheus", "prometheusSpec"))
    passed = {k: v for k, v in spec.items() if k not in CHART_ONLY and "NilUsesHelmValues" not in k}
    assert "remoteWrite" in passed
    prometheus = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "spec": passed}
    assert custom_resource_errors(prometheus) == []
