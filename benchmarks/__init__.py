"""Measurements of what the program generates (run as scripts; see the README)."""
