"""Sentry teams, projects, alert rules and DSN Secrets (o11y.errortracking), with the Sentry
provider built from the stack's token."""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumiverse_sentry as sentry

from components.secrets import opaque_secret
from o11y.errortracking import (
    ABOVE,
    DSN_KEY,
    ENVIRONMENT_KEY,
    SECRET_NAME,
    TEAM_ID,
    projects,
    settings,
    team_action,
    teams,
)
from o11y.model.stack import Stack


@dataclass(frozen=True)
class ErrorTrackingArgs:
    stack: Stack
    kubernetes: k8s.Provider
    token: pulumi.Output[str]


class ErrorTracking(pulumi.ComponentResource):
    dsn_secrets: list[k8s.core.v1.Secret]

    def __init__(
        self, name: str, args: ErrorTrackingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:errortracking:ErrorTracking", name, None, opts)
        stack = args.stack
        config = settings(stack)
        provider = sentry.Provider(
            f"{name}-provider",
            token=args.token,
            base_url=config.api_url,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        organization = config.organization
        team_ids: dict[str, pulumi.Output[str]] = {}
        team_slugs: dict[str, pulumi.Output[str]] = {}
        for slug, display in teams(stack):
            team = sentry.SentryTeam(
                f"{name}-team-{slug}",
                organization=organization,
                name=display,
                slug=slug,
                opts=child,
            )
            team_ids[slug] = team.internal_id
            team_slugs[slug] = team.slug
        self.dsn_secrets = []
        for plan in projects(stack):
            team_id = team_ids[plan.team]
            project = sentry.SentryProject(
                f"{name}-project-{plan.slug}",
                organization=organization,
                name=plan.name,
                slug=plan.slug,
                platform=config.platform,
                teams=[team_slugs[plan.team]],
                opts=child,
            )
            for rule in plan.issue_alerts:
                sentry.SentryIssueAlert(
                    f"{name}-{plan.slug}-{rule.key}",
                    organization=organization,
                    project=project.slug,
                    name=rule.name,
                    environment=stack.environment,
                    action_match="any",
                    filter_match="all",
                    frequency=rule.frequency_minutes,
                    conditions=list(rule.conditions),
                    actions=[_with_team(team_action(), team_id)],
                    opts=child,
                )
            for metric in plan.metric_alerts:
                sentry.SentryMetricAlert(
                    f"{name}-{plan.slug}-{metric.key}",
                    organization=organization,
                    project=project.slug,
                    name=metric.name,
                    environment=stack.environment,
                    dataset="events",
                    aggregate=metric.aggregate,
                    query=metric.query,
                    time_window=metric.time_window_minutes,
                    threshold_type=ABOVE,
                    owner=team_id.apply(lambda team: f"team:{team}"),
                    triggers=[
                        sentry.SentryMetricAlertTriggerArgs(
                            label="critical",
                            alert_threshold=metric.threshold,
                            threshold_type=ABOVE,
                            actions=[
                                sentry.SentryMetricAlertTriggerActionArgs(
                                    type="email", target_type="team", target_identifier=team_id
                                )
                            ],
                        )
                    ],
                    opts=child,
                )
            key = sentry.SentryKey(
                f"{name}-{plan.slug}-key",
                organization=organization,
                project=project.slug,
                name=f"{plan.slug}-{stack.environment}",
                opts=child,
            )
            self.dsn_secrets.append(
                opaque_secret(
                    f"{name}-{plan.slug}-dsn",
                    SECRET_NAME,
                    plan.namespace,
                    {DSN_KEY: key.dsn_public, ENVIRONMENT_KEY: stack.environment},
                    pulumi.ResourceOptions(parent=self, provider=args.kubernetes),
                )
            )
        self.register_outputs({"dsn_secrets": [s.metadata.namespace for s in self.dsn_secrets]})


def _with_team(
    action: Mapping[str, str], team_id: pulumi.Output[str]
) -> dict[str, pulumi.Input[str]]:
    return {k: team_id if v == TEAM_ID else v for k, v in action.items()}
