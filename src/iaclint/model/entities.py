"""The cloud-neutral model that checks read: endpoints, APIs and what protects them.

Adapters in `model/aws/` and `model/azure/` fill these from resources of any language; a check
never sees syntax. Every fact is a `Value`, so it keeps its span and provenance; every fact also
carries the attribute path it came from (in the source language's terms), for messages and
fingerprints.

Links between entities (domain → API, web ACL → stage, distribution → origin API, usage plan →
stage, method → authorizer) are resolved once, by `model/aws/links.py`, after all adapters ran.
Until then an entity holds the raw reference Values (`*_ref`); afterwards the linked lists hold
the entities themselves. Entities that get linked are mutable for that reason only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from iaclint.model.facts import TLS_ORDER, Facts, PlainHttp, TlsFloor, tls_label
from iaclint.resources import Resource
from iaclint.values import Value

__all__ = ["TLS_ORDER", "PlainHttp", "TlsFloor", "tls_label"]  # re-exported: adapters import them here

if TYPE_CHECKING:
    from iaclint.model.azure.entities import AzureModel


def _azure_model() -> AzureModel:
    # Imported late: the Azure entities build on the ones in this module.
    from iaclint.model.azure.entities import AzureModel

    return AzureModel()

@dataclass(frozen=True, slots=True)
class MutualTls:
    """A client-certificate (mTLS) configuration on an endpoint (S2.1)."""

    # The configuration block itself (where to report when a member is missing).
    block: Value
    truststore: Value
    truststore_attribute: str
    version: Value
    version_attribute: str


@dataclass(eq=False, slots=True)
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
    # Known host name (custom domains), matched against mappings that name the domain by string.
    host: Value = field(default_factory=Value.absent)
    # Linked: the APIs this endpoint serves (domain → API through mappings).
    apis: list[Api] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"{self.platform} {self.kind} {self.resource.address}"


@dataclass(eq=False, slots=True)
class DomainMapping:
    """A custom domain serving an API (base path mapping / API mapping)."""

    resource: Resource
    domain_ref: Value
    api_ref: Value
    stage_ref: Value = field(default_factory=Value.absent)


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    """One statement of a resource policy, reduced to what S5.4 asks."""

    value: Value
    effect: str | None
    # Condition keys used (lower-case, e.g. `aws:sourceip`) with their operators.
    conditions: tuple[tuple[str, str], ...] = ()


@dataclass(eq=False, slots=True)
class ResourcePolicy:
    """An API resource policy: inline on the API or in a resource of its own."""

    resource: Resource
    document: Value
    attribute: str
    # Parsed statements; None when the document cannot be known.
    statements: list[PolicyStatement] | None
    reason: str = ""
    api_ref: Value = field(default_factory=Value.absent)

    def restricts_network(self) -> bool:
        """An Allow conditioned on the caller's address / VPC endpoint, or a Deny of everyone
        outside them."""
        for st in self.statements or ():
            for key, op in st.conditions:
                if key not in ("aws:sourceip", "aws:sourcevpce", "aws:sourcevpc"):
                    continue
                negated = op.lower().startswith(("not", "stringnot", "arnnot"))
                if (st.effect == "Allow" and not negated) or (st.effect == "Deny" and negated):
                    return True
        return False


@dataclass(frozen=True, slots=True)
class WafRule:
    """One rule of a web ACL, reduced to what S5.x asks."""

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


@dataclass(eq=False, slots=True)
class WebAcl:
    resource: Resource
    default_action: str | None
    default_action_value: Value
    rules: list[WafRule]
    # Rules could not all be read (a dynamic block over an unknown collection).
    rules_unknown: Value | None = None

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def blocking_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.blocks]

    @property
    def counting_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.action == "count"]

    @property
    def rate_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.rate_based]

    def restricts_network(self) -> bool:
        return any(r.ip_allow for r in self.rules) or (
            self.default_action == "block" and any(r.ip_set and r.action == "allow" for r in self.rules)
        )


@dataclass(eq=False, slots=True)
class WafAssociation:
    """A web ACL attached to a resource (a stage, a distribution)."""

    resource: Resource
    acl_ref: Value
    target_ref: Value
    acls: list[WebAcl] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Throttle:
    """A throttling setting that applies to a stage."""

    resource: Resource
    value: Value
    attribute: str
    # Where it comes from: "method settings", "default route settings", "usage plan"...
    source: str
    # True when limits are set; False when the setting exists but sets no limit; None unknown.
    limited: bool | None


@dataclass(eq=False, slots=True)
class UsagePlan:
    resource: Resource
    # (api_ref, stage_ref) per covered stage.
    stage_refs: list[tuple[Value, Value]]
    throttle: Throttle | None


@dataclass(eq=False, slots=True)
class MethodSettings:
    resource: Resource
    api_ref: Value
    stage_ref: Value
    throttle: Throttle


@dataclass(eq=False, slots=True)
class Stage:
    resource: Resource
    api_ref: Value
    name: Value
    # Throttling written on the stage itself (HTTP API default route settings).
    own_throttles: list[Throttle] = field(default_factory=list)
    # Linked.
    api: Api | None = None
    throttles: list[Throttle] = field(default_factory=list)
    # Web ACL associations that target this stage (their ACL may itself be unknown).
    associations: list[WafAssociation] = field(default_factory=list)
    # Associations whose target cannot be known but may be this stage.
    possible_associations: list[WafAssociation] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address


@dataclass(eq=False, slots=True)
class Authorizer:
    resource: Resource
    api_ref: Value
    # "JWT", "REQUEST", "TOKEN", "COGNITO_USER_POOLS"; the Value keeps the span.
    kind: Value
    kind_attribute: str
    jwt: Value = field(default_factory=Value.absent)
    audience: Value = field(default_factory=Value.absent)
    audience_attribute: str = ""
    issuer: Value = field(default_factory=Value.absent)
    issuer_attribute: str = ""


@dataclass(eq=False, slots=True)
class Operation:
    """A REST method or an HTTP/WebSocket route."""

    resource: Resource
    api_ref: Value
    # "GET /pets", "$default", "ANY" ...: for messages; the HTTP verb decides the OPTIONS exemption.
    verb: Value
    label: str
    auth: Value
    auth_attribute: str
    # The type the platform applies when auth is not set.
    auth_default: str = "NONE"
    api_key_required: Value = field(default_factory=Value.absent)
    api_key_attribute: str = ""
    authorizer_ref: Value = field(default_factory=Value.absent)
    # Only some routes take authorisation (WebSocket: `$connect`).
    authorizable: bool = True
    api: Api | None = None
    authorizer: Authorizer | None = None


@dataclass(eq=False, slots=True)
class Integration:
    """How the gateway reaches a backend."""

    resource: Resource
    api_ref: Value
    type: Value
    uri: Value
    uri_attribute: str
    skip_verification: Value = field(default_factory=Value.absent)
    skip_attribute: str = ""


@dataclass(eq=False, slots=True)
class Distribution:
    """A CDN distribution in front of origins (CloudFront)."""

    endpoint: Endpoint
    acl_ref: Value
    origin_refs: list[Value]
    acls: list[WebAcl] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)

    @property
    def resource(self) -> Resource:
        return self.endpoint.resource


@dataclass(eq=False, slots=True)
class Api:
    resource: Resource
    platform: str
    # "REST", "HTTP", "WebSocket".
    protocol: str
    # Private (reachable only through VPC endpoints): True/False, None when unknown.
    private: bool | None
    private_value: Value
    default_endpoint_disabled: Value
    default_endpoint_attribute: str
    inline_policy: ResourcePolicy | None = None
    # Linked.
    stages: list[Stage] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    integrations: list[Integration] = field(default_factory=list)
    authorizers: list[Authorizer] = field(default_factory=list)
    policies: list[ResourcePolicy] = field(default_factory=list)
    domains: list[Endpoint] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"{self.platform} {self.protocol} API {self.resource.address}"


@dataclass(slots=True)
class Model:
    endpoints: list[Endpoint] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    authorizers: list[Authorizer] = field(default_factory=list)
    integrations: list[Integration] = field(default_factory=list)
    mappings: list[DomainMapping] = field(default_factory=list)
    policies: list[ResourcePolicy] = field(default_factory=list)
    web_acls: list[WebAcl] = field(default_factory=list)
    waf_associations: list[WafAssociation] = field(default_factory=list)
    usage_plans: list[UsagePlan] = field(default_factory=list)
    method_settings: list[MethodSettings] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)
    # Azure-specific entities (APIM, Application Gateway, Front Door, WAF policies).
    azure: AzureModel = field(default_factory=_azure_model)
    # What the rules read, derived from the linked entities (`model/derive.py`).
    facts: Facts = field(default_factory=Facts)

    def extend(self, other: Model) -> None:
        """Add another model's entities (a model built for another scope)."""
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))
