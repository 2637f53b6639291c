"""Hand-built Terraform resources for model and check tests (no loader needed).

`res(type, name, line, attrs)` makes a resource whose header is at `line`; attribute values are
`At(value, line)` (known, wrapped deeply), `Unk(line, refs, reason)` (unknown), or nested blocks
`[Blk(line, {...})]`. Every value gets a span on its own line, so tests can assert locations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iaclint.model import aws
from iaclint.model.scope_model import Model
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import Value

PATH = "main.tf"


def span(line: int, column: int = 3) -> Span:
    return Span(PATH, line, column, line, column + 10)


@dataclass
class At:
    value: Any
    line: int
    refs: tuple[str, ...] = ()


@dataclass
class Unk:
    line: int
    refs: tuple[str, ...] = ()
    reason: str = "computed when applied"


@dataclass
class Blk:
    line: int
    attrs: dict[str, Any] = field(default_factory=dict)


def _value(v: Any) -> Value:
    if isinstance(v, At):
        inner = Value.of(v.value, span(v.line))
        return Value.known(inner.data, inner.span, v.refs)
    if isinstance(v, Unk):
        return Value.unknown(v.reason, span(v.line), v.refs)
    if isinstance(v, Blk):
        return Value.known({k: _value(x) for k, x in v.attrs.items()}, span(v.line, 3))
    if isinstance(v, list):
        line = v[0].line if v and isinstance(v[0], Blk) else 0
        return Value.known([_value(x) for x in v], span(line) if line else None)
    raise TypeError(f"use At/Unk/Blk, not {v!r}")


def res(rtype: str, name: str, line: int, attrs: dict[str, Any], module: str = "") -> Resource:
    address = f"{module}{rtype}.{name}"
    body = Value.known({k: _value(v) for k, v in attrs.items()}, span(line, 1))
    return Resource(rtype, address, "terraform", body, Span(PATH, line, 1, line, 10), name)


def ref(address: str, line: int) -> Unk:
    """An attribute that refers to another resource (`aws_x.y.id`)."""
    return Unk(line, (address,), f"{address} is known after apply")


def build(*resources: Resource) -> Model:
    model = Model()
    aws.adapt("terraform", list(resources), model)
    return model
