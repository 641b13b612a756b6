"""Platform profiles: production and development defaults, overridden one section at a time."""

from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from o11y.model.platform import Platform, Profile, platform_with_profile
from tests.small_stacks import PROD
from tests.trees import as_dict

# Prod cannot run without a bucket (Mimir, scalable Loki) nor Grafana's database (two replicas):
# the small prod stack's.
STORAGE = {key: as_dict(PROD["platform"])[key] for key in ("grafana_database", "object_storage")}


def profile(name: Profile, given: Mapping[str, object] | None = None) -> Platform:
    base = STORAGE if name == "production" else {}
    return Platform.model_validate(platform_with_profile(name, {**base, **(given or {})}))


@pytest.mark.parametrize("name", ["development", "production"])
def test_every_profile_is_a_valid_platform_with_resources_for_every_workload(
    name: Profile,
) -> None:
    platform = profile(name)
    assert platform.resources["prometheus"].memory_limit


def test_overriding_one_workloads_resources_keeps_the_others() -> None:
    given = {
        "resources": {
            "prometheus": {"cpu": "2", "memory": "8Gi", "cpu_limit": "4", "memory_limit": "16Gi"}
        }
    }
    platform = profile("production", given)
    assert platform.resources["prometheus"].memory == "8Gi"
    assert platform.resources["loki"].memory == "1Gi"


def test_an_unknown_workload_is_rejected() -> None:
    given = {
        "resources": {
            "prometheus-server": {
                "cpu": "1",
                "memory": "1Gi",
                "cpu_limit": "1",
                "memory_limit": "1Gi",
            }
        }
    }
    with pytest.raises(ValidationError, match="prometheus-server"):
        profile("development", given)


def test_prod_protects_stateful_releases_and_restricts_traffic_dev_does_not() -> None:
    prod = profile("production")
    dev = profile("development")
    assert (prod.protect_stateful, prod.network_policies) == (True, True)
    assert (dev.protect_stateful, dev.network_policies) == (False, False)


@pytest.mark.parametrize(
    ("zones", "problem"),
    [
        (["a", "b", "a"], "each zone is listed once"),
        (["a", "b"], "list none or at least 3"),
        (["a"], "list none or at least 3"),
    ],
    ids=["a zone listed twice", "two zones", "one zone"],
)
def test_zones_are_unique_and_none_or_at_least_three(zones: list[str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        profile("production", {"zones": zones})


@pytest.mark.parametrize("zones", [[], ["a", "b", "c"], ["a", "b", "c", "d"]])
def test_no_zones_or_three_or_more_are_accepted(zones: list[str]) -> None:
    assert profile("production", {"zones": zones}).zones == zones


def test_prod_runs_two_grafanas_on_the_database_dev_one_on_a_volume() -> None:
    prod = profile("production")
    dev = profile("development")
    assert (prod.replicas.grafana, dev.replicas.grafana) == (2, 1)
    assert dev.grafana_database is None
    assert prod.grafana_database is not None
    assert (prod.grafana_database.port, prod.grafana_database.sslmode) == (5432, "require")


def test_profiles_give_dev_and_prod_their_defaults() -> None:
    dev, prod = profile("development"), profile("production")
    assert (dev.replicas.prometheus, prod.replicas.prometheus) == (1, 2)
    assert prod.replicas.alertmanager == 3
    assert (dev.tracing.sampling_percent, prod.tracing.sampling_percent) == (100, 10)
    assert (dev.mimir, prod.mimir) == (False, True)
