"""API Management linked: APIs, products, operations, backends and policies to their owners,
custom domains to their service, the fronts (Application Gateways, Front Doors) whose backends are
a service to it; then every API's effective policy is worked out, once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iaclint.model.azure.apim.effective import plan_reading, resolve_paths
from iaclint.model.azure.apim.entities import ApimApi, ApimProduct, ApimService, ApimWorkspace, PolicyRef
from iaclint.model.azure.common import Resolver, known
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import linker
from iaclint.resources import Resource
from iaclint.values import Value

T = TypeVar("T")


class _Symbols(Generic[T]):
    """Owners whose name cannot be known, by what their name is built from: a child named
    `concat(parameters('svc'), '/api')` is the child of the service named `parameters('svc')`,
    whatever that parameter holds. A name is its known prefix, its known suffix and the references
    it is built from (the loaders give an unknown parameter a pseudo-reference of its own); a
    child's name is its owner's with one more `/segment` at the end."""

    def __init__(self, items: Iterable[T], name: Callable[[T], Value]) -> None:
        self.by_key: dict[tuple[str, str, frozenset[str]], list[T]] = {}
        for item in items:
            v = name(item)
            refs = _own_refs(v)
            if v.is_unknown and refs:
                self.by_key.setdefault((v.known_prefix(), v.known_suffix(), refs), []).append(item)

    def owner(self, child: Value) -> list[T]:
        suffix = child.known_suffix()
        refs = _own_refs(child)
        if not child.is_unknown or not refs or "/" not in suffix:
            return []
        return self.by_key.get((child.known_prefix(), suffix[: suffix.rindex("/")], refs), [])


def _own_refs(v: Value) -> frozenset[str]:
    # Without the `<collection>:<name>` pseudo-references a known id tail adds (they name the
    # child itself, not what it is built from).
    return frozenset(r for r in v.refs if ":" not in r.rsplit("#", 1)[-1])


def _shared(a: str, b: str) -> int:
    """How many leading characters two addresses share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _find(
    child: Resource, resolver: Resolver[T], symbols: _Symbols[T], full_name: Value, *values: Value
) -> list[T]:
    """The owner a child names: by reference or known name, else by the symbols its name is built
    from. Of several owners with that name (the instances of a module called in a loop, each
    declaring a service of the same name) the one declared nearest the child is taken: the one whose
    address shares the longest start with the child's."""
    found = resolver.resolve(*values) or symbols.owner(full_name)
    if len(found) > 1:
        addr = child.address
        found = [max(found, key=lambda o: _shared(addr, o.resource.address))]  # type: ignore[attr-defined]
    return found[:1]


@linker(30)
def link(az: AzureModel) -> None:
    plan_reading(az.policies)
    services = Resolver(az.services, lambda s: s.resource.address, lambda s: known(s.name))
    apis = Resolver(az.apis, lambda a: a.resource.address, lambda a: known(a.name))
    products = Resolver(az.products, lambda p: p.resource.address, lambda p: known(p.name))
    operations = Resolver(az.operations, lambda o: o.resource.address, lambda o: known(o.name))
    svc_syms = _Symbols(az.services, lambda s: s.name)
    api_syms = _Symbols(az.apis, lambda a: a.name)
    prod_syms = _Symbols(az.products, lambda p: p.name)
    op_syms = _Symbols(az.operations, lambda o: o.name)
    workspaces = Resolver(az.workspaces, lambda w: w.resource.address, lambda w: known(w.name))
    ws_syms = _Symbols(az.workspaces, lambda w: w.name)
    for dom in az.custom_domains:
        for svc in services.resolve(dom.service_ref)[:1]:
            svc.hostnames.extend(dom.hostnames)
    for ws in az.workspaces:
        for svc in _find(ws.resource, services, svc_syms, ws.name, ws.service_ref, ws.service_name):
            ws.service = svc
    # A workspace's APIs and products are its service's, through the workspace.

    def owners(e: ApimApi | ApimProduct, workspace_ref: Value) -> list[ApimService]:
        """The service `e` belongs to, directly or through its workspace (which it records)."""
        if e.workspace_name.is_absent:
            return _find(e.resource, services, svc_syms, e.name, e.service_ref, e.service_name)
        ws = (workspace_ref, e.workspace_name)
        e.workspace = next(iter(_find(e.resource, workspaces, ws_syms, e.name, *ws)), None)
        return _service_of(e.workspace)

    for api in az.apis:
        for svc in owners(api, api.workspace_ref):
            api.service = svc
            svc.apis.append(api)
    # (A product keeps no reference of its own to a workspace: `service_ref`, its name's references,
    # names its parents, the workspace among them.)
    for prod in az.products:
        for svc in owners(prod, prod.service_ref):
            prod.service = svc
            svc.products.append(prod)
    for op in az.operations:
        for api in _find(op.resource, apis, api_syms, op.name, op.api_ref, op.api_name):
            op.api = api
            api.operations.append(op)
    for b in az.backends:
        for svc in _find(b.resource, services, svc_syms, b.service_ref, b.service_ref, b.service_name):
            b.service = svc
            svc.backends.append(b)
    for link_ in az.product_apis:
        ref, pname = link_.product_ref, link_.product_name
        prods = _find(link_.resource, products, prod_syms, ref, ref, pname)
        for api in _find(link_.resource, apis, api_syms, link_.api_ref, link_.api_ref, link_.api_name):
            for prod in prods:
                if not any(prod is p for p in api.products):
                    api.products.append(prod)
    owners: dict[str, tuple[Resolver, _Symbols]] = {
        "global": (services, svc_syms),
        "product": (products, prod_syms),
        "api": (apis, api_syms),
        "operation": (operations, op_syms),
        "fragment": (services, svc_syms),
        "workspace": (workspaces, ws_syms),
        "workspace-fragment": (workspaces, ws_syms),
    }
    orphans: list[PolicyRef] = []
    for pol in az.policies:
        resolver, symbols = owners[pol.scope]
        found = _find(pol.resource, resolver, symbols, pol.owner_ref, pol.owner_ref, pol.owner_name)
        for owner in found:
            if pol.scope in ("fragment", "workspace-fragment"):
                owner.fragments.append(pol)
            else:
                owner.policies.append(pol)
        if not found and pol.scope in ("global", "fragment"):
            orphans.append(pol)
    _undeclared_globals(az, orphans)
    _link_fronts(az, services)
    resolve_paths(az.apis)


def _service_of(ws: ApimWorkspace | None) -> list[ApimService]:
    return [ws.service] if ws is not None and ws.service is not None else []


def _owner_keys(full: Value, ref: Value, name: Value) -> set[tuple[object, ...]]:
    """What names an owner that is not declared here, from a child's side: its known name, the
    references naming it (a Bicep `existing` symbol, a Terraform data source), or the symbols an
    unknown full name is built from (see `_Symbols`)."""
    keys: set[tuple[object, ...]] = set()
    text = name.as_str()
    if text:
        if "/providers/" in text.lower():
            text = text.rstrip("/").rsplit("/", 1)[-1]  # a resource id names it by its last segment
        keys.add(("name", text.lower()))
    refs = frozenset(r for r in _own_refs(ref) if not r.startswith("parameters("))
    if refs:
        keys.add(("refs", refs))
    suffix = full.known_suffix()
    own = _own_refs(full)
    if full.is_unknown and own and "/" in suffix:
        parent = suffix[: suffix.rindex("/")]
        keys.add(("symbol", full.known_prefix(), parent, own))
        # Built from the same parameters in the same way, whichever `existing` symbol (each file
        # declares its own) it was written through: the same name, so the same service.
        params = frozenset(r for r in own if r.startswith("parameters("))
        if params:
            keys.add(("params", full.known_prefix(), parent, params))
    return keys


def _undeclared_globals(az: AzureModel, orphans: list[PolicyRef]) -> None:
    """A service the scan does not declare (Bicep `existing`, a data source, a parameter naming a
    service deployed elsewhere) whose global policy or policy fragments it does declare: its APIs
    run under that policy, with those fragments."""
    if not orphans:
        return
    by_key: dict[tuple[object, ...], list[PolicyRef]] = {}
    for pol in orphans:
        for key in _owner_keys(pol.owner_ref, pol.owner_ref, pol.owner_name):
            by_key.setdefault(key, []).append(pol)
    for api in az.apis:
        if api.service is not None:
            continue
        keys = sorted(_owner_keys(api.name, api.service_ref, api.service_name), key=repr)
        for scope in ("global", "fragment"):
            for key in keys:
                found = [p for p in by_key.get(key, []) if p.scope == scope]
                if found:
                    if scope == "global":
                        api.undeclared_global = found[:1]
                    else:
                        api.undeclared_fragments = found
                    break


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
