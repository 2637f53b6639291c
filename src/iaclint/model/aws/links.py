"""Links between AWS entities, resolved once for every language: a reference Value names the
resources it derives from (`refs`), and some links are by known names (a mapping naming its domain
as a string, method settings naming the stage). Checks only read the linked lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iaclint.model.entities import Api, Endpoint, Model, Stage
from iaclint.values import Value

T = TypeVar("T")


def base_address(address: str) -> str:
    """`module.a["x"].aws_api_gateway_stage.s["eu"]` → `module.a["x"].aws_api_gateway_stage.s`:
    a reference to a resource with `for_each`/`count` names all its instances."""
    if address.endswith("]"):
        depth = 0
        for i in range(len(address) - 1, -1, -1):
            c = address[i]
            if c == "]":
                depth += 1
            elif c == "[":
                depth -= 1
                if depth == 0:
                    return address[:i]
    return address


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


def _add(items: list, item: object) -> None:
    if not any(item is i for i in items):
        items.append(item)


def _stages_named(api: Api, name: Value) -> list[Stage]:
    text = name.as_str()
    if text is None:
        return []
    return [s for s in api.stages if s.name.as_str() == text]


def _stages_for(api_ref: Value, stage_ref: Value, apis: Index[Api], stages: Index[Stage]) -> list[Stage]:
    """A stage named through a reference to it, or by its name within a referenced API."""
    found = stages.resolve(stage_ref)
    if found:
        return found
    out: list[Stage] = []
    for api in apis.resolve(api_ref):
        out.extend(_stages_named(api, stage_ref))
    return out


def link(model: Model) -> None:
    apis = Index(model.apis, lambda a: a.resource.address)
    domains = Index([e for e in model.endpoints if e.custom_domain], lambda e: e.resource.address)
    authorizers = Index(model.authorizers, lambda a: a.resource.address)
    acls = Index(model.web_acls, lambda a: a.resource.address)

    for st in model.stages:
        for api in apis.resolve(st.api_ref)[:1]:
            st.api = api
            api.stages.append(st)
        st.throttles.extend(st.own_throttles)
    stages = Index(model.stages, lambda s: s.resource.address)

    for op in model.operations:
        for api in apis.resolve(op.api_ref)[:1]:
            op.api = api
            api.operations.append(op)
            if api.protocol == "WebSocket":
                # Only the `$connect` route of a WebSocket API takes an authoriser.
                op.authorizable = op.verb.as_str() == "$connect"
                op.label = f"route {op.verb.as_str()!r}" if op.verb.as_str() else op.label
        for auth in authorizers.resolve(op.authorizer_ref)[:1]:
            op.authorizer = auth
    for az in model.authorizers:
        for api in apis.resolve(az.api_ref)[:1]:
            api.authorizers.append(az)
    for integ in model.integrations:
        for api in apis.resolve(integ.api_ref)[:1]:
            api.integrations.append(integ)

    for api in model.apis:
        if api.inline_policy is not None:
            api.policies.append(api.inline_policy)
    for pol in model.policies:
        for api in apis.resolve(pol.api_ref):
            api.policies.append(pol)

    by_host: dict[str, list[Endpoint]] = {}
    for ep in model.endpoints:
        if ep.custom_domain and ep.host.as_str():
            by_host.setdefault(ep.host.as_str() or "", []).append(ep)
    for m in model.mappings:
        eps = domains.resolve(m.domain_ref) or by_host.get(m.domain_ref.as_str() or "", [])
        mapped = apis.resolve(m.api_ref) or [s.api for s in stages.resolve(m.stage_ref) if s.api]
        for ep in eps:
            for api in mapped:
                _add(ep.apis, api)
                _add(api.domains, ep)

    for ms in model.method_settings:
        for st in _stages_for(ms.api_ref, ms.stage_ref, apis, stages):
            st.throttles.append(ms.throttle)
    for plan in model.usage_plans:
        for api_ref, stage_ref in plan.stage_refs:
            for st in _stages_for(api_ref, stage_ref, apis, stages):
                if plan.throttle is not None:
                    st.throttles.append(plan.throttle)

    for assoc in model.waf_associations:
        assoc.acls = acls.resolve(assoc.acl_ref)
        targets = stages.resolve(assoc.target_ref)
        for st in targets:
            _add(st.associations, assoc)
        if not targets and assoc.target_ref.is_unknown and not assoc.target_ref.refs:
            # Cannot tell what it protects: it may be any stage of the same module.
            scope = module_path(assoc.resource.address)
            for st in model.stages:
                if module_path(st.resource.address) == scope:
                    _add(st.possible_associations, assoc)

    for dist in model.distributions:
        dist.acls = acls.resolve(dist.acl_ref)
        for origin in dist.origin_refs:
            found = apis.resolve(origin)
            found += [s.api for s in stages.resolve(origin) if s.api]
            for ep in domains.resolve(origin):
                found += ep.apis
            for api in found:
                _add(dist.apis, api)
                _add(api.distributions, dist)
