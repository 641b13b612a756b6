"""The Kafka runbooks name the cluster and consumer group, and read the lag, brokers and logs of both."""

from o11y.alerts.areas import KAFKA, KAFKA_CONSUMER_GROUPS
from o11y.alerts.dependencies.kafka import KAFKA_LAG, ConsumerGroup, lag_subjects, subjects
from o11y.alerts.runbooks.dependencies.kafka import LAG_RUNBOOKS, RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector


def test_a_lag_runbook_per_group_names_the_group_and_its_limit(stack: Stack) -> None:
    definitions = KAFKA_CONSUMER_GROUPS(stack)
    assert [d.name for d in definitions] == [*LAG_RUNBOOKS] * 2
    assert [d.summary for d in definitions] == [
        "Kafka consumer group orders lags more than 500 messages.",
        "Kafka consumer group rewards lags more than 500 messages.",
    ]
    for definition, group in zip(definitions, ("orders", "rewards"), strict=True):
        assert definition.description.startswith(f"Consumer group {group} on bus ")
        assert_complete(definition)


def test_lag_queries_select_the_cluster_and_the_group(stack: Stack) -> None:
    for definition in KAFKA_CONSUMER_GROUPS(stack):
        group = definition.labels["consumergroup"]
        lag, produced = queries(definition, "promql")
        assert selectors(lag) == [
            {"dependency": ("=", "bus"), "consumergroup": ("=", group)},
        ]
        assert selectors(produced) == [{"dependency": ("=", "bus")}]


def test_consumer_logs_are_the_users_errors_naming_the_group(stack: Stack) -> None:
    for definition in KAFKA_CONSUMER_GROUPS(stack):
        (logs,) = queries(definition, "logql")
        assert stream_selector(logs) == {
            "service": ("=~", "cart"),
            "level": ("=~", "error|fatal"),
        }
        assert logs.endswith(f'|= "{definition.labels["consumergroup"]}"')


def test_consumer_logs_of_a_cluster_nobody_uses_select_only_the_level(stack: Stack) -> None:
    services = [s.model_copy(update={"uses": []}) for s in stack.services]
    unused = stack.model_copy(update={"services": services})
    group, _ = lag_subjects(unused)[0]
    assert isinstance(group, ConsumerGroup)
    assert group.kafka.users == ()
    runbook = LAG_RUNBOOKS[KAFKA_LAG](group)
    (logs,) = [q.query for q in runbook.triage if q.language == "logql"]
    assert logs == '{level=~"error|fatal"} |= "orders"'


def test_the_broker_runbook_counts_the_configured_brokers(stack: Stack) -> None:
    (brokers,) = KAFKA(stack)
    assert brokers.name in RUNBOOKS
    assert brokers.summary == "Kafka bus has fewer than 3 brokers."
    assert "the 3 configured brokers of bus" in brokers.description
    assert_complete(brokers)
    ((kafka, _),) = subjects(stack)
    assert len(kafka.store.brokers) == 3
    for query in queries(brokers, "promql"):
        assert selectors(query) == [{"dependency": ("=", "bus")}], query
