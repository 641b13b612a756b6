import gc

from o11y.model.stack import Stack
from o11y.once import once_per_stack
from tests.small_stacks import small_stack


def test_a_stack_computes_once_and_another_stack_computes_again() -> None:
    calls: list[str] = []

    @once_per_stack
    def services(stack: Stack) -> list[str]:
        calls.append(stack.environment)
        return [s.name for s in stack.services]

    dev, prod = small_stack("dev"), small_stack("prod")
    assert services(dev) is services(dev)
    assert services(prod) == services(dev)
    assert calls == ["dev", "prod"]


def test_a_new_stack_at_a_freed_stacks_address_computes_its_own_result() -> None:
    calls: list[int] = []

    @once_per_stack
    def count(stack: Stack) -> int:
        calls.append(1)
        return len(stack.services)

    for _ in range(3):
        count(small_stack())
        gc.collect()
    assert len(calls) == 3
