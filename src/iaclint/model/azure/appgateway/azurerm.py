"""Application Gateway fields of Terraform azurerm resources."""

from __future__ import annotations

from iaclint.model.azure.appgateway import build
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

# azurerm 3.x/4.x call the network API at versions from 2023-02-01 on, where the platform default is
# AppGwSslPolicy20220101 (see tls.py for the documentation this rests on).
_DEFAULT = "AppGwSslPolicy20220101"
_DEFAULT_REASON = "no ssl_policy; the default for the network API versions the azurerm provider uses"


def _ssl_policy(block: Value, attribute: str) -> build.SslPolicyFields:
    def at(key: str) -> Setting:
        return Setting(block.get(key), f"{attribute}.{key}")

    return build.SslPolicyFields(
        block,
        attribute,
        at("policy_type"),
        at("policy_name"),
        at("min_protocol_version"),
        at("disabled_protocols"),
    )


@reads("azurerm", "azurerm_application_gateway")
def _gateway(r: Resource, az: AzureModel) -> None:
    b = r.body
    g = build.GatewayFields(
        r, b.get("name"), _ssl_policy(b.first("ssl_policy"), "ssl_policy"), _DEFAULT, _DEFAULT_REASON
    )
    g.policy_refs.append(b.get("firewall_policy_id"))
    for i, li in enumerate(b.get("http_listener").elements()):
        g.listeners.append(
            build.Listener(
                li, li.get("name").as_str() or "", li.get("protocol"), f"http_listener[{i}].protocol"
            )
        )
        g.policy_refs.append(li.get("firewall_policy_id"))
    for rc in b.get("redirect_configuration").elements():
        g.redirects[rc.get("name").as_str() or ""] = build.Redirect(
            rc.get("target_url"), rc.get("target_listener_name").as_str()
        )
    for rule in b.get("request_routing_rule").elements():
        listener = rule.get("http_listener_name").as_str()
        ref = rule.get("redirect_configuration_name")
        if listener and not ref.is_null:
            g.rule_redirects[listener] = (ref, ref.as_str())
    for i, prof in enumerate(b.get("ssl_profile").elements()):
        attr = f"ssl_profile[{i}]"
        verify = prof.get("verify_client_cert_issuer_dn")
        client_auth = verify if not verify.is_null else prof.get("verify_client_certificate_revocation")
        g.profiles.append(
            build.ProfileFields(
                prof,
                prof.get("name").as_str() or str(i),
                _ssl_policy(prof.first("ssl_policy"), f"{attr}.ssl_policy"),
                Setting(
                    prof.get("trusted_client_certificate_names"), f"{attr}.trusted_client_certificate_names"
                ),
                Setting(client_auth, f"{attr}.verify_client_cert_issuer_dn"),
            )
        )
    g.ciphers = [
        Setting(c, f"ssl_policy.cipher_suites[{i}]")
        for i, c in enumerate(b.first("ssl_policy").get("cipher_suites").elements())
    ]
    waf = b.first("waf_configuration")
    g.inline_waf = waf
    g.inline_enabled = Setting(waf.get("enabled"), "waf_configuration.enabled")
    g.inline_mode = Setting(waf.get("firewall_mode"), "waf_configuration.firewall_mode")
    fes = b.get("frontend_ip_configuration")
    g.frontends = Setting(fes, "frontend_ip_configuration")
    for i, fe in enumerate(fes.elements()):
        ip = fe.get("public_ip_address_id") if fe.is_known else fe
        attr = f"frontend_ip_configuration[{i}].public_ip_address_id"
        g.public_ips.append((fe.get("name").as_str() or str(i), Setting(ip, attr)))
    sku = b.first("sku")
    g.sku = [Setting(sku.get(k), f"sku.{k}") for k in ("tier", "name")]
    for pool in b.get("backend_address_pool").elements():
        for key in ("fqdns", "ip_addresses"):
            v = pool.get(key)
            g.targets += v.elements() if v.is_known else ([v] if v.is_unknown else [])
    gw = build.gateway(g)
    az.fronts.append(gw.front)
    az.app_gateways.append(gw)
