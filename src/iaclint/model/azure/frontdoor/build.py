"""What Front Door settings mean, for every language: minimum TLS versions (and the default), which
routes and routing rules serve plain HTTP."""

from __future__ import annotations

from iaclint.model.azure import tls
from iaclint.model.azure.common import TlsEndpoint
from iaclint.model.azure.frontdoor.entities import FrontDoor
from iaclint.model.azure.waf.entities import Front
from iaclint.model.facts import Decision, PlainHttp, Setting, TlsFloor
from iaclint.resources import Resource
from iaclint.values import Value

KIND = "Front Door"
CLASSIC = "Front Door (classic)"


def floor(minimum: Setting) -> TlsFloor:
    v, attribute = minimum.value, minimum.attribute
    if v.is_unknown:
        return TlsFloor(v, None, attribute, reason=v.reason)
    if v.is_null:
        # Front Door applies TLS 1.2 when no minimum is given (TLS 1.0/1.1 are being retired).
        return TlsFloor(v, "1.2", attribute, reason="TLS 1.2 is the default minimum")
    lowest = tls.frontdoor_minimum(v.as_str() or "")
    return TlsFloor(
        v, lowest, attribute, reason="" if lowest else f"{v.describe()} is not a version iaclint knows"
    )


def route_http(protocols: Setting, redirect: Setting, redirect_default: bool) -> PlainHttp:
    """A Front Door route accepting Http (the default accepts both) serves plain text unless it
    redirects to HTTPS; `redirect_default` is what an absent redirect setting means in the language
    (ARM `httpsRedirect` Disabled, azurerm `https_redirect_enabled` true)."""
    pv, rv = protocols.value, redirect.value
    if pv.is_unknown:
        return PlainHttp(pv, protocols.attribute, None, pv.reason)
    names = [(e.as_str() or "").lower() for e in pv.elements()] if not pv.is_null else ["http", "https"]
    if "http" not in names:
        return PlainHttp(pv, protocols.attribute, False)
    if rv.is_unknown:
        return PlainHttp(rv, redirect.attribute, None, rv.reason)
    on = redirect_default if rv.is_null else (rv.as_str() or "").lower() in ("enabled", "true")
    if rv.is_null:
        return PlainHttp(pv, protocols.attribute, not on)
    return PlainHttp(rv, redirect.attribute, not on)


def route(r: Resource, protocols: Setting, redirect: Setting, redirect_default: bool) -> TlsEndpoint:
    return TlsEndpoint(r, f"{KIND} route", http=(route_http(protocols, redirect, redirect_default),))


def custom_domain(r: Resource, minimum: Setting) -> TlsEndpoint:
    return TlsEndpoint(r, f"{KIND} custom domain", floor(minimum))


def classic_rule_http(protocols: Setting, redirect: Value | None) -> PlainHttp | None:
    """A classic Front Door routing rule accepting Http serves plain text unless it redirects with
    protocol HttpsOnly (`redirect`: the redirect protocol of a redirect rule, None for a forwarding
    rule); None when it does not accept Http."""
    pv, attribute = protocols.value, protocols.attribute
    if pv.is_unknown:
        return PlainHttp(pv, attribute, None, pv.reason)
    names = [(e.as_str() or "").lower() for e in pv.elements()]
    if "http" not in names:
        return None
    if redirect is not None and redirect.is_unknown:
        return PlainHttp(redirect, attribute, None, redirect.reason)
    to_https = redirect is not None and (redirect.as_str() or "").lower() == "httpsonly"
    return PlainHttp(pv, attribute, not to_https)


def classic(
    r: Resource,
    name: Value,
    rules: list[tuple[Setting, Value | None]],
    frontends: list[Setting],
    endpoints: Value,
    links: list[tuple[str, Value]],
    backends: list[Value],
    name_check: Setting,
) -> FrontDoor:
    """A classic Front Door from its routing rules (accepted protocols, redirect protocol), the
    minimum TLS versions of its frontend endpoints with custom HTTPS, its frontend endpoints (the
    collection as written, and each one's name and WAF policy link) and backends. A WAF covers it
    when every frontend endpoint links one."""
    front = Front(
        r,
        CLASSIC,
        policy_refs=[p for _n, p in links if not p.is_null],
        targets=backends,
        name=name,
        uncovered=[n for n, p in links if p.is_null],
        unknown=[f"its frontend endpoints cannot be known: {endpoints.reason}"]
        if endpoints.is_unknown
        else [],
        how="a frontend endpoint has no WAF policy link (webApplicationFirewallPolicyLink)",
    )
    fd = FrontDoor(r, front, classic=True, name_check=name_check)
    for minimum in frontends:
        fd.endpoints.append(TlsEndpoint(r, f"{CLASSIC} frontend endpoint", floor(minimum)))
    http = [h for h in (classic_rule_http(p, red) for p, red in rules) if h is not None]
    if http:
        fd.endpoints.append(TlsEndpoint(r, CLASSIC, http=tuple(http)))
    return fd


def profile(r: Resource, name: Value, sku: Setting | None = None) -> FrontDoor:
    """A Front Door Standard/Premium profile; `sku` when it cannot be known whether the profile is
    one (a classic CDN profile has the same resource type), which leaves its exposure unknown."""
    how = "no security policy links a WAF policy to it"
    front = Front(r, KIND, name=name, how=how)
    if sku is not None:
        front.public = Decision.unknown(
            sku,
            f"whether it is a Front Door profile cannot be known ({sku.attribute} is {sku.value.describe()})",
        )
    return FrontDoor(r, front, classic=False)


def classic_frontend(r: Resource, minimum: Setting) -> TlsEndpoint:
    """A classic frontend endpoint's HTTPS configured in a resource of its own."""
    return TlsEndpoint(r, f"{CLASSIC} frontend endpoint", floor(minimum))


def name_check(check: Setting) -> Decision:
    """A classic Front Door checks its backends' certificate names unless told not to
    (`enforceCertificateNameCheck: 'Disabled'`, azurerm `enforce_backend_pools_certificate_name_check
    = false`); on when not given."""
    v, attr = check.value, check.attribute
    if v.is_null:
        return Decision.yes(check)
    text = (v.as_str() or "").strip().lower()
    on = text == "enabled" if text in ("enabled", "disabled") else v.as_bool()
    if on is None:
        return Decision.unknown(check, f"{attr} is {v.describe()}")
    if on:
        return Decision.yes(check)
    return Decision.no(check, f"{attr} is {v.describe()}: backend certificate names are not checked")
