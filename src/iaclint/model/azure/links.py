"""Links between Azure entities, for ARM, Bicep and azurerm alike. A child names its owner either
by a reference (`refs`: resource addresses, or the loaders' `<type>:<name>` for resources the
template does not declare) or by its known full ARM name (`svc/api`); both are tried."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iaclint.model.aws.links import base_address
from iaclint.model.azure.entities import ApimService, AzureModel
from iaclint.values import Value

T = TypeVar("T")


class Resolver(Generic[T]):
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


def _known(v: Value) -> list[str]:
    t = v.as_str()
    return [t] if t else []


def link(az: AzureModel) -> None:
    from iaclint.model.azure.effective import plan_reading, resolve_paths

    plan_reading(az.policies)
    services = Resolver(az.services, lambda s: s.resource.address, lambda s: _known(s.name))
    apis = Resolver(az.apis, lambda a: a.resource.address, lambda a: _known(a.name))
    products = Resolver(az.products, lambda p: p.resource.address, lambda p: _known(p.name))
    operations = Resolver(az.operations, lambda o: o.resource.address, lambda o: _known(o.name))
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
    resolve_paths(az)


def _host_names(svc: ApimService) -> list[str]:
    names = [h for h in (x.host.as_str() for x in svc.hostnames) if h]
    n = svc.name.as_str()
    if n:
        # The gateway's default host name.
        names.append(f"{n}.azure-api.net")
    return [x.lower() for x in names]


def _link_fronts(az: AzureModel, services: Resolver[ApimService]) -> None:
    wafs = Resolver(
        az.waf_policies, lambda w: w.resource.address, lambda w: _known(w.resource.body.get("name"))
    )
    fronts = Resolver(az.fronts, lambda f: f.resource.address, lambda f: _known(f.resource.body.get("name")))
    for part in az.fd_parts:
        for front in fronts.resolve(part.profile_ref, part.profile_name)[:1]:
            (front.policy_refs if part.role == "waf" else front.targets).append(part.value)
    hosts: dict[str, ApimService] = {}
    for svc in az.services:
        for h in _host_names(svc):
            hosts.setdefault(h, svc)
    for front in az.fronts:
        for ref in front.policy_refs:
            for w in wafs.resolve(ref):
                if not any(w is x for x in front.waf_policies):
                    front.waf_policies.append(w)
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
