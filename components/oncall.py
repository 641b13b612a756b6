"""On-call wiring: the PagerDuty plan as resources, and the Secrets Alertmanager reads.

Decisions live in o11y/pagerduty.py (what to create) and o11y/routing.py (how to route); this
component creates them with the explicit providers it is given.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_pagerduty as pagerduty

from components.secrets import opaque_secret
from o11y.bundle import OnCallPlan
from o11y.conventions import SECRET_ALERTMANAGER_CONFIG, SECRET_ALERTMANAGER_KEYS
from o11y.pagerduty import (
    EVENTS_API_V2,
    ROTATING,
    PagerDutyPlan,
    PdEscalationPolicy,
    PdSchedule,
    PdService,
    PdShift,
    resource_name,
)
from o11y.routing import ALERTMANAGER_FILE, DEAD_MANS_SWITCH_SECRET, DEAD_MANS_SWITCH_STAND_IN

CONFIG_KEY = ALERTMANAGER_FILE.rsplit("/", 1)[-1]  # alertmanager.yaml


@dataclass(frozen=True)
class OnCallArgs:
    plan: OnCallPlan
    kubernetes: k8s.Provider
    # None when the stack has no PagerDuty token (dev): the plan is then empty.
    pagerduty: pagerduty.Provider | None
    # Secret name -> value (pagerduty_token, slack_webhook_url, smtp_password ...).
    secrets: Mapping[str, pulumi.Output[str]]
    # Resources the Kubernetes Secrets need first (the namespace).
    depends_on: Sequence[pulumi.Resource] = ()


class OnCall(pulumi.ComponentResource):
    config_secret: k8s.core.v1.Secret
    keys_secret: k8s.core.v1.Secret
    paging: pulumi.Output[str]
    heartbeat: pulumi.Output[str]

    def __init__(
        self, name: str, args: OnCallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:oncall:OnCall", name, None, opts)
        plan = args.plan
        pd_opts = pulumi.ResourceOptions(parent=self, provider=args.pagerduty)
        routing_keys = self._pagerduty(name, plan.pagerduty, pd_opts)

        k8s_opts = pulumi.ResourceOptions(
            parent=self, provider=args.kubernetes, depends_on=list(args.depends_on)
        )
        keys: dict[str, pulumi.Input[str]] = {
            **routing_keys,
            **{key: args.secrets[key] for key in plan.key_secrets},
        }
        # Integration keys are not marked secret by the provider: opaque_secret keeps every
        # value a Pulumi secret, so neither the state nor `pulumi preview` shows them.
        self.keys_secret = opaque_secret(
            f"{name}-keys", SECRET_ALERTMANAGER_KEYS, plan.namespace, keys, k8s_opts
        )
        # Keys are file paths into the keys Secret; the dead man's switch URL is written in
        # (Alertmanager 0.25 has no webhook `url_file`) and keeps the config a Pulumi secret.
        heartbeat_url = args.secrets.get(DEAD_MANS_SWITCH_SECRET)
        config = (
            heartbeat_url.apply(plan.alertmanager_yaml)
            if heartbeat_url is not None
            else pulumi.Output.from_input(plan.alertmanager_yaml(DEAD_MANS_SWITCH_STAND_IN))
        )
        self.config_secret = opaque_secret(
            f"{name}-config",
            SECRET_ALERTMANAGER_CONFIG,
            plan.namespace,
            {CONFIG_KEY: config},
            k8s_opts,
        )
        self.paging = pulumi.Output.from_input(plan.paging)
        self.heartbeat = pulumi.Output.from_input(plan.heartbeat)
        self.register_outputs(
            {
                "config_secret": self.config_secret.metadata.name,
                "keys_secret": self.keys_secret.metadata.name,
                "paging": self.paging,
                "heartbeat": self.heartbeat,
            }
        )

    def _pagerduty(
        self, name: str, plan: PagerDutyPlan, opts: pulumi.ResourceOptions
    ) -> dict[str, pulumi.Output[str]]:
        """Create the plan's resources; returns the routing key of each PagerDuty service."""
        users = {
            u.key: pagerduty.User(
                resource_name(name, "user", u.key),
                name=u.name,
                email=u.email,
                role=u.role,
                opts=opts,
            )
            for u in plan.users
        }
        teams = {
            t.key: pagerduty.Team(
                resource_name(name, "team", t.key),
                name=t.name,
                description=t.description,
                opts=opts,
            )
            for t in plan.teams
        }
        memberships: dict[str, list[pagerduty.TeamMembership]] = {}
        for m in plan.memberships:
            memberships.setdefault(m.user, []).append(
                pagerduty.TeamMembership(
                    resource_name(name, "member", m.key),
                    team_id=teams[m.team].id,
                    user_id=users[m.user].id,
                    role=m.role,
                    opts=opts,
                )
            )
        schedules = {
            s.key: _schedule(
                resource_name(name, "schedule", s.key),
                s,
                users,
                teams,
                # A schedule's users must already be team members: it waits for theirs only.
                pulumi.ResourceOptions.merge(
                    opts,
                    pulumi.ResourceOptions(
                        depends_on=[
                            membership
                            for user in _schedule_users(s)
                            for membership in memberships.get(user, ())
                        ]
                    ),
                ),
            )
            for s in plan.schedules
        }
        policies = {
            p.key: _escalation_policy(
                resource_name(name, "policy", p.key), p, schedules, users, teams, opts
            )
            for p in plan.escalation_policies
        }
        return {
            s.routing_key_name: _service(resource_name(name, "service", s.key), s, policies, opts)
            for s in plan.services
        }


def _schedule(
    pulumi_name: str,
    schedule: PdSchedule,
    users: Mapping[str, pagerduty.User],
    teams: Mapping[str, pagerduty.Team],
    opts: pulumi.ResourceOptions,
) -> pagerduty.Schedulev2:
    # Schedulev2 (the shift-based v3 API) replaces the deprecated Schedule. A Pulumi alias cannot
    # carry a resource across types, so stacks made with Schedule get new schedules (README).
    return pagerduty.Schedulev2(
        pulumi_name,
        name=schedule.name,
        time_zone=schedule.time_zone,
        teams=None if schedule.team is None else [teams[schedule.team].id],
        rotations=[
            pagerduty.Schedulev2RotationArgs(
                events=[_event(shift, users) for shift in schedule.shifts]
            )
        ],
        opts=opts,
    )


def _schedule_users(schedule: PdSchedule) -> list[str]:
    """The schedule's users, each once, in the order its shifts name them."""
    return list(dict.fromkeys(user for shift in schedule.shifts for user in shift.users))


def _event(
    shift: PdShift, users: Mapping[str, pagerduty.User]
) -> pagerduty.Schedulev2RotationEventArgs:
    return pagerduty.Schedulev2RotationEventArgs(
        name=shift.name,
        start_time=shift.start,
        end_time=shift.end,
        effective_since=shift.effective_since,
        recurrences=[shift.recurrence],
        assignment_strategies=[
            pagerduty.Schedulev2RotationEventAssignmentStrategyArgs(
                type=ROTATING,
                shifts_per_member=shift.shifts_per_member,
                members=[
                    pagerduty.Schedulev2RotationEventAssignmentStrategyMemberArgs(
                        type="user_member", user_id=users[key].id
                    )
                    for key in shift.users
                ],
            )
        ],
    )


def _escalation_policy(
    pulumi_name: str,
    policy: PdEscalationPolicy,
    schedules: Mapping[str, pagerduty.Schedulev2],
    users: Mapping[str, pagerduty.User],
    teams: Mapping[str, pagerduty.Team],
    opts: pulumi.ResourceOptions,
) -> pagerduty.EscalationPolicy:
    return pagerduty.EscalationPolicy(
        pulumi_name,
        name=policy.name,
        num_loops=policy.loops,
        teams=None if policy.team is None else teams[policy.team].id,
        rules=[
            pagerduty.EscalationPolicyRuleArgs(
                escalation_delay_in_minutes=rule.delay_minutes,
                targets=[
                    pagerduty.EscalationPolicyRuleTargetArgs(
                        type=target.kind,
                        id=(
                            schedules[target.ref].id
                            if target.kind == "schedule_reference"
                            else users[target.ref].id
                        ),
                    )
                    for target in rule.targets
                ],
            )
            for rule in policy.rules
        ],
        opts=opts,
    )


def _service(
    pulumi_name: str,
    service: PdService,
    policies: Mapping[str, pagerduty.EscalationPolicy],
    opts: pulumi.ResourceOptions,
) -> pulumi.Output[str]:
    pd_service = pagerduty.Service(
        pulumi_name,
        name=service.name,
        description=service.description,
        escalation_policy=policies[service.escalation_policy].id,
        auto_resolve_timeout=service.auto_resolve_timeout,
        acknowledgement_timeout=service.acknowledgement_timeout,
        incident_urgency_rule=pagerduty.ServiceIncidentUrgencyRuleArgs(
            type="constant", urgency=service.urgency
        ),
        opts=opts,
    )
    # Alert grouping as its own resource: the Service's alert_grouping* fields are deprecated.
    if service.alert_grouping is not None:
        pagerduty.AlertGroupingSetting(
            f"{pulumi_name}-grouping",
            name=f"{service.name} grouping",
            type=service.alert_grouping,
            services=[pd_service.id],
            config=pagerduty.AlertGroupingSettingConfigArgs(
                timeout=service.alert_grouping_timeout_seconds
            ),
            opts=opts,
        )
    integration = pagerduty.ServiceIntegration(
        f"{pulumi_name}-events",
        name="Alertmanager (Events API v2)",
        service=pd_service.id,
        type=EVENTS_API_V2,
        # The provider does not mark the routing key secret; without this the state holds it
        # in plain text.
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["integration_key"])
        ),
    )
    return pulumi.Output.secret(integration.integration_key.apply(_routing_key))


def _routing_key(key: str | None) -> str:
    """An integration without a key would leave Alertmanager an empty key file: pages lost."""
    if not key:
        raise ValueError("PagerDuty returned an Events API v2 integration without a key")
    return key
