"""Terraform `azapi_resource` as the ARM resource it deploys.

The Azure Verified Modules for Application Gateway and Front Door (and more each release) declare
`azapi_resource` with `type = "Microsoft.Network/applicationGateways@2025-03-01"` and `body` holding
the ARM resource's own fields (`properties`, `sku`...). Its body is the ARM shape, so it is modelled
by the services' ARM readers: the ARM resource is rebuilt with its full ARM name (`svc/api` for a
child whose `parent_id` is another azapi_resource), and `model/azure/__init__.py` hands it to the
reader registered for its ARM type.
"""

from __future__ import annotations

import json

from iaclint.resources import Resource
from iaclint.values import State, Value


def _body(r: Resource) -> Value:
    """The `body` object; a `jsonencode(...)` string (azapi 1.x) is decoded."""
    b = r.body.get("body")
    if b.state is State.KNOWN and isinstance(b.data, str):
        try:
            return Value.of(json.loads(b.data), b.span)
        except (ValueError, RecursionError):
            return Value.unknown("body is not JSON", b.span)
    return b


def _full_name(r: Resource, azapi: dict[str, Resource], names: dict[str, Value], depth: int = 0) -> Value:
    """The ARM name of `r`, its parents' names first (`azapi`: the scope's `azapi_resource`s by
    address; `names`: the names worked out so far). A function of the module, not one nested in
    `arm_resources`: a nested function calling itself is a cycle (it holds its own cell)."""
    got = names.get(r.address)
    if got is not None:
        return got
    own = r.body.get("name")
    rtype = (r.body.get("type").as_str() or "").partition("@")[0]
    parent_ref = r.body.get("parent_id")
    parent = next((azapi[a] for a in parent_ref.refs if a in azapi), None)
    v = own
    if rtype.count("/") > 1:  # a child: its ARM name starts with its parent's
        # An unknown full name keeps its known `/child` tail, which names the child.
        tail = f"/{own.as_str()}" if own.as_str() else ""
        if parent is None or depth > 8:
            why = "the parent resource is not declared here"
            v = Value.unknown(why, own.span, parent_ref.refs, suffix=tail)
        else:
            pn, n = _full_name(parent, azapi, names, depth + 1).as_str(), own.as_str()
            if pn is None or n is None:
                v = Value.unknown("the name cannot be known", own.span, (parent.address,), suffix=tail)
            else:
                v = Value.known(f"{pn}/{n}", own.span)
    names[r.address] = v
    return v


def arm_resources(resources: list[Resource]) -> list[Resource]:
    """The ARM resources the `azapi_resource`s among `resources` deploy."""
    azapi = {r.address: r for r in resources if r.type == "azapi_resource"}
    names: dict[str, Value] = {}

    out: list[Resource] = []
    for r in azapi.values():
        t = r.body.get("type")
        type_str = t.as_str()
        if type_str is None or "/" not in type_str:
            continue
        rtype, _, api = type_str.partition("@")
        body = _body(r)
        fields: dict[str, Value] = dict(body.data) if body.is_known and isinstance(body.data, dict) else {}
        if body.state is State.UNKNOWN:
            # Every ARM field the adapters read is then unknown for the same reason.
            fields["properties"] = body
        fields["type"] = Value.known(rtype, t.span)
        fields["apiVersion"] = Value.known(api, t.span)
        fields["name"] = _full_name(r, azapi, names)
        for key in ("location", "identity", "tags"):
            if key not in fields and not r.body.get(key).is_null:
                fields[key] = r.body.get(key)
        out.append(
            Resource(
                type=rtype,
                address=r.address,
                language=r.language,
                body=Value.known(fields, r.body.span),
                span=r.span,
                name=fields["name"].as_str() or r.name,
                condition=r.condition,
                scope=r.scope,
            )
        )
    return out
