"""Front Door fields of Terraform azurerm resources."""

from __future__ import annotations

from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.frontdoor import build
from iaclint.model.azure.frontdoor.entities import FrontDoorPart
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value


@reads("azurerm", "azurerm_cdn_frontdoor_profile")
def _profile(r: Resource, az: AzureModel) -> None:
    fd = build.profile(r, r.body.get("name"))
    az.front_doors.append(fd)
    az.fronts.append(fd.front)


@reads("azurerm", "azurerm_cdn_frontdoor_custom_domain")
def _custom_domain(r: Resource, az: AzureModel) -> None:
    minimum = r.body.first("tls").get("minimum_tls_version")
    az.frontdoor_endpoints.append(build.custom_domain(r, Setting(minimum, "tls.minimum_tls_version")))


@reads("azurerm", "azurerm_cdn_frontdoor_route")
def _route(r: Resource, az: AzureModel) -> None:
    b = r.body
    # azurerm: https_redirect_enabled defaults to true.
    az.frontdoor_endpoints.append(
        build.route(
            r,
            Setting(b.get("supported_protocols"), "supported_protocols"),
            Setting(b.get("https_redirect_enabled"), "https_redirect_enabled"),
            redirect_default=True,
        )
    )


@reads("azurerm", "azurerm_cdn_frontdoor_security_policy")
def _security_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    profile = b.get("cdn_frontdoor_profile_id")
    for sp in b.get("security_policies").elements():
        for fw in sp.get("firewall").elements():
            az.fd_parts.append(
                FrontDoorPart(r, profile, profile, "waf", fw.get("cdn_frontdoor_firewall_policy_id"))
            )


@reads("azurerm", "azurerm_cdn_frontdoor_origin_group")
def _origin_group(r: Resource, az: AzureModel) -> None:
    # Origins name their group, which names the profile.
    profile = r.body.get("cdn_frontdoor_profile_id")
    az.fd_parts.append(FrontDoorPart(r, profile, profile, "group", Value.absent()))


@reads("azurerm", "azurerm_cdn_frontdoor_origin")
def _origin(r: Resource, az: AzureModel) -> None:
    group = r.body.get("cdn_frontdoor_origin_group_id")
    az.fd_parts.append(FrontDoorPart(r, group, group, "target", r.body.get("host_name")))


@reads("azurerm", "azurerm_frontdoor")
def _classic(r: Resource, az: AzureModel) -> None:
    """Routing rules that accept Http without redirecting to HTTPS, WAF policy links on frontend
    endpoints, backend addresses (the APIM gateway behind it)."""
    b = r.body
    rules: list[tuple[Setting, Value | None]] = []
    for i, rule in enumerate(b.get("routing_rule").elements()):
        red = rule.first("redirect_configuration")
        rules.append(
            (
                Setting(rule.get("accepted_protocols"), f"routing_rule[{i}].accepted_protocols"),
                red.get("redirect_protocol") if not red.is_null else None,
            )
        )
    frontends: list[Setting] = []
    links: list[tuple[str, Value]] = []
    endpoints = b.get("frontend_endpoint")
    for i, fe in enumerate(endpoints.elements()):
        link = fe.get("web_application_firewall_policy_link_id") if fe.is_known else fe
        links.append((fe.get("name").as_str() or str(i), link))
        # Provider 2.x: HTTPS settings inline in the frontend endpoint.
        chc = fe.first("custom_https_configuration")
        if not chc.is_null:
            attr = f"frontend_endpoint[{i}].custom_https_configuration.minimum_tls_version"
            frontends.append(Setting(chc.get("minimum_tls_version"), attr))
    backends = [
        be.get("address")
        for pool in b.get("backend_pool").elements()
        for be in pool.get("backend").elements()
    ]
    # Provider 3.x/4.x: a `backend_pool_settings` block; 2.x: a top-level argument.
    key = "enforce_backend_pools_certificate_name_check"
    check = Setting(b.first("backend_pool_settings").get(key), f"backend_pool_settings.{key}")
    if check.value.is_absent and not b.get(key).is_absent:
        check = Setting(b.get(key), key)
    fd = build.classic(r, b.get("name"), rules, frontends, endpoints, links, backends, check)
    az.front_doors.append(fd)
    az.fronts.append(fd.front)


@reads("azurerm", "azurerm_frontdoor_custom_https_configuration")
def _custom_https(r: Resource, az: AzureModel) -> None:
    """HTTPS on a classic frontend endpoint. Provider 3.x/4.x only report `minimum_tls_version`
    (computed); when written it is read like ARM's."""
    b = r.body
    if b.get("custom_https_provisioning_enabled").as_bool() is False:
        return
    chc = b.first("custom_https_configuration")
    block = chc if not chc.is_null else b
    minimum = Setting(block.get("minimum_tls_version"), "custom_https_configuration.minimum_tls_version")
    az.frontdoor_endpoints.append(build.classic_frontend(r, minimum))
