"""Sentry in the program under Pulumi mocks: present with a token, absent without."""

from collections import Counter

from cli.mocks import Registration
from components.secrets import encoded
from o11y.model.stack import Stack, required_secrets
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
        # Base64 `data` through components/secrets.py, a Pulumi secret end to end.
        assert secret.secret_inputs == frozenset({"data"})
        data = as_dict(dig(secret.inputs, "data", "value"))
        assert data["SENTRY_ENVIRONMENT"] == encoded("prod")
        project = secret.name.removeprefix("o11y-errortracking-").removesuffix("-dsn")
        key_name = f"o11y-errortracking-{project}-key"
        # The DSN is the key's output (the mocks' stand-in): the Secret waits for that key.
        assert data["SENTRY_DSN"] == encoded(f"https://mock-{key_name}@sentry.invalid/1")
        key = next(r for r in registrations if r.name == key_name)
        assert key.urn in secret.dependencies
        assert secret.provider.startswith(
            next(r.urn for r in registrations if r.type == "pulumi:providers:kubernetes")
        )


def test_without_a_token_there_is_no_sentry(prod_stack: Stack) -> None:
    assert _sentry(run_stack("prod", prod_stack)) == {}
