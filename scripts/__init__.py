"""Maintenance and CI scripts (run as files; see each docstring)."""
