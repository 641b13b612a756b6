"""Thin Pulumi components: each turns one part of the core's output into resources."""
