"""Runbooks of the alerts on catalog dependencies, one module per kind of dependency
(the tables are in o11y/alerts/dependencies/)."""
