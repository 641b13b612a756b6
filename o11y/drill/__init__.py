"""Fire drills: the stack's alerting on the real Prometheus, Alertmanager and exporters on
loopback, with things broken on purpose (`python -m cli drill`)."""
