"""Platform entities every cloud shares, and the model that holds a scope's entities.

Adapters (`model/<cloud>/<service>/`) fill the model from resources of any language; a check never
sees syntax. Every fact is a `Value`, so it keeps its span and provenance; every fact also carries
the attribute path it came from (in the source language's terms), for messages and fingerprints.

Shared here: client-facing TLS endpoints (with their client-certificate setup) and WAF rules. The
entities of one platform service live in its package (`model/aws/apigateway/entities.py`,
`model/azure/apim/entities.py`); `model/scope_model.py` holds a scope's entities of every cloud.
Links between entities are resolved once per scope, after every adapter ran; until then an entity
holds the raw reference Values (`*_ref`), afterwards its linked lists hold the entities themselves.
Entities that get linked are mutable for that reason only.
"""

from __future__ import annotations

from dataclasses import field

from iaclint.model.facts import TLS_ORDER, PlainHttp, TlsFloor, tls_label
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

__all__ = ["TLS_ORDER", "PlainHttp", "TlsFloor", "tls_label"]  # re-exported: adapters import them here


@record(frozen=True)
class MutualTls:
    """A client-certificate (mTLS) configuration on an endpoint (S2.1)."""

    # The configuration block itself (where to report when a member is missing).
    block: Value
    truststore: Value
    truststore_attribute: str
    version: Value
    version_attribute: str


@record(eq=False)
class Endpoint:
    """A client-facing TLS endpoint: a custom domain, a default API endpoint, a listener, a
    distribution."""

    platform: str
    kind: str
    resource: Resource
    tls: TlsFloor | None = None
    http: list[PlainHttp] = field(default_factory=list)
    # Whether this is a custom domain of an API gateway (where mTLS can be configured, S2.3).
    custom_domain: bool = False
    mtls: MutualTls | None = None
    # Where mTLS is configured on this endpoint, in the language's terms (for messages and for the
    # place to report its absence); adapters of other languages than Terraform set it.
    mtls_attribute: str = "mutual_tls_authentication"
    # Endpoint access mode for enhanced policies (API Gateway); None when it does not apply.
    access_mode: Value | None = None
    access_mode_attribute: str = ""

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"{self.platform} {self.kind} {self.resource.address}"


@record(frozen=True)
class WafRule:
    """One rule of a web ACL or WAF policy, reduced to what S5.x asks."""

    name: str
    value: Value
    # "block", "allow", "count", "captcha", "challenge", "none" (rule group runs as configured),
    # or None when unknown.
    action: str | None
    action_value: Value
    rate_based: bool = False
    # The statement references an IP set (allow-list or deny-list; see `ip_allow`).
    ip_set: bool = False
    # The rule allows only listed addresses: an IP-set allow, or a block of everything not in one.
    ip_allow: bool = False
    # References a rule group whose content is not in the model.
    group: bool = False

    @property
    def blocks(self) -> bool:
        return self.action in ("block", "captcha", "challenge", "none")
