"""Error tracking with Sentry: the organization and the thresholds of the alert rules.

Optional per stack; nothing is created without `secrets.sentry_token` (o11y/errortracking.py).
"""

from pydantic import BaseModel, Field

from o11y.model.types import STRICT, Url


class Sentry(BaseModel):
    model_config = STRICT
    # The organization slug every team and project is created in.
    organization: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    # Sentry's API (`https://sentry.example.com/api/` for a self-hosted Sentry).
    api_url: Url = "https://sentry.io/api/"
    # The SDK platform of the projects (Sentry shows matching setup docs).
    platform: str = "python"
    # Issue alert: one issue seen more than this many times in an hour (an error spike).
    spike_events_per_hour: int = Field(default=100, ge=1)
    # Metric alert: more than this many error events in a project in an hour.
    errors_per_hour: int = Field(default=500, ge=1)
