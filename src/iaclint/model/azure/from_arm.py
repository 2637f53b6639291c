"""Azure facts from ARM-shaped resources (ARM templates and Bicep share the shape: full type,
full `parent/child` name, body = the declaration with `properties`)."""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.azure import common, tls
from iaclint.model.azure.entities import (
    ApimApi,
    ApimBackend,
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
from iaclint.model.entities import Endpoint, Model, PlainHttp, TlsFloor
from iaclint.resources import Resource
from iaclint.values import Value

PREFIX = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
_FRONTEND = {"Protocols.Ssl30": "ssl3", "Protocols.Tls10": "1.0", "Protocols.Tls11": "1.1"}
_BACKEND = {
    "Backend.Protocols.Ssl30": "ssl3",
    "Backend.Protocols.Tls10": "1.0",
    "Backend.Protocols.Tls11": "1.1",
}


def _props(r: Resource) -> Value:
    return r.body.get("properties")


def _name(r: Resource) -> Value:
    return r.body.get("name")


def _parent_name(r: Resource, depth: int = 1) -> Value:
    """`svc/api/op` → `svc/api` (depth 1): the owner's full ARM name, or unknown with the refs."""
    v = _name(r)
    text = v.as_str()
    if text is None:
        return Value.unknown(v.reason or "the resource name cannot be known", v.span, v.refs)
    parts = text.split("/")
    if len(parts) <= depth:
        return Value.unknown("the parent is not named", v.span)
    return Value.known("/".join(parts[:-depth]), v.span)


def _service(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    cp = p.get("customProperties")
    base = "properties.customProperties"
    frontend: dict[str, Setting] = {}
    backend: dict[str, Setting] = {}
    ciphers: list[Cipher] = []
    for key, v in cp.items():
        if not key.lower().startswith(PREFIX.lower()):
            continue
        rest = key[len(PREFIX) :]
        s = Setting(v, f"{base}['{key}']")
        low = {k.lower(): val for k, val in _FRONTEND.items()}
        lowb = {k.lower(): val for k, val in _BACKEND.items()}
        if rest.lower() in low:
            frontend[low[rest.lower()]] = s
        elif rest.lower() in lowb:
            backend[lowb[rest.lower()]] = s
        elif rest.lower().startswith("ciphers."):
            ciphers.append(Cipher(rest[len("ciphers.") :], s))
    if cp.is_unknown:
        frontend["1.0"] = Setting(cp, base)
    floor = apim_floor_for(frontend, cp, base)
    ep = Endpoint(platform="Azure", kind="API Management gateway", resource=r, tls=floor)
    model.endpoints.append(ep)
    hostnames = [
        ApimHostname(
            h,
            h.get("hostName"),
            Setting(
                h.get("negotiateClientCertificate"),
                f"properties.hostnameConfigurations[{i}].negotiateClientCertificate",
            ),
        )
        for i, h in enumerate(p.get("hostnameConfigurations").elements())
    ]
    az.services.append(
        ApimService(
            resource=r,
            name=_name(r),
            endpoint=ep,
            frontend=frontend,
            backend=backend,
            ciphers=ciphers,
            client_cert=Setting(p.get("enableClientCertificate"), "properties.enableClientCertificate"),
            hostnames=hostnames,
            ca_certificates=Setting(p.get("certificates"), "properties.certificates"),
            vnet_type=Setting(p.get("virtualNetworkType"), "properties.virtualNetworkType"),
        )
    )


def apim_floor_for(frontend: dict[str, Setting], where: Value, attribute: str) -> TlsFloor:
    return common.apim_floor(frontend, where, attribute)


def _api(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    protocols = Setting(p.get("protocols"), "properties.protocols")
    api = ApimApi(
        resource=r,
        name=_name(r),
        service_name=_parent_name(r),
        service_ref=_name(r),
        protocols=protocols,
        subscription_required=Setting(p.get("subscriptionRequired"), "properties.subscriptionRequired"),
        service_url=Setting(p.get("serviceUrl"), "properties.serviceUrl"),
    )
    az.apis.append(api)
    model.endpoints.append(
        Endpoint(
            platform="Azure", kind="API Management API", resource=r, http=[api_protocols_http(protocols)]
        )
    )


def api_protocols_http(protocols: Setting) -> PlainHttp:
    """An APIM API with `http` (or `ws`) among its protocols serves plain text; absent means HTTPS."""
    v = protocols.value
    if v.is_unknown:
        return PlainHttp(v, protocols.attribute, None, v.reason)
    names = [e for e in v.elements()]
    if any(e.is_unknown for e in names):
        return PlainHttp(v, protocols.attribute, None, "a protocol cannot be known")
    plain = [e for e in names if (e.as_str() or "").lower() in ("http", "ws")]
    return PlainHttp(plain[0] if plain else v, protocols.attribute, bool(plain))


def _operation(r: Resource, az: AzureModel, model: Model) -> None:
    az.operations.append(ApimOperation(r, _name(r), _parent_name(r), _name(r), _props(r).get("method")))


def _product(r: Resource, az: AzureModel, model: Model) -> None:
    az.products.append(
        ApimProduct(
            r,
            _name(r),
            _parent_name(r),
            _name(r),
            Setting(_props(r).get("subscriptionRequired"), "properties.subscriptionRequired"),
        )
    )


def _product_api(r: Resource, az: AzureModel, model: Model) -> None:
    # `service/products/apis` named `svc/product/api`.
    name = _name(r).as_str()
    api_name = (
        Value.known("/".join(name.split("/")[:1] + name.split("/")[2:]), _name(r).span)
        if name and name.count("/") == 2
        else Value.unknown("the API name cannot be known", _name(r).span, _name(r).refs)
    )
    az.product_apis.append(ProductApiLink(r, _parent_name(r), _name(r), api_name, _name(r)))


def _product_api_link(r: Resource, az: AzureModel, model: Model) -> None:
    # `service/products/apiLinks` with `properties.apiId`.
    api_id = _props(r).get("apiId")
    last = common.last_segment(api_id)
    parent = _parent_name(r, 2)
    svc = parent.as_str()
    api_name = Value.known(f"{svc}/{last}", api_id.span) if svc and last else api_id
    az.product_apis.append(ProductApiLink(r, _parent_name(r), _name(r), api_name, api_id))


def _backend(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    t = p.get("tls")
    az.backends.append(
        ApimBackend(
            r,
            _parent_name(r),
            _name(r),
            Setting(p.get("url"), "properties.url"),
            Setting(t.get("validateCertificateChain"), "properties.tls.validateCertificateChain"),
            Setting(t.get("validateCertificateName"), "properties.tls.validateCertificateName"),
        )
    )


def _policy(scope: str, depth: int) -> Callable[[Resource, AzureModel, Model], None]:
    def adapt(r: Resource, az: AzureModel, model: Model) -> None:
        p = _props(r)
        fmt_v = p.get("format")
        fmt = (fmt_v.as_str() or "").lower() if not fmt_v.is_null else "xml"
        text = p.get("value")
        az.policies.append(
            PolicyRef(
                r,
                scope,
                text,
                fmt if not fmt_v.is_unknown else "",
                owner_name=_parent_name(r, depth),
                owner_ref=_name(r),
            )
        )

    return adapt


_APPGW_NAMES = {
    "type": "policyType",
    "name": "policyName",
    "min": "minProtocolVersion",
    "disabled": "disabledSslProtocols",
}


def _app_gateway(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    api_version = r.body.get("apiVersion").as_str()
    default = tls.appgw_default_policy(api_version)
    floor = common.appgw_floor(
        p.get("sslPolicy"),
        "properties.sslPolicy",
        _APPGW_NAMES,
        default,
        f"no sslPolicy; the default for API version {api_version}",
    )
    listeners = p.get("httpListeners").elements()
    redirects = {(rc.get("name").as_str() or ""): rc for rc in p.get("redirectConfigurations").elements()}
    protocol_of = {(li.get("name").as_str() or ""): li.path("properties", "protocol") for li in listeners}
    rule_redirect: dict[str, Value] = {}
    for rule in p.get("requestRoutingRules").elements():
        lname = common.last_segment(rule.path("properties", "httpListener", "id"))
        red = rule.path("properties", "redirectConfiguration", "id")
        if lname and not red.is_null:
            rule_redirect[lname] = red
    http: list[PlainHttp] = []
    for i, li in enumerate(listeners):
        proto = li.path("properties", "protocol")
        if (proto.as_str() or "").lower() == "https":
            continue
        lname = li.get("name").as_str() or ""
        red_ref = rule_redirect.get(lname)
        target_https: bool | None = None
        if red_ref is not None:
            rc = redirects.get(common.last_segment(red_ref) or "")
            if rc is not None:
                url = rc.path("properties", "targetUrl").as_str()
                tl = common.last_segment(rc.path("properties", "targetListener", "id"))
                if url is not None:
                    target_https = url.lower().startswith("https://")
                elif tl is not None and tl in protocol_of:
                    tp = protocol_of[tl].as_str()
                    target_https = None if tp is None else tp.lower() == "https"
        http.append(
            common.listener_http(
                li, f"properties.httpListeners[{i}].properties.protocol", proto, red_ref, target_https
            )
        )
    ep = Endpoint(platform="Azure", kind="Application Gateway", resource=r, tls=floor, http=http)
    model.endpoints.append(ep)
    profiles: list[SslProfile] = []
    for i, prof in enumerate(p.get("sslProfiles").elements()):
        pp = prof.get("properties")
        attr = f"properties.sslProfiles[{i}]"
        if not pp.get("sslPolicy").is_null:
            pf = common.appgw_floor(
                pp.get("sslPolicy"), f"{attr}.properties.sslPolicy", _APPGW_NAMES, None, ""
            )
            model.endpoints.append(
                Endpoint(
                    platform="Azure",
                    kind=f"Application Gateway SSL profile {prof.get('name').as_str() or i}",
                    resource=r,
                    tls=pf,
                )
            )
        profiles.append(
            SslProfile(
                prof,
                prof.get("name").as_str() or str(i),
                Setting(pp.get("trustedClientCertificates"), f"{attr}.properties.trustedClientCertificates"),
                Setting(pp.get("clientAuthConfiguration"), f"{attr}.properties.clientAuthConfiguration"),
            )
        )
    waf = p.get("webApplicationFirewallConfiguration")
    front = Front(
        r,
        "Application Gateway",
        inline_enabled=Setting(waf.get("enabled"), "properties.webApplicationFirewallConfiguration.enabled")
        if not waf.is_null
        else None,
        inline_mode=Setting(
            waf.get("firewallMode"), "properties.webApplicationFirewallConfiguration.firewallMode"
        )
        if not waf.is_null
        else None,
    )
    if not p.get("firewallPolicy").is_null:
        front.policy_refs.append(p.path("firewallPolicy", "id"))
    for li in listeners:
        ref = li.path("properties", "firewallPolicy", "id")
        if not ref.is_null:
            front.policy_refs.append(ref)
    for pool in p.get("backendAddressPools").elements():
        for addr in pool.path("properties", "backendAddresses").elements():
            front.targets.append(addr.get("fqdn") if not addr.get("fqdn").is_null else addr.get("ipAddress"))
    ciphers = [
        Cipher(c.as_str() or "", Setting(c, f"properties.sslPolicy.cipherSuites[{i}]"))
        for i, c in enumerate(p.path("sslPolicy", "cipherSuites").elements())
    ]
    az.fronts.append(front)
    az.app_gateways.append(AppGateway(r, ep, front, profiles, ciphers))


def _waf_policy(kind: str) -> Callable[[Resource, AzureModel, Model], None]:
    def adapt(r: Resource, az: AzureModel, model: Model) -> None:
        p = _props(r)
        ps = p.get("policySettings")
        custom = p.get("customRules")
        # App Gateway policies list rules directly; Front Door policies under `customRules.rules`.
        rules_v = custom if kind == "Application Gateway" else custom.get("rules")
        enabled_key = "state" if kind == "Application Gateway" else "enabledState"
        az.waf_policies.append(
            WafPolicy(
                r,
                kind,
                Setting(ps.get("mode"), "properties.policySettings.mode"),
                # Both policy kinds default to Prevention when mode is not given.
                "Prevention",
                Setting(ps.get(enabled_key), f"properties.policySettings.{enabled_key}"),
                [common.waf_rule(x, "name", "ruleType", "action") for x in rules_v.elements()],
                rules_v if rules_v.is_unknown else None,
            )
        )

    return adapt


def _fd_profile(r: Resource, az: AzureModel, model: Model) -> None:
    sku = (r.body.path("sku", "name").as_str() or "").lower()
    if sku and "frontdoor" not in sku:
        return  # a classic CDN profile
    az.fronts.append(Front(r, "Front Door"))


def _fd_custom_domain(r: Resource, az: AzureModel, model: Model) -> None:
    v = _props(r).path("tlsSettings", "minimumTlsVersion")
    model.endpoints.append(
        Endpoint(
            platform="Azure",
            kind="Front Door custom domain",
            resource=r,
            tls=frontdoor_floor(v, "properties.tlsSettings.minimumTlsVersion"),
        )
    )


def frontdoor_floor(v: Value, attribute: str) -> TlsFloor:
    if v.is_unknown:
        return TlsFloor(v, None, attribute, reason=v.reason)
    if v.is_null:
        # Front Door applies TLS 1.2 when no minimum is given (TLS 1.0/1.1 are being retired).
        return TlsFloor(v, "1.2", attribute, reason="TLS 1.2 is the default minimum")
    floor = tls.frontdoor_minimum(v.as_str() or "")
    return TlsFloor(
        v, floor, attribute, reason="" if floor else f"{v.describe()} is not a version iaclint knows"
    )


def route_http(
    protocols: Value, proto_attr: str, redirect: Value, redirect_attr: str, redirect_default: bool
) -> PlainHttp:
    """A Front Door route accepting Http serves plain text unless it redirects to HTTPS."""
    if protocols.is_unknown:
        return PlainHttp(protocols, proto_attr, None, protocols.reason)
    names = (
        [(e.as_str() or "").lower() for e in protocols.elements()]
        if not protocols.is_null
        else ["http", "https"]
    )
    if "http" not in names:
        return PlainHttp(protocols, proto_attr, False)
    if redirect.is_unknown:
        return PlainHttp(redirect, redirect_attr, None, redirect.reason)
    text = redirect.as_str()
    on = redirect_default if redirect.is_null else (text or "").lower() in ("enabled", "true")
    return PlainHttp(
        redirect if not redirect.is_null else protocols,
        redirect_attr if not redirect.is_null else proto_attr,
        not on,
    )


def _fd_route(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    # ARM: httpsRedirect defaults to Disabled, supportedProtocols to [Http, Https].
    h = route_http(
        p.get("supportedProtocols"),
        "properties.supportedProtocols",
        p.get("httpsRedirect"),
        "properties.httpsRedirect",
        False,
    )
    model.endpoints.append(Endpoint(platform="Azure", kind="Front Door route", resource=r, http=[h]))


def _fd_security_policy(r: Resource, az: AzureModel, model: Model) -> None:
    ref = _props(r).path("parameters", "wafPolicy", "id")
    az.fd_parts.append(FrontDoorPart(r, _parent_name(r), _name(r), "waf", ref))


def _fd_origin(r: Resource, az: AzureModel, model: Model) -> None:
    az.fd_parts.append(FrontDoorPart(r, _parent_name(r, 2), _name(r), "target", _props(r).get("hostName")))


def classic_rule_http(protos: Value, attribute: str, redirect: Value | None) -> PlainHttp | None:
    """A classic Front Door routing rule accepting Http serves plain text unless it redirects with
    protocol HttpsOnly; None when it does not accept Http."""
    if protos.is_unknown:
        return PlainHttp(protos, attribute, None, protos.reason)
    names = [(e.as_str() or "").lower() for e in protos.elements()]
    if "http" not in names:
        return None
    if redirect is not None and redirect.is_unknown:
        return PlainHttp(redirect, attribute, None, redirect.reason)
    to_https = redirect is not None and (redirect.as_str() or "").lower() == "httpsonly"
    return PlainHttp(protos, attribute, not to_https)


def _frontdoor_classic(r: Resource, az: AzureModel, model: Model) -> None:
    p = _props(r)
    front = Front(r, "Front Door (classic)")
    http: list[PlainHttp] = []
    for i, rule in enumerate(p.get("routingRules").elements()):
        rp = rule.get("properties")
        rc = rp.get("routeConfiguration")
        odata = (rc.get("@odata.type").as_str() or "").lower()
        redirect = rc.get("redirectProtocol") if "redirectconfiguration" in odata else Value.absent()
        attr = f"properties.routingRules[{i}].properties.acceptedProtocols"
        h = classic_rule_http(rp.get("acceptedProtocols"), attr, redirect)
        if h is not None:
            http.append(h)
    for i, fe in enumerate(p.get("frontendEndpoints").elements()):
        fp = fe.get("properties")
        ref = fp.path("webApplicationFirewallPolicyLink", "id")
        if not ref.is_null:
            front.policy_refs.append(ref)
        chc = fp.get("customHttpsConfiguration")
        if not chc.is_null:
            model.endpoints.append(
                Endpoint(
                    platform="Azure",
                    kind="Front Door (classic) frontend endpoint",
                    resource=r,
                    tls=frontdoor_floor(
                        chc.get("minimumTlsVersion"),
                        f"properties.frontendEndpoints[{i}].properties.customHttpsConfiguration"
                        ".minimumTlsVersion",
                    ),
                )
            )
    if http:
        model.endpoints.append(Endpoint(platform="Azure", kind="Front Door (classic)", resource=r, http=http))
    for pool in p.get("backendPools").elements():
        for b in pool.path("properties", "backends").elements():
            front.targets.append(b.get("address"))
    az.fronts.append(front)


ADAPTERS: dict[str, Callable[[Resource, AzureModel, Model], None]] = {
    "microsoft.apimanagement/service": _service,
    "microsoft.apimanagement/service/apis": _api,
    "microsoft.apimanagement/service/apis/operations": _operation,
    "microsoft.apimanagement/service/products": _product,
    "microsoft.apimanagement/service/products/apis": _product_api,
    "microsoft.apimanagement/service/products/apilinks": _product_api_link,
    "microsoft.apimanagement/service/backends": _backend,
    "microsoft.apimanagement/service/policies": _policy("global", 1),
    "microsoft.apimanagement/service/products/policies": _policy("product", 1),
    "microsoft.apimanagement/service/apis/policies": _policy("api", 1),
    "microsoft.apimanagement/service/apis/operations/policies": _policy("operation", 1),
    "microsoft.network/applicationgateways": _app_gateway,
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies": _waf_policy("Application Gateway"),
    "microsoft.network/frontdoorwebapplicationfirewallpolicies": _waf_policy("Front Door"),
    "microsoft.cdn/profiles": _fd_profile,
    "microsoft.cdn/profiles/customdomains": _fd_custom_domain,
    "microsoft.cdn/profiles/afdendpoints/routes": _fd_route,
    "microsoft.cdn/profiles/securitypolicies": _fd_security_policy,
    "microsoft.cdn/profiles/origingroups/origins": _fd_origin,
    "microsoft.network/frontdoors": _frontdoor_classic,
}


def adapt(resources: list[Resource], model: Model) -> None:
    for r in resources:
        fn = ADAPTERS.get(r.type.lower())
        if fn is not None:
            fn(r, model.azure, model)
