"""What every Azure service shares: the endpoints a resource serves, settings read as switches,
child names in resource ids, and resolving a reference to the entity it names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iaclint.model.facts import Endpoint, Origin, PlainHttp, Setting, TlsFloor
from iaclint.records import record
from iaclint.resources import Resource, base_address
from iaclint.values import Value

T = TypeVar("T")


@record(frozen=True)
class TlsEndpoint:
    """A client-facing endpoint an Azure resource serves (a gateway, a listener, a custom domain, a
    route), as read; its service's fact builder makes the neutral `Endpoint` of it."""

    resource: Resource
    kind: str
    tls: TlsFloor | None = None
    http: tuple[PlainHttp, ...] = ()

    @property
    def label(self) -> str:
        return f"Azure {self.kind} {self.resource.address}"

    def fact(self) -> Endpoint:
        return Endpoint(Origin.of(self.resource, self.label), self.tls, list(self.http))


@record(frozen=True)
class Cipher:
    """A cipher suite setting (a switch that turns it on or off, or an entry that lists it), and the
    suite it names."""

    suite: str
    setting: Setting


def flag(v: Value) -> bool | None:
    """A switch: booleans and the strings "True"/"False" (ARM `customProperties` hold strings)."""
    return v.as_bool()


def last_segment(value: Value) -> str | None:
    """The child name a resource id names: a known id string's last segment, or the name in the
    loader's pseudo-reference (`<type>:<parent>/<name>`) of an unknown one."""
    text = value.as_str()
    if text:
        return text.rstrip("/").rsplit("/", 1)[-1]
    for ref in value.refs:
        if ":" in ref:
            return ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return None


def known(v: Value) -> list[str]:
    t = v.as_str()
    return [t] if t else []


class Resolver(Generic[T]):
    """Entities by address and by name: a child names its owner by a reference (`refs`: resource
    addresses, or the loaders' `<type>:<name>` for resources not declared in the scope) or by its
    known full ARM name (`svc/api`); both are tried, references first."""

    def __init__(
        self, items: Iterable[T], address: Callable[[T], str], names: Callable[[T], list[str]]
    ) -> None:
        self.by_address: dict[str, list[T]] = {}
        self.by_name: dict[str, list[T]] = {}
        for item in items:
            addr = address(item)
            self.by_address.setdefault(addr, []).append(item)
            base = base_address(addr)
            if base != addr:
                self.by_address.setdefault(base, []).append(item)
            for n in names(item):
                self.by_name.setdefault(n.lower(), []).append(item)

    def resolve(self, *values: Value) -> list[T]:
        out: list[T] = []
        for value in values:
            for ref in value.refs:
                found = self.by_address.get(ref, [])
                if not found and ":" in ref:
                    found = self.by_name.get(ref.rsplit(":", 1)[-1].lower(), [])
                out += [f for f in found if not any(f is o for o in out)]
            if out:
                return out
            text = value.as_str()
            if text is not None:
                out += self.by_name.get(text.lower(), [])
                # A resource id string names the resource by its last segments.
                if not out and "/providers/" in text.lower():
                    segs = text.split("/")
                    out += self.by_name.get(segs[-1].lower(), [])
            if out:
                return out
        return out
