"""Alertmanager configuration as data: the routing tree, receivers, inhibitions and time intervals.

The tree, from most to least specific:

    Watchdog (severity none)    -> dead man's switch (webhook), repeated every heartbeat
    other severity none         -> null (e.g. kube-prometheus-stack's InfoInhibitor)
    page (critical), continue   -> the owning PagerDuty service (by `service`, then `team`)
    team="<team>"               -> critical/high: team Slack channel; warning/info: team e-mail,
                                   business hours only
    anything else               -> the catch-all Slack channel

The page route sets `continue: true` on purpose: a page reaches PagerDuty AND the team's
Slack channel. No secret appears here: PagerDuty routing keys, the Slack webhook and the SMTP
password are files Alertmanager reads from the keys Secret
(`alertmanagerSpec.secrets` mounts it at /etc/alertmanager/secrets/<secret>/<key>).

Every field used is accepted by amtool 0.25 (Debian; tests/o11y/test_routing.py) and documented
in Alertmanager's current configuration reference (0.28+, the chart's): `routing_key_file`,
`api_url_file`, `auth_password_file`, `time_intervals` + `active_time_intervals`, `matchers`,
`source_matchers`/`target_matchers`. Avoided on purpose: webhook `url_file` (amtool 0.25 rejects
it). The dead man's switch URL is a secret all the same: the configuration is itself a Kubernetes
Secret, and the program writes the URL into it from the stack secret `dead_mans_switch_url`
(`alertmanager_yaml(stack, url)` inside an Output, so it stays a Pulumi secret). Everywhere else
(rendered files, plan, tests) the configuration holds DEAD_MANS_SWITCH_STAND_IN instead.

Inhibitions: by severity (a page mutes lower severities of the same service and SLO) and by
cause, from the alert catalog's `o11y.rules.INHIBITIONS` (a down service mutes its symptoms).

Size: one PagerDuty receiver per PagerDuty service, each with the same message templates. The
file spells those settings once, as a YAML anchor (`&pagerduty`) that every receiver merges
(`<<: *pagerduty`) next to its own routing key file, so the configuration Secret stays small
at a thousand services (README, "Object sizes"). Alertmanager (Go yaml) and every YAML reader
expand the merge to the same configuration as `alertmanager_config`.
"""

from collections.abc import Mapping

import yaml

from o11y.conventions import (
    SECRET_ALERTMANAGER_KEYS,
    SERVICE_LABEL,
    SEVERITY_LABEL,
    TEAM_LABEL,
    WATCHDOG_ALERT,
)
from o11y.model.oncall import NotificationTiming
from o11y.model.stack import TEAM_SLACK_WEBHOOK_PREFIX, Stack
from o11y.once import once_per_stack
from o11y.pagerduty import PdService, pagerduty_services, paging_enabled
from o11y.rules import HEARTBEAT_SEVERITY, INHIBITIONS
from o11y.severity import PAGERDUTY_SEVERITY, Action
from o11y.slo import SLO_NAME_LABEL

Json = str | int | float | bool | None | list["Json"] | dict[str, "Json"]
JsonObject = dict[str, Json]

ALERTMANAGER_FILE = "alertmanager/alertmanager.yaml"
# Where the prometheus-operator mounts `alertmanagerSpec.secrets`.
SECRETS_DIR = f"/etc/alertmanager/secrets/{SECRET_ALERTMANAGER_KEYS}"
SLACK_WEBHOOK_KEY = "slack_webhook_url"
SMTP_PASSWORD_KEY = "smtp_password"

# kube-prometheus-stack's default rules use `info` below `warning`; it is mailed like a notify.
SEVERITY_INFO = "info"
BUSINESS_HOURS = "business-hours"
# Alerts are grouped per alert and per owner; one group is one PagerDuty incident.
GROUP_BY = ["alertname", SERVICE_LABEL, SLO_NAME_LABEL]

# Receiver names.
DEFAULT = "default"
NULL = "null"
DEAD_MANS_SWITCH = "dead-mans-switch"
NO_PAGING = "no-paging"
# Stack secret holding the dead man's switch URL, and what stands in for it outside the
# program: a valid URL (amtool checks it) under a reserved domain that never resolves.
DEAD_MANS_SWITCH_SECRET = "dead_mans_switch_url"
DEAD_MANS_SWITCH_STAND_IN = "https://dead-mans-switch.invalid/secrets.dead_mans_switch_url"


def alertmanager_files(stack: Stack) -> dict[str, str]:
    """The rendered Alertmanager configuration (no secrets: file paths and the stand-in URL)."""
    return {ALERTMANAGER_FILE: rendered_alertmanager_yaml(stack)}


@once_per_stack
def rendered_alertmanager_yaml(stack: Stack) -> str:
    """The configuration as the rendered file and the redacted Secret show it (the stand-in
    URL): written once for both."""
    return alertmanager_yaml(stack)


def alertmanager_yaml(stack: Stack, dead_mans_switch_url: str = DEAD_MANS_SWITCH_STAND_IN) -> str:
    """The configuration file: `alertmanager_config`, with the PagerDuty settings every receiver
    shares written once and merged into each; `dead_mans_switch_url` is the secret's value only
    inside the program (see the module docstring)."""
    config = alertmanager_config(stack, dead_mans_switch_url)
    receivers = config["receivers"]
    assert isinstance(receivers, list), "receivers are a list"
    document: dict[str, object] = dict(config)
    shared = _shared_pagerduty_settings(receivers)
    if shared is not None:
        document["receivers"] = [_merging(receiver, shared) for receiver in receivers]
    return yaml.dump(document, Dumper=_AnchoredDumper, sort_keys=False, width=1000)


# The one setting that differs between the PagerDuty receivers' configs.
_OWN_PAGERDUTY_KEY = "routing_key_file"


class _MergeKey:
    """The YAML merge key `<<` (dumped plain, so readers merge instead of reading a string)."""


class _SharedSettings(dict[str, Json]):
    """Settings written once under the anchor `&pagerduty`, then referred to as `*pagerduty`."""


class _AnchoredDumper(yaml.SafeDumper):
    def generate_anchor(self, node: yaml.Node) -> str:
        return "pagerduty"

    def ignore_aliases(self, data: object) -> bool:
        return not isinstance(data, _SharedSettings)


def _represent_merge_key(dumper: yaml.SafeDumper, _: _MergeKey) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:merge", "<<")


def _represent_shared(dumper: yaml.SafeDumper, data: _SharedSettings) -> yaml.MappingNode:
    return dumper.represent_dict(data)


_AnchoredDumper.add_representer(_MergeKey, _represent_merge_key)
_AnchoredDumper.add_representer(_SharedSettings, _represent_shared)
_MERGE = _MergeKey()


def _pagerduty_configs(receiver: Json) -> list[Json]:
    if isinstance(receiver, dict) and isinstance(
        configs := receiver.get("pagerduty_configs"), list
    ):
        return configs
    return []


def _shared_pagerduty_settings(receivers: list[Json]) -> _SharedSettings | None:
    """What every PagerDuty config has in common, if they differ only in their routing key file."""
    configs = [c for r in receivers for c in _pagerduty_configs(r) if isinstance(c, dict)]
    rest = [{k: v for k, v in c.items() if k != _OWN_PAGERDUTY_KEY} for c in configs]
    if len(rest) < 2 or any(r != rest[0] for r in rest):
        return None
    return _SharedSettings(rest[0])


def _merging(receiver: Json, shared: _SharedSettings) -> object:
    """A PagerDuty receiver as `{<<: *pagerduty, routing_key_file: ...}`; others unchanged."""
    if not _pagerduty_configs(receiver) or not isinstance(receiver, dict):
        return receiver
    configs: list[dict[object, object]] = [
        {_MERGE: shared, _OWN_PAGERDUTY_KEY: config[_OWN_PAGERDUTY_KEY]}
        for config in _pagerduty_configs(receiver)
        if isinstance(config, dict)
    ]
    return {**receiver, "pagerduty_configs": configs}


def alertmanager_config(
    stack: Stack, dead_mans_switch_url: str = DEAD_MANS_SWITCH_STAND_IN
) -> JsonObject:
    return {
        "route": route_tree(stack),
        "receivers": receivers(stack, dead_mans_switch_url),
        "inhibit_rules": inhibit_rules(stack),
        "time_intervals": [business_hours(stack)],
    }


def secret_file(key: str) -> str:
    """Path of one key of the keys Secret inside the Alertmanager pod."""
    return f"{SECRETS_DIR}/{key}"


def key_secrets(stack: Stack) -> tuple[str, ...]:
    """Stack secrets copied into the keys Secret (PagerDuty keys come from the integrations)."""
    return tuple(
        k
        for k in sorted(stack.secrets)
        if k in (SLACK_WEBHOOK_KEY, SMTP_PASSWORD_KEY) or k.startswith(TEAM_SLACK_WEBHOOK_PREFIX)
    )


def slack_webhook_key(stack: Stack, team: str | None) -> str | None:
    """The secret holding the webhook of a team's channel (its own, else the shared one)."""
    own = f"{TEAM_SLACK_WEBHOOK_PREFIX}{team}"
    if team is not None and own in stack.secrets:
        return own
    return SLACK_WEBHOOK_KEY if SLACK_WEBHOOK_KEY in stack.secrets else None


def misdirected_slack_channels(stack: Stack) -> list[str]:
    """Warnings for a production-profile stack whose Slack notifications would land in another
    team's channel.

    A Slack incoming webhook posts to the one channel it was made for and ignores the `channel`
    it is sent, so one webhook secret serving receivers of different channels delivers all of
    them to one channel. Only the shared `slack_webhook_url` can do that: a team's own secret
    serves that team alone.
    """
    if not stack.production:
        return []
    served: dict[str, dict[str, list[str]]] = {}
    receivers = [(stack.oncall.default_slack_channel, "the catch-all", None)] + [
        (team.slack_channel, f"team {team.name}", team.name) for team in stack.teams
    ]
    for channel, who, team in receivers:
        key = slack_webhook_key(stack, team)
        if key is not None:
            served.setdefault(key, {}).setdefault(channel, []).append(who)
    warnings = []
    for key, channels in sorted(served.items()):
        if len(channels) < 2:
            continue
        listed = ", ".join(
            f"{channel} ({', '.join(whom)})" for channel, whom in sorted(channels.items())
        )
        own = ", ".join(
            f"secrets.{TEAM_SLACK_WEBHOOK_PREFIX}{team.name}"
            for team in stack.teams
            if slack_webhook_key(stack, team.name) == key
        )
        warnings.append(
            f"secrets.{key} serves {len(channels)} Slack channels: {listed}; a Slack incoming "
            f"webhook posts only to the channel it was made for, so all of them land in that "
            f"one. Give each team its own webhook: {own}"
        )
    return warnings


def paging_summary(stack: Stack) -> str:
    """Where pages go, for the stack outputs."""
    if not paging_enabled(stack):
        return (
            f"not paging: no pagerduty_token, pages (severity="
            f"{stack.alerting.severity_labels.page}) go to the non-paging receiver "
            f"'{NO_PAGING}' and the team Slack channels"
        )
    services = pagerduty_services(stack)
    return f"PagerDuty: {len(services)} services ({', '.join(s.key for s in services)})"


def heartbeat_summary(stack: Stack) -> str:
    """Where the Watchdog heartbeat goes, for the stack outputs."""
    if DEAD_MANS_SWITCH_SECRET not in stack.secrets:
        return (
            f"no dead man's switch: set secrets.{DEAD_MANS_SWITCH_SECRET} to be told when "
            "alerting dies"
        )
    return (
        f"Watchdog heartbeat every {stack.oncall.heartbeat_interval} to the dead man's switch "
        f"(secrets.{DEAD_MANS_SWITCH_SECRET})"
    )


def route_tree(stack: Stack) -> JsonObject:
    labels = stack.alerting.severity_labels
    heartbeat = stack.oncall.heartbeat_interval
    pages: JsonObject = {
        "receiver": DEFAULT if paging_enabled(stack) else NO_PAGING,
        "matchers": [_eq(SEVERITY_LABEL, labels.page)],
        "continue": True,
        **_timing(stack.oncall.page),
        "routes": [_page_route(service) for service in pagerduty_services(stack)],
    }
    return {
        "receiver": DEFAULT,
        "group_by": list(GROUP_BY),
        **_timing(stack.oncall.ticket),
        "routes": [
            {
                "receiver": DEAD_MANS_SWITCH,
                "matchers": [_eq("alertname", WATCHDOG_ALERT)],
                # The heartbeat must be re-sent every interval for the switch to stay quiet.
                "group_wait": "0s",
                "group_interval": heartbeat,
                "repeat_interval": heartbeat,
            },
            # Other heartbeats (kube-prometheus-stack's InfoInhibitor) notify nobody.
            {"receiver": NULL, "matchers": [_eq(SEVERITY_LABEL, HEARTBEAT_SEVERITY)]},
            pages,
            *(_team_route(stack, team.name) for team in stack.teams),
        ],
    }


def receivers(stack: Stack, dead_mans_switch_url: str = DEAD_MANS_SWITCH_STAND_IN) -> list[Json]:
    result: list[Json] = [
        _slack_receiver(stack, DEFAULT, stack.oncall.default_slack_channel, None),
        {"name": NULL},
        _dead_mans_switch(stack, dead_mans_switch_url),
    ]
    if not paging_enabled(stack):
        result.append({"name": NO_PAGING})
    result += [_pagerduty_receiver(stack, service) for service in pagerduty_services(stack)]
    for team in stack.teams:
        result.append(_slack_receiver(stack, f"slack-{team.name}", team.slack_channel, team.name))
        result.append(_email_receiver(stack, f"email-{team.name}", team.email))
    return result


def inhibit_rules(stack: Stack) -> list[Json]:
    labels = stack.alerting.severity_labels
    below_page = f"{labels.ticket}|{labels.notify}|{SEVERITY_INFO}"
    below_ticket = f"{labels.notify}|{SEVERITY_INFO}"
    # By severity, only within one SLO: its page mutes its tickets and warnings (one incident,
    # not three). Between other alerts only a declared cause mutes its symptoms (below): a
    # security page must not hide an unrelated error-rate ticket of the same service, and the
    # chart's own alerts (whose `service` is a scrape target's Service) must not mute each other.
    slo = _re(SLO_NAME_LABEL, ".+")
    by_severity: list[Json] = [
        {
            "source_matchers": [_eq(SEVERITY_LABEL, labels.page), slo],
            "target_matchers": [_re(SEVERITY_LABEL, below_page), slo],
            "equal": [SERVICE_LABEL, SLO_NAME_LABEL],
        },
        {
            "source_matchers": [_eq(SEVERITY_LABEL, labels.ticket), slo],
            "target_matchers": [_re(SEVERITY_LABEL, below_ticket), slo],
            "equal": [SERVICE_LABEL, SLO_NAME_LABEL],
        },
    ]
    # Cause mutes symptom, as the alert catalog declares it (a down service mutes its error,
    # latency and probe alerts, whatever their severity).
    by_cause: list[Json] = [
        {
            "source_matchers": [_eq("alertname", rule.source)],
            "target_matchers": [_re("alertname", "|".join(rule.targets))],
            "equal": list(rule.equal),
        }
        for rule in INHIBITIONS
    ]
    return by_severity + by_cause


def business_hours(stack: Stack) -> JsonObject:
    oncall = stack.oncall
    return {
        "name": BUSINESS_HOURS,
        "time_intervals": [
            {
                "weekdays": ["monday:friday"],
                "times": [
                    {
                        "start_time": oncall.business_hours_start,
                        "end_time": oncall.business_hours_end,
                    }
                ],
                "location": oncall.business_hours_time_zone,
            }
        ],
    }


def pagerduty_severity_template(stack: Stack) -> str:
    """Go template mapping our `severity` label to the Events API v2 severity."""
    labels = stack.alerting.severity_labels
    by_label = {
        labels.page: PAGERDUTY_SEVERITY[Action.PAGE],
        labels.ticket: PAGERDUTY_SEVERITY[Action.TICKET],
        labels.notify: PAGERDUTY_SEVERITY[Action.NOTIFY],
    }
    branches = "".join(
        f'{{{{ {"if" if i == 0 else "else if"} eq .CommonLabels.severity "{label}" }}}}{pd}'
        for i, (label, pd) in enumerate(by_label.items())
    )
    return branches + "{{ else }}info{{ end }}"


def _page_route(service: PdService) -> JsonObject:
    return {
        "receiver": _pagerduty_name(service),
        "matchers": [_eq(service.label, service.value)],
    }


def _team_route(stack: Stack, team: str) -> JsonObject:
    labels = stack.alerting.severity_labels
    slack = f"slack-{team}"
    return {
        "receiver": slack,
        "matchers": [_eq(TEAM_LABEL, team)],
        "routes": [
            {
                "receiver": slack,
                "matchers": [_eq(SEVERITY_LABEL, labels.page)],
                **_timing(stack.oncall.page),
            },
            {
                "receiver": slack,
                "matchers": [_eq(SEVERITY_LABEL, labels.ticket)],
                **_timing(stack.oncall.ticket),
            },
            {
                "receiver": f"email-{team}",
                "matchers": [_re(SEVERITY_LABEL, f"{labels.notify}|{SEVERITY_INFO}")],
                **_timing(stack.oncall.notify),
                # Low severity waits for office hours instead of waking anyone.
                "active_time_intervals": [BUSINESS_HOURS],
            },
        ],
    }


def _pagerduty_name(service: PdService) -> str:
    return f"pagerduty-{service.key}"


def _pagerduty_receiver(stack: Stack, service: PdService) -> JsonObject:
    grafana = stack.grafana.url.rstrip("/")
    return {
        "name": _pagerduty_name(service),
        "pagerduty_configs": [
            {
                "routing_key_file": secret_file(service.routing_key_name),
                "send_resolved": True,
                # Events API v2 `payload.summary`.
                "description": (
                    "{{ if .CommonAnnotations.summary }}{{ .CommonAnnotations.summary }}"
                    "{{ else }}{{ .GroupLabels.alertname }}: {{ .Alerts.Firing | len }} firing"
                    "{{ end }}"
                ),
                "severity": pagerduty_severity_template(stack),
                "source": (
                    "{{ if .CommonLabels.service }}{{ .CommonLabels.service }}"
                    "{{ else }}{{ .CommonLabels.team }}{{ end }}"
                ),
                "component": "{{ .CommonLabels.slo_name }}",
                "group": "{{ .CommonLabels.team }}",
                "class": "{{ .GroupLabels.alertname }}",
                "links": [
                    {"href": "{{ .CommonAnnotations.runbook_url }}", "text": "Runbook"},
                    {
                        "href": f"{grafana}/alerting/list?search={{{{ .GroupLabels.alertname }}}}",
                        "text": "Grafana",
                    },
                ],
            }
        ],
    }


def _slack_receiver(stack: Stack, name: str, channel: str, team: str | None) -> JsonObject:
    key = slack_webhook_key(stack, team)
    if key is None:
        return {"name": name}
    return {
        "name": name,
        "slack_configs": [
            {
                "api_url_file": secret_file(key),
                "channel": channel,
                "send_resolved": True,
                "title": "[{{ .Status | toUpper }}] {{ .GroupLabels.alertname }}",
                # One line per alert, so a reader sees which severity and service it is.
                "text": (
                    "{{ range .Alerts }}[{{ .Labels.severity }}] {{ .Labels.alertname }} "
                    "service={{ .Labels.service }}: {{ .Annotations.summary }} "
                    "{{ .Annotations.runbook_url }}\n{{ end }}"
                ),
            }
        ],
    }


def _email_receiver(stack: Stack, name: str, to: str) -> JsonObject:
    oncall = stack.oncall
    config: JsonObject = {
        "to": to,
        "from": oncall.email_from,
        "smarthost": oncall.smtp_smarthost,
        "send_resolved": True,
    }
    if SMTP_PASSWORD_KEY in stack.secrets:
        config["auth_username"] = oncall.smtp_username
        config["auth_password_file"] = secret_file(SMTP_PASSWORD_KEY)
    return {"name": name, "email_configs": [config]}


def _dead_mans_switch(stack: Stack, url: str) -> JsonObject:
    if DEAD_MANS_SWITCH_SECRET not in stack.secrets:
        return {"name": DEAD_MANS_SWITCH}
    return {
        "name": DEAD_MANS_SWITCH,
        "webhook_configs": [{"url": url, "send_resolved": False}],
    }


def _timing(timing: NotificationTiming) -> Mapping[str, Json]:
    return {
        "group_wait": timing.group_wait,
        "group_interval": timing.group_interval,
        "repeat_interval": timing.repeat_interval,
    }


def _eq(label: str, value: str) -> str:
    return f'{label}="{value}"'


def _re(label: str, pattern: str) -> str:
    return f'{label}=~"{pattern}"'
