"""Which releases each profile deploys, in which order, from which pinned chart, which are
protected, and that every workload has requests and limits."""

from collections.abc import Iterator

import pytest

from o11y import conventions as names
from o11y.helm import HelmRelease, releases
from tests.conftest import dev_releases
from tests.small_stacks import small_stack
from tests.trees import as_dict, dig


def by_name(env: str) -> dict[str, HelmRelease]:
    """Releases by name."""
    return {r.name: r for r in releases(small_stack(env))}


def test_dev_runs_one_gateway_without_mimir_or_a_sampler_tier() -> None:
    assert tuple(by_name("dev")) == dev_releases(small_stack("dev"))


def test_prod_adds_mimir_and_a_sampler_tier_behind_the_gateway() -> None:
    prod = by_name("prod")
    assert "mimir" in prod and "otel-sampler" in prod
    assert prod["otel-gateway"].depends_on == ("prometheus-operator-crds", "otel-sampler")
    assert prod["otel-sampler"].depends_on == ("prometheus-operator-crds", "tempo")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_release_waits_for_the_operator_crds_and_comes_after_its_dependencies(
    env: str,
) -> None:
    seen: set[str] = set()
    for release in releases(small_stack(env)):
        if release.name != names.RELEASE_OPERATOR_CRDS:
            assert names.RELEASE_OPERATOR_CRDS in release.depends_on
        # Nothing waits for kube-prometheus-stack, which waits for the on-call Secrets.
        assert names.RELEASE_PROMETHEUS not in release.depends_on
        assert set(release.depends_on) <= seen
        seen.add(release.name)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_only_kube_prometheus_stack_reads_the_oncall_secrets(env: str) -> None:
    readers = [r.name for r in releases(small_stack(env)) if r.reads_oncall_secrets]
    assert readers == [names.RELEASE_PROMETHEUS]


def test_charts_are_pinned_with_their_repositories() -> None:
    prod = by_name("prod")
    assert (prod["loki"].version, prod["loki"].repository) == (
        "18.11.0",
        "https://grafana-community.github.io/helm-charts",
    )
    assert (prod["mimir"].chart, prod["mimir"].repository) == (
        "mimir-distributed",
        "https://grafana.github.io/helm-charts",
    )
    assert (prod["tempo"].chart, prod["tempo"].version) == ("tempo-distributed", "3.3.0")
    assert (by_name("dev")["tempo"].chart, by_name("dev")["tempo"].version) == ("tempo", "2.2.4")
    assert (prod["strimzi"].chart, prod["strimzi"].version, prod["strimzi"].repository) == (
        "strimzi-kafka-operator",
        "1.2.0",
        "https://strimzi.io/charts/",
    )
    assert {r.namespace for r in prod.values()} == {"obs"}


def test_stateful_releases_are_protected_in_prod_only() -> None:
    protected = {n for n, r in by_name("prod").items() if r.protect}
    assert protected == {"kube-prometheus-stack", "mimir", "loki", "tempo", "grafana"}
    assert not any(r.protect for r in by_name("dev").values())


def test_object_storage_is_encrypted_server_side() -> None:
    prod = by_name("prod")
    sse = {"type": "SSE-S3"}
    assert dig(prod["tempo"].values, "storage", "trace", "s3", "sse") == sse
    assert (
        dig(prod["mimir"].values, "mimir", "structuredConfig", "common", "storage", "s3", "sse")
        == sse
    )
    structured = dig(prod["loki"].values, "loki", "structuredConfig")
    assert dig(structured, "common", "storage", "s3", "sse") == sse


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_workload_has_requests_and_limits(env: str) -> None:
    def resources(values: object, path: str = "") -> Iterator[tuple[str, object]]:
        if isinstance(values, dict):
            for key, value in values.items():
                if key == "resources" and "storage" not in as_dict(
                    as_dict(value).get("requests", {})
                ):
                    yield f"{path}.{key}", value
                else:
                    yield from resources(value, f"{path}.{key}")

    for release in releases(small_stack(env)):
        found = list(resources(release.values))
        # The CRD chart has no workload.
        assert found or release.name == names.RELEASE_OPERATOR_CRDS, release.name
        for path, value in found:
            assert set(as_dict(value)) == {"requests", "limits"}, (release.name, path)
