"""Small stacks for the Helm tests, and their releases by name."""

from collections.abc import Mapping, Sequence

from o11y.helm import HelmRelease, releases
from o11y.model.stack import Stack
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def prod(zones: Sequence[str]) -> Stack:
    """The small prod stack with its nodes in `zones` (none: no zone awareness)."""
    return small_stack("prod", {"platform": {**as_dict(PROD["platform"]), "zones": list(zones)}})


def by_name(
    env: str = "dev", overrides: Mapping[str, object] | None = None
) -> dict[str, HelmRelease]:
    """The releases of a small stack, by name."""
    return {r.name: r for r in releases(small_stack(env, overrides))}
