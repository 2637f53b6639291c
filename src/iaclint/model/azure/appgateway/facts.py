"""What Application Gateways mean for the standard: the endpoints they serve (the gateway and its
SSL profiles with policies of their own), the cipher suites they list, and client certificates
asked for in SSL profiles with the trusted certificates to validate them."""

from __future__ import annotations

from iaclint.model.azure.appgateway.entities import AppGateway, SslProfile
from iaclint.model.azure.tls import weak_cipher
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Cipher, ClientAuth, Decision, Setting


@builder
def appgateway(d: Derivation) -> None:
    for gw in d.model.azure.app_gateways:
        _gateway(d, gw)


def _gateway(d: Derivation, gw: AppGateway) -> None:
    endpoint = gw.endpoint.fact()
    d.facts.endpoints.append(endpoint)
    d.facts.endpoints.extend(ep.fact() for ep in gw.profile_endpoints)
    for c in gw.ciphers:
        # A configured custom cipher suite is offered.
        offered = Decision.no(c.setting, f"{c.setting.attribute} lists it")
        endpoint.ciphers.append(Cipher(c.suite, offered, weak_cipher(c.suite) or ""))
    for prof in gw.profiles:
        if not prof.client_auth.value.is_null:
            endpoint.client_auths.append(ClientAuth(prof.client_auth, _truststore(prof)))


def _truststore(prof: SslProfile) -> Decision:
    v, attr = prof.trusted_certs.value, prof.trusted_certs.attribute
    if v.is_unknown:
        return Decision.unknown(prof.trusted_certs, f"{attr} is {v.describe()}")
    if v.elements():
        return Decision.yes(prof.trusted_certs)
    return Decision.no(
        Setting(prof.value, attr),
        f"SSL profile {prof.name!r} has no trusted client certificates ({attr} is {v.describe()})",
    )
