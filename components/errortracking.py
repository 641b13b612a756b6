"""Sentry teams, projects, alert rules and DSN Secrets (o11y.errortracking), with the Sentry
provider built from the stack's token."""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumiverse_sentry as sentry

from components.secrets import opaque_secret
from o11y.bundle import ErrorTrackingPlan
from o11y.errortracking import ABOVE, DSN_KEY, ENVIRONMENT_KEY, SECRET_NAME, TEAM_ID, team_action


@dataclass(frozen=True)
class ErrorTrackingArgs:
    plan: ErrorTrackingPlan
    kubernetes: k8s.Provider
    token: pulumi.Output[str]


class ErrorTracking(pulumi.ComponentResource):
    dsn_secrets: list[k8s.core.v1.Secret]

    def __init__(
        self, name: str, args: ErrorTrackingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:errortracking:ErrorTracking", name, None, opts)
        config = args.plan.settings
        environment = args.plan.environment
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
        for slug, display in args.plan.teams:
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
        for wanted in args.plan.projects:
            team_id = team_ids[wanted.team]
            project = sentry.SentryProject(
                f"{name}-project-{wanted.slug}",
                organization=organization,
                name=wanted.name,
                slug=wanted.slug,
                platform=config.platform,
                teams=[team_slugs[wanted.team]],
                opts=child,
            )
            for rule in wanted.issue_alerts:
                sentry.SentryIssueAlert(
                    f"{name}-{wanted.slug}-{rule.key}",
                    organization=organization,
                    project=project.slug,
                    name=rule.name,
                    environment=environment,
                    action_match="any",
                    filter_match="all",
                    frequency=rule.frequency_minutes,
                    conditions=list(rule.conditions),
                    actions=[_with_team(team_action(), team_id)],
                    opts=child,
                )
            for metric in wanted.metric_alerts:
                sentry.SentryMetricAlert(
                    f"{name}-{wanted.slug}-{metric.key}",
                    organization=organization,
                    project=project.slug,
                    name=metric.name,
                    environment=environment,
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
                f"{name}-{wanted.slug}-key",
                organization=organization,
                project=project.slug,
                name=f"{wanted.slug}-{environment}",
                opts=child,
            )
            self.dsn_secrets.append(
                opaque_secret(
                    f"{name}-{wanted.slug}-dsn",
                    SECRET_NAME,
                    wanted.namespace,
                    {DSN_KEY: key.dsn_public, ENVIRONMENT_KEY: environment},
                    pulumi.ResourceOptions(parent=self, provider=args.kubernetes),
                )
            )
        self.register_outputs({"dsn_secrets": [s.metadata.namespace for s in self.dsn_secrets]})


def _with_team(
    action: Mapping[str, str], team_id: pulumi.Output[str]
) -> dict[str, pulumi.Input[str]]:
    return {k: team_id if v == TEAM_ID else v for k, v in action.items()}
