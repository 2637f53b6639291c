"""How AWS entities are linked, for every service's link steps (`<service>/links.py`): a reference
Value names the resources it derives from (`refs`), and a reference to a resource with
`for_each`/`count` names all its instances."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iaclint.resources import base_address
from iaclint.values import Value

T = TypeVar("T")


def module_path(address: str) -> str:
    """The module part of an address (`module.api.` for `module.api.aws_x.y`), '' at the root."""
    parts = address.split(".")
    out = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        out.append(f"module.{parts[i + 1]}")
        i += 2
    return ".".join(out)


class Index(Generic[T]):
    """Entities by resource address, also reachable through the address without instance key."""

    def __init__(self, items: Iterable[T], address_of: Callable[[T], str]) -> None:
        self._exact: dict[str, list[T]] = {}
        self._base: dict[str, list[T]] = {}
        for item in items:
            addr = address_of(item)
            self._exact.setdefault(addr, []).append(item)
            self._base.setdefault(base_address(addr), []).append(item)

    def resolve(self, value: Value) -> list[T]:
        out: list[T] = []
        for ref in value.refs:
            found = self._exact.get(ref) or self._base.get(ref) or []
            for item in found:
                if not any(item is o for o in out):
                    out.append(item)
        return out


def add(items: list, item: object) -> None:
    """Append `item` unless it is there already (entities compare by identity)."""
    if not any(item is i for i in items):
        items.append(item)
