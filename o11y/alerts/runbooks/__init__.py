"""What each alert's notification and runbook page say, one module per alert area, keyed by
alert name (the tables that decide what fires are in o11y/alerts/)."""
