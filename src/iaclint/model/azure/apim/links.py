"""API Management linked: APIs, products, operations, backends and policies to their owners,
custom domains to their service, the fronts (Application Gateways, Front Doors) whose backends are
a service to it; then every API's effective policy is worked out, once."""

from __future__ import annotations

from iaclint.model.azure.apim.effective import plan_reading, resolve_paths
from iaclint.model.azure.apim.entities import ApimService
from iaclint.model.azure.common import Resolver, known
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import linker
from iaclint.values import Value


@linker(30)
def link(az: AzureModel) -> None:
    plan_reading(az.policies)
    services = Resolver(az.services, lambda s: s.resource.address, lambda s: known(s.name))
    apis = Resolver(az.apis, lambda a: a.resource.address, lambda a: known(a.name))
    products = Resolver(az.products, lambda p: p.resource.address, lambda p: known(p.name))
    operations = Resolver(az.operations, lambda o: o.resource.address, lambda o: known(o.name))
    for dom in az.custom_domains:
        for svc in services.resolve(dom.service_ref)[:1]:
            svc.hostnames.extend(dom.hostnames)
    for api in az.apis:
        for svc in services.resolve(api.service_ref, api.service_name)[:1]:
            api.service = svc
            svc.apis.append(api)
    for prod in az.products:
        for svc in services.resolve(prod.service_ref, prod.service_name)[:1]:
            prod.service = svc
            svc.products.append(prod)
    for op in az.operations:
        for api in apis.resolve(op.api_ref, op.api_name)[:1]:
            op.api = api
            api.operations.append(op)
    for b in az.backends:
        for svc in services.resolve(b.service_ref, b.service_name)[:1]:
            b.service = svc
            svc.backends.append(b)
    for link_ in az.product_apis:
        prods = products.resolve(link_.product_ref, link_.product_name)[:1]
        for api in apis.resolve(link_.api_ref, link_.api_name)[:1]:
            for prod in prods:
                if not any(prod is p for p in api.products):
                    api.products.append(prod)
    owners: dict[str, Resolver] = {
        "global": services,
        "product": products,
        "api": apis,
        "operation": operations,
    }
    for pol in az.policies:
        for owner in owners[pol.scope].resolve(pol.owner_ref, pol.owner_name)[:1]:
            owner.policies.append(pol)
    _link_fronts(az, services)
    resolve_paths(az.apis)


def _host_names(svc: ApimService) -> list[str]:
    names = [h for h in (x.host.as_str() for x in svc.hostnames) if h]
    n = svc.name.as_str()
    if n:
        # The gateway's default host name.
        names.append(f"{n}.azure-api.net")
    return [x.lower() for x in names]


def _link_fronts(az: AzureModel, services: Resolver[ApimService]) -> None:
    hosts: dict[str, ApimService] = {}
    for svc in az.services:
        for h in _host_names(svc):
            hosts.setdefault(h, svc)
    for front in az.fronts:
        for target in front.targets:
            found = _target_services(target, services, hosts)
            if found is None:
                for svc in az.services:
                    if not any(front is f for f in svc.possible_fronts):
                        svc.possible_fronts.append(front)
                continue
            for svc in found:
                if not any(front is f for f in svc.fronts):
                    svc.fronts.append(front)


def _target_services(
    target: Value, services: Resolver[ApimService], hosts: dict[str, ApimService]
) -> list[ApimService] | None:
    """Services a backend/origin address points at; None when it cannot be known."""
    text = target.as_str()
    if text is not None:
        host = text.lower().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        svc = hosts.get(host)
        return [svc] if svc else []
    if target.is_unknown:
        found = services.resolve(Value.unknown("", refs=target.refs))
        return found or None
    return []
