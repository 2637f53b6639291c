"""Azure facts from Terraform azurerm resources, into the same entities as their ARM counterparts.
Child resources name their owner by name attributes (`api_management_name`, `api_name`), which are
references to the owner when written as `azurerm_api_management.x.name`; `links.py` tries both."""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.azure import common
from iaclint.model.azure.entities import (
    ApimApi,
    ApimBackend,
    ApimCustomDomain,
    ApimHostname,
    ApimOperation,
    ApimProduct,
    ApimService,
    AppGateway,
    AzureModel,
    Cipher,
    Front,
    FrontDoorPart,
    PolicyRef,
    ProductApiLink,
    Setting,
    SslProfile,
    WafPolicy,
)
from iaclint.model.azure.from_arm import api_protocols_http, classic_rule_http, frontdoor_floor, route_http
from iaclint.model.entities import Endpoint, Model, PlainHttp
from iaclint.resources import Resource
from iaclint.values import Value

# `security` block switches, current and deprecated names.
_FRONTEND = {
    "frontend_ssl30_enabled": "ssl3", "enable_frontend_ssl30": "ssl3",
    "frontend_tls10_enabled": "1.0", "enable_frontend_tls10": "1.0",
    "frontend_tls11_enabled": "1.1", "enable_frontend_tls11": "1.1",
}  # fmt: skip
_BACKEND = {
    "backend_ssl30_enabled": "ssl3", "enable_backend_ssl30": "ssl3",
    "backend_tls10_enabled": "1.0", "enable_backend_tls10": "1.0",
    "backend_tls11_enabled": "1.1", "enable_backend_tls11": "1.1",
}  # fmt: skip


def _join(*parts: Value) -> Value:
    """`svc/api` from name attributes when all are known; else the last part (its refs link)."""
    texts = [p.as_str() for p in parts]
    if all(texts):
        refs = tuple(r for p in parts for r in p.refs)
        return Value.known("/".join(t for t in texts if t), parts[-1].span, refs)
    return parts[-1]


def _service(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    sec = b.first("security")
    frontend: dict[str, Setting] = {}
    backend: dict[str, Setting] = {}
    ciphers: list[Cipher] = []
    for key, v in sec.items():
        s = Setting(v, f"security.{key}")
        if key in _FRONTEND:
            if not (v.is_null and _FRONTEND[key] in frontend):
                frontend[_FRONTEND[key]] = s
        elif key in _BACKEND:
            backend[_BACKEND[key]] = s
        elif key.endswith("_ciphers_enabled") or key == "enable_triple_des_ciphers":
            ciphers.append(Cipher(key.removesuffix("_ciphers_enabled").removeprefix("enable_"), s))
    if sec.is_unknown:
        frontend["1.0"] = Setting(sec, "security")
    floor = common.apim_floor(frontend, sec, "security")
    ep = Endpoint(platform="Azure", kind="API Management gateway", resource=r, tls=floor)
    model.endpoints.append(ep)
    hostnames = _hostnames(b.first("hostname_configuration"), "hostname_configuration.", _HOST_KINDS)
    svc = ApimService(
        resource=r,
        name=b.get("name"),
        endpoint=ep,
        frontend=frontend,
        backend=backend,
        ciphers=ciphers,
        client_cert=Setting(b.get("client_certificate_enabled"), "client_certificate_enabled"),
        hostnames=hostnames,
        ca_certificates=Setting(b.get("certificate"), "certificate"),
        vnet_type=Setting(b.get("virtual_network_type"), "virtual_network_type"),
    )
    az.services.append(svc)
    pol = b.first("policy")
    if not pol.is_null:
        _add_policy(r, az, "global", pol, Value.absent(), Value.known("", r.span, (r.address,)))


_HOST_KINDS = ("proxy", "management", "portal", "developer_portal", "scm")


def _hostnames(block: Value, prefix: str, kinds: tuple[str, ...]) -> list[ApimHostname]:
    """Host names of a `hostname_configuration` block or an `azurerm_api_management_custom_domain`
    (same nested blocks, the gateway one named `gateway` there instead of `proxy`)."""
    out: list[ApimHostname] = []
    for kind in kinds:
        for i, h in enumerate(block.get(kind).elements()):
            attr = f"{prefix}{kind}[{i}].negotiate_client_certificate"
            negotiate = Setting(h.get("negotiate_client_certificate"), attr)
            out.append(ApimHostname(h, h.get("host_name"), negotiate))
    return out


def _custom_domain(r: Resource, az: AzureModel, model: Model) -> None:
    kinds = ("gateway", "management", "portal", "developer_portal", "scm")
    az.custom_domains.append(
        ApimCustomDomain(r, r.body.get("api_management_id"), _hostnames(r.body, "", kinds))
    )


def _add_policy(
    r: Resource, az: AzureModel, scope: str, body: Value, owner_name: Value, owner_ref: Value
) -> None:
    link = body.get("xml_link")
    if not link.is_null:
        az.policies.append(PolicyRef(r, scope, link, "xml-link", owner_name, owner_ref))
        return
    # xml_content is raw XML (heredoc or file()), the same as ARM's rawxml.
    az.policies.append(PolicyRef(r, scope, body.get("xml_content"), "rawxml", owner_name, owner_ref))


def _api(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    svc = b.get("api_management_name")
    protocols = Setting(b.get("protocols"), "protocols")
    az.apis.append(
        ApimApi(
            resource=r,
            name=_join(svc, b.get("name")),
            service_name=svc,
            service_ref=svc,
            protocols=protocols,
            subscription_required=Setting(b.get("subscription_required"), "subscription_required"),
            service_url=Setting(b.get("service_url"), "service_url"),
        )
    )
    model.endpoints.append(
        Endpoint(
            platform="Azure", kind="API Management API", resource=r, http=[api_protocols_http(protocols)]
        )
    )


def _operation(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    svc, api = b.get("api_management_name"), b.get("api_name")
    az.operations.append(
        ApimOperation(r, _join(svc, api, b.get("operation_id")), _join(svc, api), api, b.get("method"))
    )


def _product(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    svc = b.get("api_management_name")
    az.products.append(
        ApimProduct(
            r, _join(svc, b.get("product_id")), svc, svc,
            Setting(b.get("subscription_required"), "subscription_required"),
        )
    )  # fmt: skip


def _product_api(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    svc = b.get("api_management_name")
    az.product_apis.append(
        ProductApiLink(r, _join(svc, b.get("product_id")), b.get("product_id"), _join(svc, b.get("api_name")),
                       b.get("api_name"))
    )  # fmt: skip


def _backend(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    t = b.first("tls")
    svc = b.get("api_management_name")
    az.backends.append(
        ApimBackend(
            r, svc, svc,
            Setting(b.get("url"), "url"),
            Setting(t.get("validate_certificate_chain"), "tls.validate_certificate_chain"),
            Setting(t.get("validate_certificate_name"), "tls.validate_certificate_name"),
        )
    )  # fmt: skip


def _policy(scope: str) -> Callable[[Resource, AzureModel, Model], None]:
    def adapt(r: Resource, az: AzureModel, model: Model) -> None:
        b = r.body
        svc = b.get("api_management_name")
        if scope == "global":
            owner = b.get("api_management_id")
            _add_policy(r, az, scope, b, owner, owner)
        elif scope == "product":
            _add_policy(r, az, scope, b, _join(svc, b.get("product_id")), b.get("product_id"))
        elif scope == "api":
            _add_policy(r, az, scope, b, _join(svc, b.get("api_name")), b.get("api_name"))
        else:
            op = b.get("operation_id")
            _add_policy(r, az, scope, b, _join(svc, b.get("api_name"), op), Value.absent())

    return adapt


_SSL_NAMES = {"type": "policy_type", "name": "policy_name", "min": "min_protocol_version",
              "disabled": "disabled_protocols"}  # fmt: skip


def _app_gateway(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    # azurerm 3.x/4.x call the network API at versions from 2023-02-01 on, where the platform default
    # is AppGwSslPolicy20220101 (see tls.py for the documentation this rests on).
    floor = common.appgw_floor(
        b.first("ssl_policy"), "ssl_policy", _SSL_NAMES, "AppGwSslPolicy20220101",
        "no ssl_policy; the default for the network API versions the azurerm provider uses",
    )  # fmt: skip
    listeners = b.get("http_listener").elements()
    protocol_of = {(li.get("name").as_str() or ""): li.get("protocol") for li in listeners}
    redirects = {(rc.get("name").as_str() or ""): rc for rc in b.get("redirect_configuration").elements()}
    rule_redirect: dict[str, Value] = {}
    for rule in b.get("request_routing_rule").elements():
        lname = rule.get("http_listener_name").as_str()
        red = rule.get("redirect_configuration_name")
        if lname and not red.is_null:
            rule_redirect[lname] = red
    http: list[PlainHttp] = []
    for i, li in enumerate(listeners):
        proto = li.get("protocol")
        if (proto.as_str() or "").lower() == "https":
            continue
        red_ref = rule_redirect.get(li.get("name").as_str() or "")
        target_https: bool | None = None
        if red_ref is not None:
            rc = redirects.get(red_ref.as_str() or "")
            if rc is not None:
                url = rc.get("target_url").as_str()
                tl = rc.get("target_listener_name").as_str()
                if url is not None:
                    target_https = url.lower().startswith("https://")
                elif tl is not None and tl in protocol_of:
                    tp = protocol_of[tl].as_str()
                    target_https = None if tp is None else tp.lower() == "https"
        http.append(common.listener_http(li, f"http_listener[{i}].protocol", proto, red_ref, target_https))
    ep = Endpoint(platform="Azure", kind="Application Gateway", resource=r, tls=floor, http=http)
    model.endpoints.append(ep)
    profiles: list[SslProfile] = []
    for i, prof in enumerate(b.get("ssl_profile").elements()):
        attr = f"ssl_profile[{i}]"
        sp = prof.first("ssl_policy")
        if not sp.is_null:
            pf = common.appgw_floor(sp, f"{attr}.ssl_policy", _SSL_NAMES, None, "")
            name = prof.get("name").as_str() or str(i)
            model.endpoints.append(
                Endpoint(platform="Azure", kind=f"Application Gateway SSL profile {name}", resource=r, tls=pf)
            )
        verify = prof.get("verify_client_cert_issuer_dn")
        revocation = prof.get("verify_client_certificate_revocation")
        client_auth = verify if not verify.is_null else revocation
        profiles.append(
            SslProfile(
                prof, prof.get("name").as_str() or str(i),
                Setting(prof.get("trusted_client_certificate_names"),
                        f"{attr}.trusted_client_certificate_names"),
                Setting(client_auth, f"{attr}.verify_client_cert_issuer_dn"),
            )
        )  # fmt: skip
    waf = b.first("waf_configuration")
    front = Front(
        r, "Application Gateway",
        inline_enabled=Setting(waf.get("enabled"), "waf_configuration.enabled") if not waf.is_null else None,
        inline_mode=Setting(waf.get("firewall_mode"), "waf_configuration.firewall_mode")
        if not waf.is_null else None,
    )  # fmt: skip
    if not b.get("firewall_policy_id").is_null:
        front.policy_refs.append(b.get("firewall_policy_id"))
    for li in listeners:
        if not li.get("firewall_policy_id").is_null:
            front.policy_refs.append(li.get("firewall_policy_id"))
    for pool in b.get("backend_address_pool").elements():
        for key in ("fqdns", "ip_addresses"):
            v = pool.get(key)
            front.targets += v.elements() if v.is_known else ([v] if v.is_unknown else [])
    ciphers = [
        Cipher(c.as_str() or "", Setting(c, f"ssl_policy.cipher_suites[{i}]"))
        for i, c in enumerate(b.first("ssl_policy").get("cipher_suites").elements())
    ]
    az.fronts.append(front)
    az.app_gateways.append(AppGateway(r, ep, front, profiles, ciphers))


def _appgw_waf(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    ps = b.first("policy_settings")
    rules = b.get("custom_rules")
    az.waf_policies.append(
        WafPolicy(
            r, "Application Gateway",
            Setting(ps.get("mode"), "policy_settings.mode"), "Prevention",
            Setting(ps.get("enabled"), "policy_settings.enabled"),
            [common.waf_rule(x, "name", "rule_type", "action") for x in rules.elements()],
            rules if rules.is_unknown else None,
        )
    )  # fmt: skip


def _fd_waf(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    rules = b.get("custom_rule")
    az.waf_policies.append(
        WafPolicy(
            r, "Front Door",
            Setting(b.get("mode"), "mode"), "Prevention",
            Setting(b.get("enabled"), "enabled"),
            [common.waf_rule(x, "name", "type", "action") for x in rules.elements()],
            rules if rules.is_unknown else None,
        )
    )  # fmt: skip


def _frontdoor_classic(r: Resource, az: AzureModel, model: Model) -> None:
    """`azurerm_frontdoor`: routing rules that accept Http without redirecting to HTTPS, WAF policy
    links on frontend endpoints, backend addresses (the APIM gateway behind it)."""
    b = r.body
    front = Front(r, "Front Door (classic)")
    http: list[PlainHttp] = []
    for i, rule in enumerate(b.get("routing_rule").elements()):
        red = rule.first("redirect_configuration")
        h = classic_rule_http(
            rule.get("accepted_protocols"), f"routing_rule[{i}].accepted_protocols",
            red.get("redirect_protocol") if not red.is_null else None,
        )  # fmt: skip
        if h is not None:
            http.append(h)
    for i, fe in enumerate(b.get("frontend_endpoint").elements()):
        ref = fe.get("web_application_firewall_policy_link_id")
        if not ref.is_null:
            front.policy_refs.append(ref)
        # Provider 2.x: HTTPS settings inline in the frontend endpoint.
        chc = fe.first("custom_https_configuration")
        if not chc.is_null:
            _classic_https(r, model, chc, f"frontend_endpoint[{i}].custom_https_configuration")
    if http:
        model.endpoints.append(Endpoint(platform="Azure", kind="Front Door (classic)", resource=r, http=http))
    for pool in b.get("backend_pool").elements():
        for be in pool.get("backend").elements():
            front.targets.append(be.get("address"))
    az.fronts.append(front)


def _classic_https(r: Resource, model: Model, chc: Value, attribute: str) -> None:
    model.endpoints.append(
        Endpoint(platform="Azure", kind="Front Door (classic) frontend endpoint", resource=r,
                 tls=frontdoor_floor(chc.get("minimum_tls_version"), f"{attribute}.minimum_tls_version"))
    )  # fmt: skip


def _frontdoor_custom_https(r: Resource, az: AzureModel, model: Model) -> None:
    """`azurerm_frontdoor_custom_https_configuration`: HTTPS on a classic frontend endpoint. Provider
    3.x/4.x only report `minimum_tls_version` (computed); when written it is read like ARM's."""
    b = r.body
    if b.get("custom_https_provisioning_enabled").as_bool() is False:
        return
    chc = b.first("custom_https_configuration")
    _classic_https(r, model, chc if not chc.is_null else b, "custom_https_configuration")


def _fd_profile(r: Resource, az: AzureModel, model: Model) -> None:
    az.fronts.append(Front(r, "Front Door"))


def _fd_custom_domain(r: Resource, az: AzureModel, model: Model) -> None:
    v = r.body.first("tls").get("minimum_tls_version")
    model.endpoints.append(
        Endpoint(platform="Azure", kind="Front Door custom domain", resource=r,
                 tls=frontdoor_floor(v, "tls.minimum_tls_version"))
    )  # fmt: skip


def _fd_route(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    # azurerm: https_redirect_enabled defaults to true.
    h = route_http(b.get("supported_protocols"), "supported_protocols", b.get("https_redirect_enabled"),
                   "https_redirect_enabled", True)  # fmt: skip
    model.endpoints.append(Endpoint(platform="Azure", kind="Front Door route", resource=r, http=[h]))


def _fd_security_policy(r: Resource, az: AzureModel, model: Model) -> None:
    b = r.body
    profile = b.get("cdn_frontdoor_profile_id")
    for sp in b.get("security_policies").elements():
        for fw in sp.get("firewall").elements():
            ref = fw.get("cdn_frontdoor_firewall_policy_id")
            az.fd_parts.append(FrontDoorPart(r, profile, profile, "waf", ref))


def adapt(resources: list[Resource], model: Model) -> None:
    az = model.azure
    if any(r.type == "azapi_resource" for r in resources):
        # azapi_resource bodies are ARM resources: the ARM adapters read them.
        from iaclint.model.azure import from_arm, from_azapi

        from_arm.adapt(from_azapi.arm_resources(resources), model)
    groups = {r.address: r for r in resources if r.type == "azurerm_cdn_frontdoor_origin_group"}
    for r in resources:
        if r.type == "azurerm_cdn_frontdoor_origin":
            # An origin belongs to a profile through its origin group.
            gref = r.body.get("cdn_frontdoor_origin_group_id")
            group = next((groups[a] for a in gref.refs if a in groups), None)
            profile = group.body.get("cdn_frontdoor_profile_id") if group else gref
            az.fd_parts.append(FrontDoorPart(r, profile, profile, "target", r.body.get("host_name")))
            continue
        fn = ADAPTERS.get(r.type)
        if fn is not None:
            fn(r, az, model)


ADAPTERS: dict[str, Callable[[Resource, AzureModel, Model], None]] = {
    # `azurerm_api_management_certificate` is not read: it holds certificates the gateway presents
    # (to backends) or serves from Key Vault, not the CA store client certificates are validated
    # against; that is the service's `certificate` block with `store_name`.
    "azurerm_api_management": _service,
    "azurerm_api_management_api": _api,
    "azurerm_api_management_api_operation": _operation,
    "azurerm_api_management_product": _product,
    "azurerm_api_management_product_api": _product_api,
    "azurerm_api_management_backend": _backend,
    "azurerm_api_management_policy": _policy("global"),
    "azurerm_api_management_product_policy": _policy("product"),
    "azurerm_api_management_api_policy": _policy("api"),
    "azurerm_api_management_api_operation_policy": _policy("operation"),
    "azurerm_application_gateway": _app_gateway,
    "azurerm_web_application_firewall_policy": _appgw_waf,
    "azurerm_cdn_frontdoor_firewall_policy": _fd_waf,
    # Classic Front Door WAF policies: the same mode/enabled/custom_rule shape.
    "azurerm_frontdoor_firewall_policy": _fd_waf,
    "azurerm_frontdoor": _frontdoor_classic,
    "azurerm_frontdoor_custom_https_configuration": _frontdoor_custom_https,
    "azurerm_api_management_custom_domain": _custom_domain,
    "azurerm_cdn_frontdoor_profile": _fd_profile,
    "azurerm_cdn_frontdoor_custom_domain": _fd_custom_domain,
    "azurerm_cdn_frontdoor_route": _fd_route,
    "azurerm_cdn_frontdoor_security_policy": _fd_security_policy,
}
