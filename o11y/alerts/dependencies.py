"""Alerts on the data stores, queues, partner APIs and certificates the catalog services use.

Exporter series carry the catalog dependency's name in `dependency` (o11y.conventions);
metric names are those of postgres_exporter, redis_exporter, kafka_exporter and the blackbox
exporter. Data stores and certificates belong to the platform team (or the endpoint's team);
a partner API's error rate belongs to each service that calls it.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.promql import percent_of, selector, sum_rate
from o11y.alerts.scenario import Case, ProvenAlert, Series, counting, series, steady
from o11y.conventions import (
    DEPENDENCY_LABEL,
    METRIC_PARTNER_REQUESTS,
    METRIC_PROBE_SUCCESS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    PARTNER_LABEL,
    SERVICE_LABEL,
    TLS_ENDPOINT_LABEL,
    dependency_selector,
    log_stream_selector,
    partner_selector,
    service_selector,
    tls_endpoint_selector,
)
from o11y.model.catalog import Kafka, PartnerApi, Postgres, Redis, Service, TlsEndpoint
from o11y.model.stack import Stack
from o11y.severity import Priority

POSTGRES_DOWN = "PostgresDown"
POSTGRES_CONNECTIONS = "PostgresConnectionsNearLimit"
REDIS_DOWN = "RedisDown"
REDIS_REJECTED = "RedisRejectedConnections"
REDIS_CONNECTIONS = "RedisConnectionsNearLimit"
KAFKA_LAG = "KafkaConsumerLagHigh"
KAFKA_BROKERS = "KafkaBrokersMissing"
PARTNER_ERRORS = "PartnerApiErrorRateHigh"
CERT_EXPIRY = "CertificateExpiringSoon"
TLS_PROBE_FAILING = "TlsEndpointProbeFailing"

GROUP = "dependency-{name}"
TLS_GROUP = "tls-endpoints"
WINDOW = "5m"
# Redis has no configurable limit in the catalog; 80% of maxclients matches Postgres' default.
REDIS_MAX_CLIENTS_PERCENT = 80
# Seed 002: certificates expiring within 30 days (P3).
CERT_EXPIRY_DAYS = 30
_DAY = 86400
_PER_MINUTE = 600


def dependency_alerts(stack: Stack) -> list[ProvenAlert]:
    result: list[ProvenAlert] = []
    for dependency in stack.dependencies:
        if isinstance(dependency, Postgres):
            result += [_postgres_down(stack, dependency), _postgres_connections(stack, dependency)]
        elif isinstance(dependency, Redis):
            result += [
                _redis_down(stack, dependency),
                _redis_rejected(stack, dependency),
                _redis_connections(stack, dependency),
            ]
        elif isinstance(dependency, Kafka):
            result += [_kafka_lag(stack, dependency, group) for group in dependency.consumer_groups]
            result.append(_kafka_brokers(stack, dependency))
        else:
            result += [
                _partner_errors(stack, service, dependency)
                for service in stack.services
                if dependency.name in service.uses
            ]
    for endpoint in stack.tls_endpoints:
        result += [_tls_probe(endpoint), _cert_expiry(endpoint)]
    return result


def _users(stack: Stack, name: str) -> str:
    users = [s.name for s in stack.services if name in s.uses]
    return ", ".join(users) if users else "no catalog service"


def _exporter(name: str) -> dict[str, str]:
    return {DEPENDENCY_LABEL: name, "job": f"{name}-exporter", "instance": "10.0.0.9:9187"}


def _dep(name: str) -> dict[str, str]:
    return {DEPENDENCY_LABEL: name}


def _service_logs(stack: Stack, name: str) -> tuple[TriageQuery, ...]:
    users = [s for s in stack.services if name in s.uses]
    return tuple(
        TriageQuery(
            f"Connection errors in the logs of {s.name}",
            f'{log_stream_selector(s.name)} |~ "(?i)(connection|timeout|refused)" | json | level=~"error|fatal"',
            "logql",
        )
        for s in users[:1]
    )


def _postgres_down(stack: Stack, db: Postgres) -> ProvenAlert:
    up = selector("pg_up", dependency_selector(db.name))
    definition = AlertDefinition(
        name=POSTGRES_DOWN,
        group=GROUP.format(name=db.name),
        expr=f"max by ({DEPENDENCY_LABEL}) ({up}) == 0 or absent({up})",
        for_="1m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=_dep(db.name),
        summary=f"PostgreSQL {db.name} is unreachable.",
        description=(
            f"postgres_exporter cannot connect to {db.host}:{db.port}/{db.database} (or is not "
            f"scraped) for 1 minute. Used by: {_users(stack, db.name)}."
        ),
        symptom="Connections to the database fail (pg_up is 0) or its exporter is gone.",
        impact="Every service using the database fails the requests that read or write it.",
        triage=(
            TriageQuery("Exporter connection state", up),
            TriageQuery(
                "Connections per database",
                f"sum by (datname) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})",
            ),
            *_service_logs(stack, db.name),
        ),
        causes=(
            "The database instance is down, failing over or restarting.",
            "Network or DNS failure between the cluster and the database.",
            "The exporter's credentials were rotated (the secret no longer matches).",
        ),
        resolution=(
            "Check the database instance (cloud console / `kubectl -n data get pods`); wait for or trigger the failover.",
            "If only the exporter fails, fix its secret and restart it; the services are not affected.",
        ),
        related=(POSTGRES_CONNECTIONS, "ServiceErrorRateCritical"),
    )
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "the exporter cannot connect",
                (series("pg_up", _exporter(db.name), steady(0, 10)),),
                "5m",
                _dep(db.name),
            ),
            Case("the exporter is not scraped", (), "5m", _dep(db.name)),
        ),
        silent=(
            Case(
                "the database answers", (series("pg_up", _exporter(db.name), steady(1, 10)),), "5m"
            ),
        ),
    )


def _postgres_connections(stack: Stack, db: Postgres) -> ProvenAlert:
    used = f"sum by ({DEPENDENCY_LABEL}) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})"
    limit = f"max by ({DEPENDENCY_LABEL}) (pg_settings_max_connections{{{dependency_selector(db.name)}}})"
    threshold = db.max_connections_percent
    definition = AlertDefinition(
        name=POSTGRES_CONNECTIONS,
        group=GROUP.format(name=db.name),
        expr=f"{percent_of(used, limit)} > {threshold:g}",
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=_dep(db.name),
        summary=f"PostgreSQL {db.name} uses more than {threshold:g}% of max_connections.",
        description=(
            f"Open connections on {db.name} are above {threshold:g}% of max_connections for 5 "
            f"minutes; new connections will soon be refused. Used by: {_users(stack, db.name)}."
        ),
        symptom="The connection count approaches max_connections (pool exhaustion).",
        impact="When the limit is reached, new connections fail and requests error out.",
        triage=(
            TriageQuery(
                "Connections per database",
                f"sum by (datname) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})",
            ),
            TriageQuery(
                "Connections by state (idle in transaction hold slots)",
                f"sum by (state) (pg_stat_activity_count{{{dependency_selector(db.name)}}})",
            ),
            *_service_logs(stack, db.name),
        ),
        causes=(
            "A service scaled out and every replica opened a full connection pool.",
            "Connection leaks or long transactions ('idle in transaction').",
            "Slow queries holding connections longer under load.",
        ),
        resolution=(
            "Find the client with the most connections (`SELECT usename, application_name, count(*) FROM pg_stat_activity GROUP BY 1, 2`).",
            "Lower pool sizes per replica or add a pooler (PgBouncer); kill idle-in-transaction sessions.",
        ),
        related=(POSTGRES_DOWN,),
    )
    target = _exporter(db.name)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "connections above the limit share",
                (
                    series(
                        "pg_stat_database_numbackends",
                        {**target, "datname": db.database},
                        steady(min(100.0, threshold + 5), 15),
                    ),
                    series("pg_settings_max_connections", target, steady(100, 15)),
                ),
                "10m",
                _dep(db.name),
            ),
        ),
        silent=(
            Case(
                "connections below the limit share",
                (
                    series(
                        "pg_stat_database_numbackends",
                        {**target, "datname": db.database},
                        steady(threshold / 2, 15),
                    ),
                    series("pg_settings_max_connections", target, steady(100, 15)),
                ),
                "10m",
            ),
        ),
    )


def _redis_down(stack: Stack, redis: Redis) -> ProvenAlert:
    up = selector("redis_up", dependency_selector(redis.name))
    definition = AlertDefinition(
        name=REDIS_DOWN,
        group=GROUP.format(name=redis.name),
        expr=f"max by ({DEPENDENCY_LABEL}) ({up}) == 0 or absent({up})",
        for_="1m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=_dep(redis.name),
        summary=f"Redis {redis.name} is unreachable.",
        description=(
            f"redis_exporter cannot reach {redis.host}:{redis.port} (or is not scraped) for 1 "
            f"minute. Used by: {_users(stack, redis.name)}."
        ),
        symptom="Connections to Redis fail (redis_up is 0) or its exporter is gone.",
        impact="Caching, sessions and rate limiting backed by Redis fail or fall back to slow paths.",
        triage=(
            TriageQuery("Exporter connection state", up),
            TriageQuery(
                "Redis uptime (restarts reset it)",
                f"redis_uptime_in_seconds{{{dependency_selector(redis.name)}}}",
            ),
            *_service_logs(stack, redis.name),
        ),
        causes=(
            "The Redis pod restarted or was evicted (memory limit, node drain).",
            "Network policy or DNS change between the services and Redis.",
        ),
        resolution=(
            "`kubectl -n data get pods` and `describe` the Redis pod; check OOMKilled.",
            "Restore the primary (or promote a replica); the services reconnect on their own.",
        ),
        related=(REDIS_REJECTED, REDIS_CONNECTIONS),
    )
    target = _exporter(redis.name)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "the exporter cannot connect",
                (series("redis_up", target, steady(0, 10)),),
                "5m",
                _dep(redis.name),
            ),
            Case("the exporter is not scraped", (), "5m", _dep(redis.name)),
        ),
        silent=(Case("Redis answers", (series("redis_up", target, steady(1, 10)),), "5m"),),
    )


def _redis_rejected(stack: Stack, redis: Redis) -> ProvenAlert:
    rejected = selector("redis_rejected_connections_total", dependency_selector(redis.name))
    definition = AlertDefinition(
        name=REDIS_REJECTED,
        group=GROUP.format(name=redis.name),
        expr=f"sum by ({DEPENDENCY_LABEL}) (increase({rejected}[{WINDOW}])) > 0",
        for_="0s",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=_dep(redis.name),
        summary=f"Redis {redis.name} rejects connections.",
        description=(
            f"Redis {redis.name} refused client connections in the last {WINDOW} (maxclients "
            f"reached). Used by: {_users(stack, redis.name)}."
        ),
        symptom="Redis refuses new connections because maxclients is reached.",
        impact="Clients that cannot connect fail their cache or rate-limit calls.",
        triage=(
            TriageQuery("Rejected connections per second", f"rate({rejected}[{WINDOW}])"),
            TriageQuery(
                "Connected clients and the limit",
                f"redis_connected_clients{{{dependency_selector(redis.name)}}} or redis_config_maxclients{{{dependency_selector(redis.name)}}}",
            ),
        ),
        causes=(
            "Clients leak connections or open one per request.",
            "A scale-out multiplied the pools.",
        ),
        resolution=(
            "Find the clients with `CLIENT LIST`; fix pooling in the client.",
            "Raise `maxclients` only with memory headroom.",
        ),
        related=(REDIS_CONNECTIONS, REDIS_DOWN),
    )
    target = _exporter(redis.name)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "connections are rejected",
                (series("redis_rejected_connections_total", target, counting(3, 10)),),
                "5m",
                _dep(redis.name),
            ),
        ),
        silent=(
            Case(
                "no connection is rejected",
                (series("redis_rejected_connections_total", target, steady(7, 10)),),
                "5m",
            ),
        ),
    )


def _redis_connections(stack: Stack, redis: Redis) -> ProvenAlert:
    clients = f"max by ({DEPENDENCY_LABEL}) (redis_connected_clients{{{dependency_selector(redis.name)}}})"
    limit = f"max by ({DEPENDENCY_LABEL}) (redis_config_maxclients{{{dependency_selector(redis.name)}}})"
    definition = AlertDefinition(
        name=REDIS_CONNECTIONS,
        group=GROUP.format(name=redis.name),
        expr=f"{percent_of(clients, limit)} > {REDIS_MAX_CLIENTS_PERCENT}",
        for_="5m",
        priority=Priority.P3,
        team=stack.alerting.platform_team,
        labels=_dep(redis.name),
        summary=f"Redis {redis.name} uses more than {REDIS_MAX_CLIENTS_PERCENT}% of maxclients.",
        description=(
            f"Connected clients on {redis.name} are above {REDIS_MAX_CLIENTS_PERCENT}% of "
            "maxclients for 5 minutes."
        ),
        symptom="The client connection count approaches maxclients.",
        impact="None yet; at the limit Redis rejects connections (RedisRejectedConnections).",
        triage=(TriageQuery("Connected clients and the limit", f"{clients} or {limit}"),),
        causes=("Growing replica counts with fixed pools per replica.", "Leaked connections."),
        resolution=("Right-size the client pools before the limit is hit.",),
        related=(REDIS_REJECTED,),
    )
    target = _exporter(redis.name)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "clients near the limit",
                (
                    series("redis_connected_clients", target, steady(9000, 15)),
                    series("redis_config_maxclients", target, steady(10000, 15)),
                ),
                "10m",
                _dep(redis.name),
            ),
        ),
        silent=(
            Case(
                "few clients",
                (
                    series("redis_connected_clients", target, steady(100, 15)),
                    series("redis_config_maxclients", target, steady(10000, 15)),
                ),
                "10m",
            ),
        ),
    )


def _kafka_lag(stack: Stack, kafka: Kafka, group: str) -> ProvenAlert:
    lag_series = selector(
        "kafka_consumergroup_lag", dependency_selector(kafka.name), f'consumergroup="{group}"'
    )
    labels = {DEPENDENCY_LABEL: kafka.name, "consumergroup": group}
    definition = AlertDefinition(
        name=KAFKA_LAG,
        group=GROUP.format(name=kafka.name),
        expr=f"sum by ({DEPENDENCY_LABEL}, consumergroup) ({lag_series}) > {kafka.max_lag}",
        for_="5m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=labels,
        summary=f"Kafka consumer group {group} lags more than {kafka.max_lag} messages.",
        description=(
            f"Consumer group {group} on {kafka.name} is more than {kafka.max_lag} messages "
            "behind for 5 minutes: consumers are stuck or failing (seed 002: rewards and game "
            "results are not being processed)."
        ),
        symptom="Messages pile up: the consumer group's lag is above its limit.",
        impact="Work behind the queue (game results, rewards, automations) is delayed.",
        triage=(
            TriageQuery("Lag per topic and partition", f"sum by (topic, partition) ({lag_series})"),
            TriageQuery(
                "Produce vs consume rate per topic",
                f"sum by (topic) (rate(kafka_topic_partition_current_offset{{{dependency_selector(kafka.name)}}}[{WINDOW}]))",
            ),
            TriageQuery(
                "Consumer logs",
                f'{{consumer_group="{group}"}} | json | level=~"error|fatal"',
                "logql",
            ),
        ),
        causes=(
            "Consumers crash-loop or are scaled to zero.",
            "A poison message fails processing again and again on one partition.",
            "Consumers are slower than producers (a slow database write, a traffic peak).",
        ),
        resolution=(
            "Check the consumer pods; scale them out (up to the partition count).",
            "If one partition lags, inspect its head message; skip or dead-letter a poison message.",
        ),
        related=(KAFKA_BROKERS,),
    )
    lag_labels = {
        **_exporter(kafka.name),
        "consumergroup": group,
        "topic": "events",
        "partition": "0",
    }
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "lag above the limit",
                (series("kafka_consumergroup_lag", lag_labels, steady(kafka.max_lag + 1, 15)),),
                "10m",
                labels,
            ),
        ),
        silent=(
            Case(
                "lag at the limit",
                (series("kafka_consumergroup_lag", lag_labels, steady(kafka.max_lag, 15)),),
                "10m",
            ),
            Case(
                "another group lags",
                (
                    series(
                        "kafka_consumergroup_lag",
                        {**lag_labels, "consumergroup": f"{group}-other"},
                        steady(kafka.max_lag * 10, 15),
                    ),
                ),
                "10m",
            ),
        ),
    )


def _kafka_brokers(stack: Stack, kafka: Kafka) -> ProvenAlert:
    brokers = f"max by ({DEPENDENCY_LABEL}) (kafka_brokers{{{dependency_selector(kafka.name)}}})"
    expected = len(kafka.brokers)
    definition = AlertDefinition(
        name=KAFKA_BROKERS,
        group=GROUP.format(name=kafka.name),
        expr=f"{brokers} < {expected}",
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=_dep(kafka.name),
        summary=f"Kafka {kafka.name} has fewer than {expected} brokers.",
        description=f"kafka_exporter sees fewer than the {expected} configured brokers of {kafka.name} for 5 minutes.",
        symptom="A Kafka broker left the cluster.",
        impact="Partitions led by the broker move; under-replicated partitions risk data loss if another broker fails.",
        triage=(
            TriageQuery("Brokers seen", brokers),
            TriageQuery(
                "Under-replicated partitions",
                f"sum by (topic) (kafka_topic_partition_under_replicated_partition{{{dependency_selector(kafka.name)}}})",
            ),
        ),
        causes=("A broker pod restarted or its node failed.", "Broker disk full."),
        resolution=(
            "Bring the broker back (`kubectl -n data get pods`); check its disk and logs.",
        ),
        related=(KAFKA_LAG,),
    )
    target = _exporter(kafka.name)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "a broker is missing",
                (series("kafka_brokers", target, steady(expected - 1, 15)),),
                "10m",
                _dep(kafka.name),
            ),
        ),
        silent=(
            Case(
                "every broker is there",
                (series("kafka_brokers", target, steady(expected, 15)),),
                "10m",
            ),
        ),
    )


def _partner_errors(stack: Stack, service: Service, partner: PartnerApi) -> ProvenAlert:
    matchers = (service_selector(service.name), partner_selector(partner.partner_label))
    calls = selector(METRIC_PARTNER_REQUESTS, *matchers)
    failed = selector(METRIC_PARTNER_REQUESTS, *matchers, f'{OUTCOME_LABEL}="{OUTCOME_ERROR}"')
    by = (SERVICE_LABEL, PARTNER_LABEL)
    threshold = partner.error_rate_percent
    definition = AlertDefinition(
        name=PARTNER_ERRORS,
        group=GROUP.format(name=partner.name),
        expr=(
            f"{percent_of(sum_rate(failed, WINDOW, by), sum_rate(calls, WINDOW, by))} > {threshold:g} "
            f"and {sum_rate(calls, WINDOW, by)} > {stack.alerting.low_traffic_rps:g}"
        ),
        for_="5m",
        priority=Priority.P2,
        team=service.team,
        service=service.name,
        labels={DEPENDENCY_LABEL: partner.name},
        summary=f"More than {threshold:g}% of {service.display_name}'s calls to {partner.name} fail.",
        description=(
            f"{service.name}'s calls to the partner API {partner.name} failed more than "
            f"{threshold:g}% of the time over {WINDOW}, for 5 minutes (seed 002: third-party API down)."
        ),
        symptom=(
            "Outgoing calls to a partner API fail.\n\n"
            f"Contract metric: `{METRIC_PARTNER_REQUESTS}` "
            f"(counter, one per call) with labels `{SERVICE_LABEL}` (caller), `{PARTNER_LABEL}` and "
            f"`{OUTCOME_LABEL}` (`success` or `{OUTCOME_ERROR}`: 5xx, timeout, connection error)."
        ),
        impact="Features depending on the partner degrade (payments, bank transfers, Airtable sync).",
        triage=(
            TriageQuery("Calls per outcome", f"sum by ({OUTCOME_LABEL}) (rate({calls}[{WINDOW}]))"),
            TriageQuery(
                "Partner errors in the caller's logs",
                f'{log_stream_selector(service.name)} |= "{partner.partner_label}" | json | level=~"error|fatal"',
                "logql",
            ),
        ),
        causes=(
            "The partner has an outage (check its status page).",
            "Credentials expired or the partner rate-limits us (429s).",
            "A change in our request format after a deploy.",
        ),
        resolution=(
            "Check the partner's status page and open a ticket with them if they are down.",
            "Enable the fallback or queue retries; roll back our change if it broke the calls.",
        ),
        related=("ServiceErrorRateHigh",),
    )
    labels = {SERVICE_LABEL: service.name, PARTNER_LABEL: partner.partner_label}

    def calls_with(error_percent: float, per_minute: float) -> tuple[Series, ...]:
        errors = per_minute * error_percent / 100
        return (
            series(
                METRIC_PARTNER_REQUESTS,
                {**labels, OUTCOME_LABEL: "success"},
                counting(per_minute - errors, 30),
            ),
            series(
                METRIC_PARTNER_REQUESTS,
                {**labels, OUTCOME_LABEL: OUTCOME_ERROR},
                counting(errors, 30),
            ),
        )

    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    return ProvenAlert(
        definition,
        fires=(
            Case(
                f"{fires_percent:g}% of calls fail",
                calls_with(fires_percent, _PER_MINUTE),
                "20m",
                labels,
            ),
        ),
        silent=(
            Case(
                f"{threshold / 2:g}% of calls fail", calls_with(threshold / 2, _PER_MINUTE), "20m"
            ),
            Case(
                "every call fails but there are very few",
                calls_with(100, stack.alerting.low_traffic_rps * 30),
                "20m",
            ),
        ),
    )


def _tls_labels(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name}


def _tls_target(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name, "job": "probe/tls", "instance": endpoint.url}


def _tls_probe(endpoint: TlsEndpoint) -> ProvenAlert:
    probe = selector(METRIC_PROBE_SUCCESS, tls_endpoint_selector(endpoint.name))
    definition = AlertDefinition(
        name=TLS_PROBE_FAILING,
        group=TLS_GROUP,
        expr=f"max by ({TLS_ENDPOINT_LABEL}) ({probe}) == 0",
        for_="5m",
        priority=Priority.P2,
        team=endpoint.team,
        labels=_tls_labels(endpoint),
        summary=f"HTTPS probe of {endpoint.url} fails.",
        description=f"The blackbox HTTPS probe of {endpoint.url} has failed for 5 minutes (TLS handshake, DNS or HTTP error).",
        symptom="The public HTTPS endpoint cannot be reached or its TLS handshake fails.",
        impact="Users cannot reach the endpoint; its certificate expiry cannot be measured.",
        triage=(
            TriageQuery(
                "Probe result per phase",
                f"probe_http_duration_seconds{{{tls_endpoint_selector(endpoint.name)}}}",
            ),
            TriageQuery("Probe result", probe),
        ),
        causes=(
            "An expired or mismatched certificate.",
            "DNS or ingress failure.",
            "The backend behind the ingress is down.",
        ),
        resolution=(
            f"`curl -vI {endpoint.url}` from inside and outside the cluster; fix the failing hop.",
        ),
        related=(CERT_EXPIRY,),
    )
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "the probe fails",
                (series(METRIC_PROBE_SUCCESS, _tls_target(endpoint), steady(0, 15)),),
                "10m",
                _tls_labels(endpoint),
            ),
        ),
        silent=(
            Case(
                "the probe succeeds",
                (series(METRIC_PROBE_SUCCESS, _tls_target(endpoint), steady(1, 15)),),
                "10m",
            ),
        ),
    )


def _cert_expiry(endpoint: TlsEndpoint) -> ProvenAlert:
    expiry = selector("probe_ssl_earliest_cert_expiry", tls_endpoint_selector(endpoint.name))
    definition = AlertDefinition(
        name=CERT_EXPIRY,
        group=TLS_GROUP,
        expr=f"min by ({TLS_ENDPOINT_LABEL}) ({expiry}) - time() < {CERT_EXPIRY_DAYS} * {_DAY}",
        for_="1h",
        priority=Priority.P3,
        team=endpoint.team,
        labels=_tls_labels(endpoint),
        summary=f"The certificate of {endpoint.url} expires in less than {CERT_EXPIRY_DAYS} days.",
        description=(
            f"The earliest-expiring certificate in the chain served by {endpoint.url} expires "
            f"within {CERT_EXPIRY_DAYS} days (seed 002: P3)."
        ),
        symptom="A served certificate is close to its expiry date.",
        impact="None yet; when it expires, browsers and API clients refuse the connection.",
        triage=(TriageQuery("Days until expiry", f"({expiry} - time()) / {_DAY}"),),
        causes=(
            "cert-manager failed to renew (check the Certificate and its CertificateRequest events).",
            "A manually installed certificate nobody renewed.",
        ),
        resolution=(
            "`kubectl get certificate -A` and `kubectl describe` the failing one; fix the issuer or DNS challenge.",
            "Renew and install the certificate manually if it is not managed by cert-manager.",
        ),
        related=(TLS_PROBE_FAILING,),
    )
    target = _tls_target(endpoint)
    return ProvenAlert(
        definition,
        fires=(
            Case(
                "the certificate expires in 10 days",
                (series("probe_ssl_earliest_cert_expiry", target, steady(10 * _DAY, 90)),),
                "80m",
                _tls_labels(endpoint),
            ),
        ),
        silent=(
            Case(
                "the certificate expires in 60 days",
                (series("probe_ssl_earliest_cert_expiry", target, steady(60 * _DAY, 90)),),
                "80m",
            ),
        ),
    )
