"""Front Door fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure.armfields import get, name, parent_name, props
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.frontdoor import build
from iaclint.model.azure.frontdoor.entities import FrontDoorPart
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value


@reads("arm", "Microsoft.Cdn/profiles")
def _profile(r: Resource, az: AzureModel) -> None:
    sku_v = get(r.body, "sku", "name")
    sku = (sku_v.as_str() or "").lower()
    if sku and "frontdoor" not in sku:
        return  # a classic CDN profile
    fd = build.profile(r, name(r), Setting(sku_v, "sku.name") if sku_v.is_unknown else None)
    az.front_doors.append(fd)
    az.fronts.append(fd.front)


@reads("arm", "Microsoft.Cdn/profiles/customDomains")
def _custom_domain(r: Resource, az: AzureModel) -> None:
    minimum = get(props(r), "tlsSettings", "minimumTlsVersion")
    az.frontdoor_endpoints.append(
        build.custom_domain(r, Setting(minimum, "properties.tlsSettings.minimumTlsVersion"))
    )


@reads("arm", "Microsoft.Cdn/profiles/afdEndpoints/routes")
def _route(r: Resource, az: AzureModel) -> None:
    p = props(r)
    # ARM: httpsRedirect defaults to Disabled, supportedProtocols to [Http, Https].
    az.frontdoor_endpoints.append(
        build.route(
            r,
            Setting(get(p, "supportedProtocols"), "properties.supportedProtocols"),
            Setting(get(p, "httpsRedirect"), "properties.httpsRedirect"),
            redirect_default=False,
        )
    )


@reads("arm", "Microsoft.Cdn/profiles/securityPolicies")
def _security_policy(r: Resource, az: AzureModel) -> None:
    ref = get(props(r), "parameters", "wafPolicy", "id")
    az.fd_parts.append(FrontDoorPart(r, parent_name(r), name(r), "waf", ref))


@reads("arm", "Microsoft.Cdn/profiles/originGroups/origins")
def _origin(r: Resource, az: AzureModel) -> None:
    az.fd_parts.append(FrontDoorPart(r, parent_name(r, 2), name(r), "target", get(props(r), "hostName")))


@reads("arm", "Microsoft.Network/frontDoors")
def _classic(r: Resource, az: AzureModel) -> None:
    p = props(r)
    rules: list[tuple[Setting, Value | None]] = []
    for i, rule in enumerate(get(p, "routingRules").elements()):
        rp = get(rule, "properties")
        rc = get(rp, "routeConfiguration")
        odata = (get(rc, "@odata.type").as_str() or "").lower()
        redirect = get(rc, "redirectProtocol") if "redirectconfiguration" in odata else Value.absent()
        attr = f"properties.routingRules[{i}].properties.acceptedProtocols"
        rules.append((Setting(get(rp, "acceptedProtocols"), attr), redirect))
    frontends: list[Setting] = []
    links: list[tuple[str, Value]] = []
    endpoints = get(p, "frontendEndpoints")
    for i, fe in enumerate(endpoints.elements()):
        fp = get(fe, "properties")
        link = get(fp, "webApplicationFirewallPolicyLink", "id") if fe.is_known else fe
        links.append((get(fe, "name").as_str() or str(i), link))
        chc = get(fp, "customHttpsConfiguration")
        if not chc.is_null:
            attr = f"properties.frontendEndpoints[{i}].properties.customHttpsConfiguration.minimumTlsVersion"
            frontends.append(Setting(get(chc, "minimumTlsVersion"), attr))
    backends = [
        get(b, "address")
        for pool in get(p, "backendPools").elements()
        for b in get(pool, "properties", "backends").elements()
    ]
    check = Setting(
        get(p, "backendPoolsSettings", "enforceCertificateNameCheck"),
        "properties.backendPoolsSettings.enforceCertificateNameCheck",
    )
    fd = build.classic(r, name(r), rules, frontends, endpoints, links, backends, check)
    az.front_doors.append(fd)
    az.fronts.append(fd.front)
