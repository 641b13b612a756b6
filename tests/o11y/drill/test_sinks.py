"""The sink records what Alertmanager's PagerDuty, Slack and e-mail clients send."""

import json
import smtplib
import urllib.request
from email.message import EmailMessage

from o11y.drill.sinks import EMAIL_PATH, PAGERDUTY_PATH, receiver_sink, smtp_sink


def test_pagerduty_events_are_accepted_as_the_events_api_does() -> None:
    with receiver_sink() as (port, received):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{PAGERDUTY_PATH}",
            data=json.dumps({"event_action": "trigger", "dedup_key": "k1"}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 202
            assert json.loads(response.read())["dedup_key"] == "k1"
        assert received.at(PAGERDUTY_PATH) == [{"event_action": "trigger", "dedup_key": "k1"}]


def test_an_email_is_recorded_with_its_recipients_and_subject() -> None:
    with receiver_sink() as (_, received), smtp_sink(received) as port:
        message = EmailMessage()
        message["From"] = "alertmanager@example.com"
        message["To"] = "oncall@example.com"
        message["Subject"] = "[FIRING:1] NodeCPUHigh"
        message.set_content("body\n.\nwith a dot line")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.send_message(message)
        assert received.at(EMAIL_PATH) == [
            {"to": ["oncall@example.com"], "subject": "[FIRING:1] NodeCPUHigh"}
        ]
