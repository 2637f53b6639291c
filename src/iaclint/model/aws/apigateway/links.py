"""API Gateway links, for every language: stages, operations, authorizers, integrations and
resource policies to their API; custom domains to the APIs they serve (through a reference or the
host name); method settings and usage plans to the stages they throttle (through a reference, or a
stage name within a referenced API)."""

from __future__ import annotations

from dataclasses import replace

from iaclint.model.adapters import Scope, link_step
from iaclint.model.aws.apigateway.entities import Api, CustomDomain, Operation, Stage
from iaclint.model.aws.links import Index, add
from iaclint.values import Value


def _stages_named(api: Api, name: Value) -> list[Stage]:
    text = name.as_str()
    if text is None:
        return []
    return [s for s in api.stages if s.name.as_str() == text]


class Stages:
    """Stages by the address of the resource that creates them; a deployment's stage that another
    stage resource of the same API also declares is that stage."""

    def __init__(self, stages: list[Stage], same: dict[int, Stage]) -> None:
        self._index = Index(stages, lambda s: s.resource.address)
        self._same = same

    def resolve(self, value: Value) -> list[Stage]:
        out: list[Stage] = []
        for st in self._index.resolve(value):
            add(out, self._same.get(id(st), st))
        return out


def stages_for(api_ref: Value, stage_ref: Value, apis: Index[Api], stages: Stages) -> list[Stage]:
    """A stage named through a reference to it, or by its name (a literal, or a value that refers
    to something else) within a referenced API."""
    found = stages.resolve(stage_ref)
    if found:
        return found
    out: list[Stage] = []
    for api in apis.resolve(api_ref):
        out.extend(_stages_named(api, stage_ref))
    return out


def _same_stages(m_stages: list[Stage]) -> dict[int, Stage]:
    """Deployment stages that a stage resource of the same API and name also declares."""
    same: dict[int, Stage] = {}
    for st in m_stages:
        name = st.name.as_str()
        if not st.by_deployment or st.api is None or name is None:
            continue
        for other in st.api.stages:
            if not other.by_deployment and other.name.as_str() == name:
                same[id(st)] = other
                other.throttles.extend(st.own_throttles)
                break
    return same


@link_step(10)
def link(scope: Scope) -> None:
    m = scope.model.aws
    apis = Index(m.apis, lambda a: a.resource.address)
    domains = Index(m.domains, lambda d: d.resource.address)
    authorizers = Index(m.authorizers, lambda a: a.resource.address)

    for st in m.stages:
        for api in apis.resolve(st.api_ref)[:1]:
            st.api = api
            api.stages.append(st)
        st.throttles.extend(st.own_throttles)
    same = _same_stages(m.stages)
    stages = Stages(m.stages, same)
    if same:
        m.stages = [s for s in m.stages if id(s) not in same]
        for api in m.apis:
            api.stages = [s for s in api.stages if id(s) not in same]

    for op in m.operations:
        for api in apis.resolve(op.api_ref)[:1]:
            op.api = api
            api.operations.append(op)
            if api.protocol == "WebSocket":
                # Only the `$connect` route of a WebSocket API takes an authoriser.
                op.authorizable = op.verb.as_str() == "$connect"
                op.label = f"route {op.verb.as_str()!r}" if op.verb.as_str() else op.label
        for auth in authorizers.resolve(op.authorizer_ref)[:1]:
            op.authorizer = auth
    for az in m.authorizers:
        for api in apis.resolve(az.api_ref)[:1]:
            api.authorizers.append(az)
    for integ in m.integrations:
        for api in apis.resolve(integ.api_ref)[:1]:
            api.integrations.append(integ)

    for api in m.apis:
        if api.inline_policy is not None:
            api.policies.append(api.inline_policy)
    for pol in m.policies:
        for api in apis.resolve(pol.api_ref):
            api.policies.append(pol)

    by_host: dict[str, list[CustomDomain]] = {}
    for dom in m.domains:
        host = dom.host.as_str()
        if host:
            by_host.setdefault(host, []).append(dom)
    for mapping in m.mappings:
        doms = domains.resolve(mapping.domain_ref) or by_host.get(mapping.domain_ref.as_str() or "", [])
        mapped = apis.resolve(mapping.api_ref) or [s.api for s in stages.resolve(mapping.stage_ref) if s.api]
        for dom in doms:
            for api in mapped:
                add(dom.apis, api)
                add(api.domains, dom)

    for ms in m.method_settings:
        for st in stages_for(ms.api_ref, ms.stage_ref, apis, stages):
            st.throttles.append(ms.throttle)
    for plan in m.usage_plans:
        for api_ref, stage_ref in plan.stage_refs:
            for st in stages_for(api_ref, stage_ref, apis, stages):
                add(st.usage_plans, plan)
                if plan.throttle is not None:
                    st.throttles.append(plan.throttle)


@link_step(31)
def unread_definitions(scope: Scope) -> None:
    """An API whose definition cannot be read has operations iaclint cannot see: when nothing else
    gives it operations, one operation whose authentication is unknown stands for them (a note),
    so the API is not taken as having none."""
    aws = scope.model.aws
    for api in aws.apis:
        if api.unread_definition is None or api.operations or api.protocol == "WebSocket":
            continue
        where, attribute, why = api.unread_definition
        r = api.resource
        op = Operation(
            replace(r, span=where.span) if where.span is not None else r,
            Value.unknown(why, where.span, (r.address,)),
            Value.absent(where.span),
            "operations in its definition",
            Value.unknown(why, where.span),
            attribute,
        )
        op.api = api
        api.operations.append(op)
        aws.operations.append(op)
