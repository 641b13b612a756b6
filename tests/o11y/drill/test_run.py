"""Reading back what the sink got, and judging routes by the severity model."""

from o11y.drill.run import Fired, Notification, notification, routed_as_the_severity_model_says
from o11y.drill.sinks import EMAIL_PATH, PAGERDUTY_PATH, SLACK_PATH, Delivery
from o11y.drill.world import drill_stack
from o11y.model.stack import Stack
from o11y.pagerduty import pagerduty_services
from tests.o11y.drill.stacks import small_stack


def test_a_pagerduty_event_names_the_service_its_key_belongs_to(dev_stack: Stack) -> None:
    stack = drill_stack(small_stack(dev_stack))
    shop = next(s for s in pagerduty_services(stack) if s.value == "shop")
    body: dict[str, object] = {
        "routing_key": f"drill-{shop.routing_key_name}",
        "event_action": "trigger",
        "payload": {"class": "ServiceDown", "source": "shop", "severity": "critical"},
    }
    assert notification(stack, Delivery(PAGERDUTY_PATH, body, 0.0)) == Notification(
        "ServiceDown", "shop", f"PagerDuty '{shop.name}' trigger (critical)"
    )


def test_a_slack_message_names_its_alert_service_and_channel(dev_stack: Stack) -> None:
    body: dict[str, object] = {
        "channel": "#alerts-platform",
        "attachments": [
            {
                "title": "[FIRING] ServiceDown",
                "text": "[critical] ServiceDown service=shop: Shop is down. https://runbooks/x\n",
            }
        ],
    }
    assert notification(small_stack(dev_stack), Delivery(SLACK_PATH, body, 0.0)) == Notification(
        "ServiceDown", "shop", "Slack #alerts-platform"
    )


def test_an_email_and_a_heartbeat(dev_stack: Stack) -> None:
    stack = small_stack(dev_stack)
    email: dict[str, object] = {"to": ["platform@example.com"], "subject": "NodeCPUHigh"}
    assert notification(stack, Delivery(EMAIL_PATH, email, 0.0)) == Notification(
        "NodeCPUHigh", "", "e-mail platform@example.com"
    )
    assert notification(stack, Delivery("/heartbeat", {}, 0.0)) is None


def test_a_page_must_reach_pagerduty_and_slack_and_a_ticket_slack_only(dev_stack: Stack) -> None:
    stack = small_stack(dev_stack)
    page = Fired("ServiceDown", 1.0, {"severity": "critical"})
    ticket = Fired("ServiceErrorRateHigh", 1.0, {"severity": "high"})
    slack = [Notification(a, "shop", "Slack #alerts-platform") for a in (page.alert, ticket.alert)]
    paged = Notification(page.alert, "shop", "PagerDuty 'Shop' trigger (critical)")
    assert routed_as_the_severity_model_says(stack, [page, ticket], [*slack, paged]) == []
    assert routed_as_the_severity_model_says(stack, [page], slack) == [
        "ServiceDown is a page but reached ['Slack #alerts-platform']"
    ]
    wrongly_paged = Notification(ticket.alert, "shop", "PagerDuty 'Shop' trigger (warning)")
    assert routed_as_the_severity_model_says(stack, [ticket], [*slack, wrongly_paged]) == [
        "ServiceErrorRateHigh is a ticket but reached "
        "['Slack #alerts-platform', \"PagerDuty 'Shop' trigger (warning)\"]"
    ]
