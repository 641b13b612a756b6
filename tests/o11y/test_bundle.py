"""The bundle: every slice is what the generators render, computed once per stack; whether
a stack pages and tracks errors decides which providers and slices it has."""

from o11y.bundle import bundle
from o11y.dashboards import dashboards
from o11y.manifests import prometheus_rules
from o11y.model.stack import Stack
from o11y.monitors import custom_resources
from o11y.pagerduty import pagerduty_plan
from o11y.routing import DEAD_MANS_SWITCH_STAND_IN, alertmanager_yaml
from tests.small_stacks import small_stack


def _with_secrets(stack: Stack, *names: str) -> Stack:
    return stack.model_copy(update={"secrets": frozenset(names)})


def test_each_slice_is_the_rendered_objects_built_once() -> None:
    stack = small_stack("prod")
    built = bundle(stack)
    assert bundle(stack) is built
    assert built.rules is prometheus_rules(stack)
    assert built.monitors is custom_resources(stack)
    assert built.dashboards is dashboards(stack)
    assert built.oncall.pagerduty is pagerduty_plan(stack)
    assert built.oncall.alertmanager_yaml(DEAD_MANS_SWITCH_STAND_IN) == alertmanager_yaml(stack)
    # A changed stack is another stack: nothing is shared with the first.
    other = stack.model_copy(update={"environment": "staging"})
    assert bundle(other) is not built


def test_where_the_providers_point() -> None:
    connections = bundle(small_stack("prod")).connections
    assert connections.kubernetes_context == "test"
    assert connections.namespace == "obs"
    assert connections.grafana_url == "https://grafana.o11y.example.org"


def test_only_a_stack_with_a_pagerduty_token_has_a_pagerduty_region() -> None:
    prod = small_stack("prod")
    assert bundle(_with_secrets(prod)).connections.pagerduty_region is None
    assert bundle(_with_secrets(prod, "pagerduty_token")).connections.pagerduty_region == "us"


def test_error_tracking_needs_sentry_settings_and_its_token() -> None:
    with_sentry = small_stack("prod", {"sentry": {"organization": "acme"}})
    assert bundle(_with_secrets(with_sentry)).errortracking is None
    tracked = bundle(_with_secrets(with_sentry, "sentry_token")).errortracking
    assert tracked is not None
    assert tracked.environment == "prod"
    assert [slug for slug, _ in tracked.teams] == ["core"]
    assert not bundle(_with_secrets(small_stack("prod"), "sentry_token")).errortracking
