"""What API Management settings mean, decided once for every language: each reader (`arm.py` for
ARM, Bicep and azapi; `azurerm.py`) reads its own field names into the arguments here."""

from __future__ import annotations

from iaclint.model.azure.apim.entities import (
    ApimApi,
    ApimHostname,
    ApimService,
    PolicyRef,
)
from iaclint.model.azure.common import Cipher, TlsEndpoint, flag
from iaclint.model.facts import PlainHttp, Setting, TlsFloor
from iaclint.resources import Resource
from iaclint.values import Value

PROTOCOLS = ("ssl3", "1.0", "1.1")


_OFF_SINCE_2018 = "TLS 1.0/1.1 and SSL 3.0 are off unless enabled (post-2018 default)"


def gateway_floor(
    frontend: dict[str, Setting], where: Value, attribute: str, default: str = _OFF_SINCE_2018
) -> TlsFloor:
    """The lowest protocol an APIM gateway accepts from its Ssl30/Tls10/Tls11 switches (absent: off,
    the default for services created after April 2018; `default` says why for another gateway)."""
    undecided: Setting | None = None
    for version in PROTOCOLS:
        s = frontend.get(version)
        if s is None:
            continue
        on = flag(s.value)
        if on is True:
            return TlsFloor(s.value, version, s.attribute)
        if on is None and not s.value.is_null and undecided is None:
            undecided = s
    if undecided is not None:
        return TlsFloor(undecided.value, None, undecided.attribute, reason=undecided.value.reason)
    return TlsFloor(where, "1.2", attribute, reason=default)


def service(
    r: Resource,
    name: Value,
    security: Setting,
    frontend: dict[str, Setting],
    backend: dict[str, Setting],
    ciphers: list[Cipher],
    client_cert: Setting,
    hostnames: list[ApimHostname],
    ca_certificates: Setting,
    vnet_type: Setting,
    sku: Setting,
) -> ApimService:
    """A service from its protocol and cipher switches (`security`: the block that holds them; when
    the whole block is unknown, so is every switch)."""
    if security.value.is_unknown:
        frontend = {**frontend, "1.0": security}
    floor = gateway_floor(frontend, security.value, security.attribute)
    return ApimService(
        resource=r,
        name=name,
        endpoint=TlsEndpoint(r, "API Management gateway", floor),
        frontend=frontend,
        backend=backend,
        ciphers=ciphers,
        client_cert=client_cert,
        hostnames=hostnames,
        ca_certificates=ca_certificates,
        vnet_type=vnet_type,
        sku=sku,
    )


def protocols_http(protocols: Setting) -> PlainHttp:
    """An APIM API with `http` (or `ws`) among its protocols serves plain text; absent means HTTPS."""
    v = protocols.value
    if v.is_unknown:
        return PlainHttp(v, protocols.attribute, None, v.reason)
    names = v.elements()
    if any(e.is_unknown for e in names):
        return PlainHttp(v, protocols.attribute, None, "a protocol cannot be known")
    plain = [e for e in names if (e.as_str() or "").lower() in ("http", "ws")]
    return PlainHttp(plain[0] if plain else v, protocols.attribute, bool(plain))


def api(
    r: Resource,
    name: Value,
    service_name: Value,
    service_ref: Value,
    protocols: Setting,
    subscription_required: Setting,
    service_url: Setting,
) -> ApimApi:
    endpoint = TlsEndpoint(r, "API Management API", http=(protocols_http(protocols),))
    return ApimApi(
        r, name, service_name, service_ref, protocols, subscription_required, service_url, endpoint
    )


def policy(
    r: Resource, scope: str, text: Value, fmt: Value, owner_name: Value, owner_ref: Value, default_fmt: str
) -> PolicyRef:
    """A policy document; `fmt` is how its text is given (xml, rawxml, a link), `default_fmt` what an
    absent format means in the language."""
    kind = "" if fmt.is_unknown else (fmt.as_str() or "").lower() if not fmt.is_null else default_fmt
    return PolicyRef(r, scope, text, kind, owner_name=owner_name, owner_ref=owner_ref)


def gateway_hostname(r: Resource, tls10: Setting, tls11: Setting) -> TlsEndpoint:
    """A self-hosted gateway's host name: it accepts TLS 1.0 or 1.1 only where its switch turns it on
    (both are off unless enabled)."""
    floor = gateway_floor(
        {"1.0": tls10, "1.1": tls11}, r.body, tls10.attribute, "TLS 1.0 and 1.1 are off unless enabled"
    )
    return TlsEndpoint(r, "API Management self-hosted gateway host name", floor)
