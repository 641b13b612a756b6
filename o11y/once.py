"""Generators whose result one stack computes once: a stack is frozen, so the rule groups,
alerts and dashboards built from it never change, and rendering a large catalog asks for
them from several places (rule files, PrometheusRule objects, runbooks, the program)."""

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

from o11y.model.stack import Stack

T = TypeVar("T")


def once_per_stack(build: Callable[[Stack], T]) -> Callable[[Stack], T]:
    """`build`, remembered for as long as the stack object it was given lives. Callers must
    not change what it returns."""
    results: dict[int, tuple[weakref.ref[Stack], T]] = {}

    @functools.wraps(build)
    def remembered(stack: Stack) -> T:
        key = id(stack)
        known = results.get(key)
        if known is not None and known[0]() is stack:
            return known[1]
        value = build(stack)
        results[key] = (weakref.ref(stack, lambda _: results.pop(key, None)), value)
        return value

    return remembered
