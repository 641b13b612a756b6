"""Platform profiles: production and development defaults, overridden one section at a time."""

from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from o11y.model.platform import Platform, Profile, platform_with_profile

# Prod cannot run without a bucket (Mimir, scalable Loki); the example's buckets.
STORAGE = {
    "object_storage": {
        "provider": "s3",
        "region": "eu-west-1",
        "buckets": {
            "loki": "l",
            "tempo": "t",
            "mimir": "m",
            "mimir_ruler": "r",
            "mimir_alertmanager": "a",
        },
    }
}


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
