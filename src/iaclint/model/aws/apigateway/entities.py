"""API Gateway platform entities: APIs, stages, custom domains and their mappings, operations,
authorizers, integrations, resource policies and throttling, whatever language declared them.

`links.py` connects them (stage → API, domain → API, method settings and usage plans → stage);
what fronts a stage (a web ACL, a CloudFront distribution) is held by the fronting service's
entities, which point at the stage or API they front.
"""

from __future__ import annotations

from dataclasses import field

from iaclint.model.entities import Endpoint
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS API Gateway"


@record(eq=False)
class CustomDomain:
    """A custom domain name: its TLS endpoint, its host name and (linked) the APIs it serves."""

    endpoint: Endpoint
    # Known host name, matched against mappings that name the domain by string.
    host: Value
    apis: list[Api] = field(default_factory=list)

    @property
    def resource(self) -> Resource:
        return self.endpoint.resource

    @property
    def address(self) -> str:
        return self.endpoint.resource.address


@record(eq=False)
class DomainMapping:
    """A custom domain serving an API (base path mapping / API mapping)."""

    resource: Resource
    domain_ref: Value
    api_ref: Value
    stage_ref: Value = field(default_factory=Value.absent)


@record(frozen=True)
class PolicyStatement:
    """One statement of a resource policy, reduced to what S5.4 asks."""

    value: Value
    effect: str | None
    # Condition keys used (lower-case, e.g. `aws:sourceip`) with their operators.
    conditions: tuple[tuple[str, str], ...] = ()


@record(eq=False)
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


@record(frozen=True)
class Throttle:
    """A throttling setting that applies to a stage."""

    resource: Resource
    value: Value
    attribute: str
    # Where it comes from: "method settings", "default route settings", "usage plan"...
    source: str
    # True when limits are set; False when the setting exists but sets no limit; None unknown.
    limited: bool | None


@record(eq=False)
class UsagePlan:
    """An API Gateway usage plan: the stages it covers and its throttle."""

    resource: Resource
    # (api_ref, stage_ref) per covered stage.
    stage_refs: list[tuple[Value, Value]]
    throttle: Throttle | None


@record(eq=False)
class MethodSettings:
    """Throttling that a method settings resource writes on a stage."""

    resource: Resource
    api_ref: Value
    stage_ref: Value
    throttle: Throttle


@record(eq=False)
class ManagedOverrides:
    """Settings that override the route and stage a quick-create HTTP API makes
    (`AWS::ApiGatewayV2::ApiGatewayManagedOverrides`)."""

    resource: Resource
    api_ref: Value
    # The managed route's authorisation, when overridden (absent otherwise).
    auth: Value
    auth_attribute: str
    authorizer_ref: Value
    # Throttling of the managed stage (default route settings, route settings).
    throttles: list[Throttle] = field(default_factory=list)


@record(eq=False)
class Stage:
    """An API Gateway stage, with the throttling and usage plans that cover it once linked."""

    resource: Resource
    api_ref: Value
    name: Value
    # Throttling written on the stage itself (method settings, HTTP API default route settings).
    own_throttles: list[Throttle] = field(default_factory=list)
    # Linked.
    api: Api | None = None
    throttles: list[Throttle] = field(default_factory=list)
    # Usage plans that cover the stage (their throttle is in `throttles` too).
    usage_plans: list[UsagePlan] = field(default_factory=list)
    # Created by a deployment's stage name (`aws_api_gateway_deployment.stage_name`,
    # `AWS::ApiGateway::Deployment.StageName`) rather than by a stage resource.
    by_deployment: bool = False

    @property
    def address(self) -> str:
        return self.resource.address


@record(eq=False)
class Authorizer:
    """An API Gateway authorizer: its kind and, for JWT authorizers, audience and issuer."""

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


@record(eq=False)
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


@record(eq=False)
class Integration:
    """How the gateway reaches a backend."""

    resource: Resource
    api_ref: Value
    type: Value
    uri: Value
    uri_attribute: str
    skip_verification: Value = field(default_factory=Value.absent)
    skip_attribute: str = ""
    # `VPC_LINK` for a private integration (a backend inside a VPC); absent means `INTERNET`.
    connection_type: Value = field(default_factory=Value.absent)


@record(eq=False)
class Api:
    """An API Gateway API (REST, HTTP or WebSocket), with its default endpoint's switch."""

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
    # A definition (OpenAPI body) the API has but iaclint cannot read: where, its attribute, why.
    unread_definition: tuple[Value, str, str] | None = None
    # Linked.
    stages: list[Stage] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    integrations: list[Integration] = field(default_factory=list)
    authorizers: list[Authorizer] = field(default_factory=list)
    policies: list[ResourcePolicy] = field(default_factory=list)
    domains: list[CustomDomain] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"{self.platform} {self.protocol} API {self.resource.address}"
