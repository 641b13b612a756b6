"""Sentry settings: an organization slug Sentry accepts, and thresholds that can fire."""

import pytest
from pydantic import ValidationError

from o11y.model.errortracking import Sentry


def test_sentry_defaults_to_sentry_io_and_python_projects() -> None:
    sentry = Sentry.model_validate({"organization": "example"})
    assert (sentry.api_url, sentry.platform) == ("https://sentry.io/api/", "python")
    assert (sentry.spike_events_per_hour, sentry.errors_per_hour) == (100, 500)


@pytest.mark.parametrize("organization", ["Example", "-example", "my org", ""])
def test_an_organization_that_is_not_a_slug_is_refused(organization: str) -> None:
    with pytest.raises(ValidationError, match="organization"):
        Sentry.model_validate({"organization": organization})


@pytest.mark.parametrize("field", ["spike_events_per_hour", "errors_per_hour"])
def test_a_threshold_of_zero_events_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Sentry.model_validate({"organization": "example", field: 0})
