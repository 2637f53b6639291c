"""What classic CDN settings mean, for every language: an endpoint serves plain HTTP unless HTTP is
switched off or a delivery rule redirects it to HTTPS; a custom domain's HTTPS accepts the TLS
versions its minimum allows."""

from __future__ import annotations

from iaclint.model.azure.cdn.entities import EndpointFields, Redirect
from iaclint.model.azure.common import TlsEndpoint
from iaclint.model.facts import PlainHttp, Setting, TlsFloor
from iaclint.resources import Resource
from iaclint.values import Value

KIND = "CDN endpoint"


def redirect(protocol: Value, conditions: list[tuple[Value, Value, Value]], global_rule: bool) -> Redirect:
    """A redirecting delivery rule from its destination protocol and its request-scheme conditions
    (`(match values, operator, negate)` each; other conditions make it match only some requests)."""
    if global_rule:
        return Redirect(protocol, True)
    if not conditions:
        return Redirect(protocol, False)
    for values, operator, negate in conditions:
        for v in (values, operator, negate):
            if v.is_unknown:
                return Redirect(protocol, None, v.reason or "a request-scheme condition cannot be known")
        op = (operator.as_str() or "Equal").lower()
        names = {(e.as_str() or "").upper() for e in values.elements()}
        if op != "equal" or negate.as_bool() is True or "HTTP" not in names:
            return Redirect(protocol, False)
    return Redirect(protocol, True)


def endpoint_http(e: EndpointFields) -> PlainHttp:
    """`isHttpAllowed` defaults to true: the endpoint serves plain HTTP unless it is false or a rule
    that matches plain HTTP requests redirects them to HTTPS."""
    v, attr = e.http_allowed.value, e.http_allowed.attribute
    if v.is_unknown:
        return PlainHttp(v, attr, None, v.reason)
    allowed = True if v.is_null else v.as_bool()
    if allowed is False:
        return PlainHttp(v, attr, False)
    if allowed is None:
        return PlainHttp(v, attr, None, "it is not a boolean")
    for r in e.redirects:
        text = r.protocol.as_str()
        if r.matches_http and text is not None and text.lower() == "https":
            return PlainHttp(r.protocol, attr, False)
    unknown = [r for r in e.redirects if r.matches_http is None or r.protocol.is_unknown]
    # Where a finding points stays the HTTP switch; the reason names what cannot be known.
    if unknown:
        why = unknown[0].unknown or unknown[0].protocol.reason or "a redirect rule cannot be known"
        return PlainHttp(
            v, attr, None, f"whether a delivery rule redirects it to HTTPS cannot be known: {why}"
        )
    if e.rules.is_unknown:
        return PlainHttp(v, attr, None, f"its delivery rules cannot be known: {e.rules.reason}")
    why = (
        "HTTP is allowed"
        + (" (the default)" if v.is_null else "")
        + " and no delivery rule redirects it to HTTPS"
    )
    return PlainHttp(v, attr, True, why)


def endpoint(r: Resource, e: EndpointFields) -> TlsEndpoint:
    return TlsEndpoint(r, KIND, http=(endpoint_http(e),))


# `minimumTlsVersion` / `tls_version`: None means no minimum, TLS10 TLS 1.0 and 1.1 (azurerm docs:
# "TLS10 (representing TLS 1.0/1.1), TLS12 (representing TLS 1.2) and None (representing no
# minimums). Defaults to TLS12").
_MINIMUM = {"none": "1.0", "tls10": "1.0", "tls12": "1.2"}


def custom_domain_floor(minimum: Setting, default: str | None) -> TlsFloor:
    """The lowest version a custom domain's HTTPS accepts; `default` applies when none is given (None:
    the platform documents none)."""
    v, attr = minimum.value, minimum.attribute
    if v.is_unknown:
        return TlsFloor(v, None, attr, reason=v.reason)
    if v.is_null:
        if default is None:
            return TlsFloor(v, None, attr, reason="no minimum TLS version is given")
        return TlsFloor(v, default, attr, reason=f"TLS {default} is the default minimum")
    text = (v.as_str() or "").strip().lower()
    lowest = _MINIMUM.get(text)
    if lowest is None:
        return TlsFloor(v, None, attr, reason=f"{v.describe()} is not a version iaclint knows")
    return TlsFloor(v, lowest, attr)


def custom_domain(r: Resource, minimum: Setting, default: str | None) -> TlsEndpoint:
    return TlsEndpoint(r, "CDN custom domain", custom_domain_floor(minimum, default))
