"""The Grafana readiness check: what it calls, how long it tries, when it runs again."""

from o11y.readiness import READY_WITHIN_SECONDS, grafana_readiness
from tests.small_stacks import small_stack


def test_the_check_calls_the_providers_own_url_with_certificate_verification() -> None:
    check = grafana_readiness(small_stack("prod"))
    assert check.url == "https://grafana.o11y.example.org/api/health"
    assert check.command[0] == "curl"
    assert check.command[-1] == check.url
    assert "--fail" in check.command and "--retry-all-errors" in check.command
    assert not {"-k", "--insecure"} & set(check.command)
    assert check.namespace == "obs"


def test_the_check_gives_up_within_its_deadline() -> None:
    command = grafana_readiness(small_stack("dev")).command
    retry_max_time = int(command[command.index("--retry-max-time") + 1])
    assert 0 < retry_max_time < READY_WITHIN_SECONDS
    assert grafana_readiness(small_stack("dev")).deadline_seconds == READY_WITHIN_SECONDS


def test_a_change_to_grafana_is_checked_again_under_a_new_name() -> None:
    base = grafana_readiness(small_stack("dev"))
    assert grafana_readiness(small_stack("dev")) == base
    bigger = small_stack("dev", {"platform": {"storage": {"grafana": "20Gi"}}})
    moved = small_stack("dev", {"grafana": {"url": "http://grafana.elsewhere.svc"}})
    names = {base.name, grafana_readiness(bigger).name, grafana_readiness(moved).name}
    assert len(names) == 3
    assert all(name.startswith("grafana-ready-") for name in names)


def test_a_failed_check_is_replaced_on_the_next_update() -> None:
    check = grafana_readiness(small_stack("dev"))
    assert check.annotations == {"pulumi.com/replaceUnready": "true"}
