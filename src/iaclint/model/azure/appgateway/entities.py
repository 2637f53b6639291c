"""Application Gateways as the platform has them."""

from __future__ import annotations

from iaclint.model.azure.common import Cipher, TlsEndpoint
from iaclint.model.azure.waf.entities import Front
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


@record(frozen=True)
class SslProfile:
    """An Application Gateway SSL profile; mTLS when it has client authentication configured."""

    value: Value
    name: str
    trusted_certs: Setting
    client_auth: Setting


@record(eq=False)
class AppGateway:
    """An Application Gateway: its endpoints, SSL profiles, cipher suites and WAF front."""

    resource: Resource
    endpoint: TlsEndpoint
    # SSL profiles with an SSL policy of their own are endpoints too.
    profile_endpoints: list[TlsEndpoint]
    front: Front
    profiles: list[SslProfile]
    # Custom cipher suites configured in the SSL policy (S1.4).
    ciphers: list[Cipher]
