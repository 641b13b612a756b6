"""Sentry in the program under Pulumi mocks: present with a token, absent without."""

from collections import Counter

from o11y.model.stack import Stack, required_secrets
from stacks.offline import Registration
from tests.components.mocks import run_stack
from tests.trees import as_dict, dig


def _sentry(registrations: list[Registration]) -> Counter[str]:
    return Counter(
        r.type for r in registrations if r.type.startswith(("sentry:", "pulumi:providers:sentry"))
    )


def test_with_a_token_prod_gets_teams_projects_rules_and_dsn_secrets(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack, [*required_secrets(prod_stack), "sentry_token"])
    services, teams = len(prod_stack.services), len(prod_stack.teams)
    assert _sentry(registrations) == {
        "pulumi:providers:sentry": 1,
        "sentry:index/sentryTeam:SentryTeam": teams,
        "sentry:index/sentryProject:SentryProject": services,
        "sentry:index/sentryIssueAlert:SentryIssueAlert": 2 * services,
        "sentry:index/sentryMetricAlert:SentryMetricAlert": services,
        "sentry:index/sentryKey:SentryKey": services,
    }
    (provider,) = [r for r in registrations if r.type == "pulumi:providers:sentry"]
    assert "token" in provider.secret_inputs
    component = next(r for r in registrations if r.type == "o11y:errortracking:ErrorTracking")
    secrets = [
        r
        for r in registrations
        if r.parent == component.urn and r.type == "kubernetes:core/v1:Secret"
    ]
    assert sorted(str(dig(s.inputs, "metadata", "namespace")) for s in secrets) == sorted(
        s.namespace for s in prod_stack.services
    )
    for secret in secrets:
        assert secret.secret_inputs == frozenset({"stringData"})
        data = as_dict(dig(secret.inputs, "stringData", "value"))
        # The DSN is the key's output (unknown under mocks): the Secret waits for that key.
        assert data["SENTRY_ENVIRONMENT"] == "prod"
        project = secret.name.removeprefix("o11y-errortracking-").removesuffix("-dsn")
        key = next(r for r in registrations if r.name == f"o11y-errortracking-{project}-key")
        assert key.urn in secret.dependencies
        assert secret.provider.startswith(
            next(r.urn for r in registrations if r.type == "pulumi:providers:kubernetes")
        )


def test_without_a_token_there_is_no_sentry(prod_stack: Stack) -> None:
    assert _sentry(run_stack("prod", prod_stack)) == {}
