"""Typed reading of nested JSON/YAML-like trees (manifests, Helm values, dashboards, payloads).

Every step checks the node's type, and a failure is an AssertionError naming the path where the
tree differs from what the test reads, e.g. `.spec.endpoints[0]: missing key 'port'`.
Dicts and lists are returned as they are (not copied), so tests may also change them in place.
"""

from collections.abc import Mapping

Key = str | int


def _where(path: tuple[Key, ...]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path) or "(root)"


def as_dict(value: object, where: str = "value") -> dict[str, object]:
    """`value` as a map with string keys (a non-dict mapping is copied into a dict)."""
    if not isinstance(value, Mapping):
        raise AssertionError(f"{where}: expected a mapping, got {type(value).__name__}: {value!r}")
    keys = [k for k in value if not isinstance(k, str)]
    if keys:
        raise AssertionError(f"{where}: expected string keys, got {keys!r}")
    return value if isinstance(value, dict) else dict(value)


def as_list(value: object, where: str = "value") -> list[object]:
    """`value` as a list (a tuple is copied into a list)."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    raise AssertionError(f"{where}: expected a list, got {type(value).__name__}: {value!r}")


def dicts(value: object, where: str = "value") -> list[dict[str, object]]:
    """`value` as a list of maps, e.g. panels, targets or custom resources."""
    return [as_dict(item, f"{where}[{i}]") for i, item in enumerate(as_list(value, where))]


def text(value: object, where: str = "value") -> str:
    if not isinstance(value, str):
        raise AssertionError(f"{where}: expected a string, got {type(value).__name__}: {value!r}")
    return value


def integer(value: object, where: str = "value") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise AssertionError(f"{where}: expected an int, got {type(value).__name__}: {value!r}")
    return value


def dig(tree: object, *path: Key) -> object:
    """The node at `path`: string keys index maps, ints (negative too) index lists."""
    node = tree
    for depth, key in enumerate(path):
        parent, here = _where(path[:depth]), _where(path[: depth + 1])
        if isinstance(key, str):
            mapping = as_dict(node, parent)
            if key not in mapping:
                raise AssertionError(f"{parent}: missing key {key!r} (has {sorted(mapping)})")
            node = mapping[key]
        else:
            items = as_list(node, parent)
            if not -len(items) <= key < len(items):
                raise AssertionError(f"{here}: index out of range (length {len(items)})")
            node = items[key]
    return node
