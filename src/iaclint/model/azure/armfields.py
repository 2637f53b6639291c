"""Reading ARM-shaped resources (ARM templates, Bicep, `azapi_resource` bodies): the full type, the
full `parent/child` name, `properties`. Azure compares property names without case (`"Protocol":
"Https"` is `protocol`), so every read here does too; the per-service `arm.py` readers read
through these and never through `Value.get`."""

from __future__ import annotations

from iaclint.resources import Resource
from iaclint.values import State, Value

_KNOWN = State.KNOWN


def get(v: Value, *keys: str | int) -> Value:
    """`v.path(*keys)` with object keys matched without case (an exact match first)."""
    for key in keys:
        if v.state is _KNOWN and isinstance(key, str):
            data = v.data
            if isinstance(data, dict):
                # The member taken here, as `Value.get` would take it (every field of every Azure
                # resource is read through this: 24,000 calls on the gateway-dense Bicep corpus).
                member = data.get(key)
                if member is None:
                    low = key.lower()
                    for k in data:
                        if k.lower() == low:
                            member = data[k]
                            break
                if member is not None:
                    v = member
                    continue
        v = v.get(key)
    return v


def items(v: Value) -> list[Value]:
    """The members of a list (an object counts as a list of one)."""
    return v.elements()


def props(r: Resource) -> Value:
    return get(r.body, "properties")


def name(r: Resource) -> Value:
    return get(r.body, "name")


def parent_name(r: Resource, depth: int = 1) -> Value:
    """`svc/api/op` → `svc/api` (depth 1): the owner's full ARM name, or unknown with the name's refs."""
    v = name(r)
    text = v.as_str()
    if text is None:
        return Value.unknown(v.reason or "the resource name cannot be known", v.span, v.refs)
    parts = text.split("/")
    if len(parts) <= depth:
        return Value.unknown("the parent is not named", v.span)
    return Value.known("/".join(parts[:-depth]), v.span)
