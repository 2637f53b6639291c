"""Application Gateway fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure import tls
from iaclint.model.azure.appgateway import build
from iaclint.model.azure.armfields import get, name, props
from iaclint.model.azure.common import last_segment
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value


def _ssl_policy(block: Value, attribute: str) -> build.SslPolicyFields:
    def at(key: str) -> Setting:
        return Setting(get(block, key), f"{attribute}.{key}")

    return build.SslPolicyFields(
        block,
        attribute,
        at("policyType"),
        at("policyName"),
        at("minProtocolVersion"),
        at("disabledSslProtocols"),
    )


@reads("arm", "Microsoft.Network/applicationGateways")
def _gateway(r: Resource, az: AzureModel) -> None:
    p = props(r)
    api_version = get(r.body, "apiVersion").as_str()
    g = build.GatewayFields(
        r,
        name(r),
        _ssl_policy(get(p, "sslPolicy"), "properties.sslPolicy"),
        tls.appgw_default_policy(api_version),
        f"no sslPolicy; the default for API version {api_version}",
    )
    listeners = get(p, "httpListeners").elements()
    for i, li in enumerate(listeners):
        g.listeners.append(
            build.Listener(
                li,
                get(li, "name").as_str() or "",
                get(li, "properties", "protocol"),
                f"properties.httpListeners[{i}].properties.protocol",
            )
        )
        g.policy_refs.append(get(li, "properties", "firewallPolicy", "id"))
    for rc in get(p, "redirectConfigurations").elements():
        g.redirects[get(rc, "name").as_str() or ""] = build.Redirect(
            get(rc, "properties", "targetUrl"), last_segment(get(rc, "properties", "targetListener", "id"))
        )
    for rule in get(p, "requestRoutingRules").elements():
        listener = last_segment(get(rule, "properties", "httpListener", "id"))
        ref = get(rule, "properties", "redirectConfiguration", "id")
        if listener and not ref.is_null:
            g.rule_redirects[listener] = (ref, last_segment(ref))
    for i, prof in enumerate(get(p, "sslProfiles").elements()):
        pp = get(prof, "properties")
        attr = f"properties.sslProfiles[{i}].properties"
        g.profiles.append(
            build.ProfileFields(
                prof,
                get(prof, "name").as_str() or str(i),
                _ssl_policy(get(pp, "sslPolicy"), f"{attr}.sslPolicy"),
                Setting(get(pp, "trustedClientCertificates"), f"{attr}.trustedClientCertificates"),
                Setting(get(pp, "clientAuthConfiguration"), f"{attr}.clientAuthConfiguration"),
            )
        )
    g.ciphers = [
        Setting(c, f"properties.sslPolicy.cipherSuites[{i}]")
        for i, c in enumerate(get(p, "sslPolicy", "cipherSuites").elements())
    ]
    waf = get(p, "webApplicationFirewallConfiguration")
    g.inline_waf = waf
    g.inline_enabled = Setting(get(waf, "enabled"), "properties.webApplicationFirewallConfiguration.enabled")
    g.inline_mode = Setting(
        get(waf, "firewallMode"), "properties.webApplicationFirewallConfiguration.firewallMode"
    )
    g.policy_refs.insert(0, get(p, "firewallPolicy", "id"))
    fes = get(p, "frontendIPConfigurations")
    g.frontends = Setting(fes, "properties.frontendIPConfigurations")
    for i, fe in enumerate(fes.elements()):
        attr = f"properties.frontendIPConfigurations[{i}].properties.publicIPAddress"
        ip = get(fe, "properties", "publicIPAddress", "id") if fe.is_known else fe
        g.public_ips.append((get(fe, "name").as_str() or str(i), Setting(ip, attr)))
    g.sku = [Setting(get(p, "sku", k), f"properties.sku.{k}") for k in ("tier", "name")]
    for pool in get(p, "backendAddressPools").elements():
        for addr in get(pool, "properties", "backendAddresses").elements():
            fqdn = get(addr, "fqdn")
            g.targets.append(fqdn if not fqdn.is_null else get(addr, "ipAddress"))
    gw = build.gateway(g)
    az.fronts.append(gw.front)
    az.app_gateways.append(gw)
