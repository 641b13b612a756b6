"""Generated names: Grafana uids within Grafana's limit, selectors quoted once, and the
in-cluster addresses each chart's naming rule gives."""

import re

import pytest

from o11y import conventions as names


def test_a_short_dashboard_key_is_its_uid() -> None:
    assert names.dashboard_uid("service-shop") == "o11y-service-shop"


def test_long_dashboard_keys_stay_within_grafanas_40_characters_and_apart() -> None:
    first = names.dashboard_uid("service-" + "a" * 40 + "-one")
    second = names.dashboard_uid("service-" + "a" * 40 + "-two")
    assert len(first) == len(second) == 40
    assert first != second
    assert first.startswith("o11y-service-aaa")
    assert names.dashboard_uid("service-" + "a" * 40 + "-one") == first


def test_a_route_is_quoted_and_escaped_once() -> None:
    assert names.route_selector("/api/items") == 'route="/api/items"'
    assert names.route_selector('/say/"hi"') == 'route="/say/\\"hi\\""'


def test_the_logs_of_several_services_are_selected_by_one_sorted_regex() -> None:
    assert names.services_log_stream_selector(["shop"]) == '{service="shop"}'
    assert names.services_log_stream_selector(["shop", "cart"]) == '{service=~"cart|shop"}'


@pytest.mark.parametrize(
    ("job", "selected"),
    [
        ("loki", True),
        ("loki-gateway", True),
        ("obs/loki-canary", True),
        ("lokistack", False),
        ("promtail-loki", False),
    ],
)
def test_a_release_job_selector_selects_every_scrape_job_of_the_release(
    job: str, selected: bool
) -> None:
    # Prometheus anchors a regex matcher at both ends.
    pattern = re.fullmatch(r'job=~"(.*)"', names.release_job_selector("loki"))
    assert pattern is not None
    assert bool(re.fullmatch(pattern.group(1), job)) is selected


def test_zones_are_named_as_the_charts_name_them() -> None:
    assert [names.rollout_zone(i) for i in range(3)] == ["zone-a", "zone-b", "zone-c"]


def test_tempo_answers_at_the_monolith_or_at_the_distributed_components() -> None:
    assert names.tempo_url("obs") == "http://tempo.obs.svc:3200"
    assert names.tempo_url("obs", distributed=True) == "http://tempo-query-frontend.obs.svc:3200"
    assert names.tempo_otlp_endpoint("obs", distributed=True) == "tempo-distributor.obs.svc:4317"
