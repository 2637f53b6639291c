"""What API Gateway settings mean, decided once for every language.

Each language's reader (`terraform.py`, `cloudformation.py`, `sam.py`) only reads fields, as
Settings (a Value and the attribute path it came from, in that language's terms); the functions here
turn them into entities: a security policy into a TLS floor with the platform's defaults, an endpoint
configuration into private or not, throttling limits into limited or not, a quick-create target into
the route, integration and stage API Gateway makes from it.
"""

from __future__ import annotations

from iaclint.model.adapters import Scope
from iaclint.model.aws import policy_document
from iaclint.model.aws.apigateway.entities import (
    PLATFORM,
    Api,
    CustomDomain,
    Integration,
    ManagedOverrides,
    Operation,
    ResourcePolicy,
    Stage,
    Throttle,
    UsagePlan,
)
from iaclint.model.aws.tls import apigateway_policy, apigateway_policy_is_enhanced, named_floor
from iaclint.model.entities import Endpoint, MutualTls, TlsFloor
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


# -- TLS -------------------------------------------------------------------------------------------
def policy_floor(setting: Setting, default: str, why_default: str = "") -> TlsFloor:
    """The TLS floor of a security policy; `default` applies when it is not set."""
    value, attribute = setting.value, setting.attribute
    if value.is_null:
        reason = why_default or f"platform default when {attribute} is not set"
        return TlsFloor(value, default, attribute, reason, True, True)
    return named_floor(value, attribute, apigateway_policy, enhanced=apigateway_policy_is_enhanced)


def mutual_tls(block: Value, where: Value, truststore: Setting, version: Setting) -> MutualTls | None:
    """A mutual TLS block (`mutual_tls_authentication`, `MutualTlsAuthentication`); None when it is
    not written or empty. `where` is the block a missing member is reported at."""
    if block.is_null or (block.is_known and isinstance(block.data, (list, dict)) and not block.data):
        return None
    return MutualTls(where, truststore.value, truststore.attribute, version.value, version.attribute)


@record(frozen=True)
class DomainFacts:
    """A custom domain as a language writes it."""

    resource: Resource
    # "REST" or "HTTP" (HTTP and WebSocket APIs share their domains).
    protocol: str
    policy: Setting
    mtls: MutualTls | None
    # Where mutual TLS is written (or would be).
    mtls_attribute: str
    host: Value
    # Endpoint access mode (REST domains); None where the type has none.
    access_mode: Setting | None = None


def custom_domain(f: DomainFacts) -> CustomDomain:
    """Custom domains default to TLS_1_2."""
    if f.protocol == "REST":
        kind, floor = (
            "custom domain (REST)",
            policy_floor(f.policy, "1.2", "custom domains default to TLS_1_2"),
        )
    else:
        kind, floor = "custom domain (HTTP/WebSocket)", policy_floor(f.policy, "1.2")
    ep = Endpoint(
        PLATFORM,
        kind,
        f.resource,
        floor,
        custom_domain=True,
        mtls=f.mtls,
        mtls_attribute=f.mtls_attribute,
        access_mode=f.access_mode.value if f.access_mode is not None else None,
        access_mode_attribute=f.access_mode.attribute if f.access_mode is not None else "",
    )
    return CustomDomain(ep, f.host)


def add_domain(scope: Scope, domain: CustomDomain) -> None:
    scope.model.endpoints.append(domain.endpoint)
    scope.model.aws.domains.append(domain)


# -- APIs ------------------------------------------------------------------------------------------
def private_endpoint(types: Value) -> bool | None:
    """Whether an endpoint configuration's types (a list, or one string as SAM allows) make the API
    private (reachable only through VPC endpoints); None when they cannot be known."""
    if types.is_null:
        return False
    if not types.is_known:
        return None
    items = types.elements() if isinstance(types.data, list) else [types]
    names = [t.as_str() for t in items]
    if any(n is None for n in names):
        return None
    return "PRIVATE" in [n.upper() for n in names if n]


def resource_policy(
    r: Resource, document: Value, attribute: str, api_ref: Value | None = None
) -> ResourcePolicy:
    """A resource policy document (JSON text or structure)."""
    stmts, why = policy_document.statements(document)
    return ResourcePolicy(r, document, attribute, stmts, why, api_ref or Value.absent())


@record(frozen=True)
class RestApiFacts:
    """A REST API's fields as read, in any language."""

    resource: Resource
    endpoint_types: Setting
    disabled: Setting
    security_policy: Setting
    access_mode: Setting
    policy: ResourcePolicy | None


def rest_api(scope: Scope, f: RestApiFacts) -> Api:
    """A REST API, and its own execute-api endpoint: TLS_1_0 unless a policy is set (private APIs:
    TLS_1_2), unless the endpoint is switched off."""
    private = private_endpoint(f.endpoint_types.value)
    disabled, dattr = f.disabled.value, f.disabled.attribute
    api = Api(f.resource, PLATFORM, "REST", private, f.endpoint_types.value, disabled, dattr, f.policy)
    scope.model.aws.apis.append(api)
    if disabled.as_bool() is True:
        return api
    setting, attr = f.security_policy.value, f.security_policy.attribute
    if setting.is_null and disabled.is_unknown:
        why = f"the default endpoint may be on: {dattr} is {disabled.describe()}"
        floor = TlsFloor(setting, None, attr, why, True)
    elif setting.is_null and private is None:
        why = f"the endpoint type cannot be known ({f.endpoint_types.value.describe()})"
        floor = TlsFloor(setting, None, attr, why, True)
    elif setting.is_null:
        default, why = (
            ("1.2", "private APIs default to TLS_1_2")
            if private
            else ("1.0", f"the default endpoint uses TLS_1_0 when {attr} is not set")
        )
        floor = policy_floor(f.security_policy, default, why)
    else:
        floor = policy_floor(f.security_policy, "1.0")
    scope.model.endpoints.append(
        Endpoint(
            PLATFORM,
            "default endpoint (REST)",
            f.resource,
            floor,
            access_mode=f.access_mode.value,
            access_mode_attribute=f.access_mode.attribute,
        )
    )
    return api


def v2_api(scope: Scope, r: Resource, protocol_type: Value, disabled: Setting) -> Api:
    """An HTTP or WebSocket API (`protocol_type`/`ProtocolType`); HTTP APIs have no private
    endpoint."""
    protocol = "WebSocket" if protocol_type.as_str() == "WEBSOCKET" else "HTTP"
    api = Api(r, PLATFORM, protocol, False, Value.absent(r.span), disabled.value, disabled.attribute)
    scope.model.aws.apis.append(api)
    return api


def quick_create(scope: Scope, r: Resource, ref: Value, target: Setting) -> None:
    """HTTP API quick create (`target`, `Target`): a `$default` route that cannot carry an
    authoriser, its integration (an HTTP URL is HTTP_PROXY, anything else a Lambda ARN), and an
    auto-deployed `$default` stage."""
    value, attribute = target.value, target.attribute
    verb = Value.known("$default", value.span)
    # The route's authorisation is fixed: the finding points at what decides it, the target.
    auth = Value.known("NONE", value.span)
    head = value.known_prefix().lower()
    if head.startswith(("http://", "https://")):
        kind = Value.known("HTTP_PROXY", value.span)
    elif value.is_known or head:
        kind = Value.known("AWS_PROXY", value.span)
    else:
        kind = Value.unknown(f"{attribute} is {value.describe()}", value.span, value.refs)
    label = "route '$default' (quick create)"
    decider = f"authorization of the route {attribute} creates"
    aws = scope.model.aws
    aws.operations.append(Operation(r, ref, verb, label, auth, decider))
    aws.integrations.append(Integration(r, ref, kind, value, attribute))
    aws.stages.append(Stage(r, ref, Value.known("$default", value.span)))


def managed_overrides(api: Api, overrides: ManagedOverrides, operations: list[Operation]) -> None:
    """Apply managed overrides to the route and stage quick create made for `api` (both have the
    API's resource as theirs): an overridden authorisation decides the route; throttling set for
    the stage throttles it."""
    for st in api.stages:
        if st.resource is api.resource:
            st.throttles.extend(overrides.throttles)
    if overrides.auth.is_absent:
        return
    for op in operations:
        if op.resource is api.resource and op.api is api:
            op.auth, op.auth_attribute = overrides.auth, overrides.auth_attribute
            op.authorizer_ref = overrides.authorizer_ref
            op.resource = overrides.resource
            op.label = "route '$default' (quick create, overridden)"


def self_ref(r: Resource, reason: str) -> Value:
    """A reference to the resource itself, as an attribute of another resource would be."""
    return Value.unknown(reason, r.span, (r.address,))


# -- operations ------------------------------------------------------------------------------------
def route(
    r: Resource, api_ref: Value, key: Value, auth: Setting, api_key: Setting, authorizer: Value
) -> Operation:
    """An HTTP/WebSocket route: "GET /pets" → GET; "$default", "$connect" stay whole."""
    text = key.as_str()
    verb = Value.known(text.split(" ", 1)[0], key.span) if text else key
    return Operation(
        r,
        api_ref,
        verb,
        f"route {text!r}" if text else "route",
        auth.value,
        auth.attribute,
        api_key_required=api_key.value,
        api_key_attribute=api_key.attribute,
        authorizer_ref=authorizer,
    )


def method(
    r: Resource, api_ref: Value, verb: Value, auth: Setting, api_key: Setting, authorizer: Value
) -> Operation:
    return Operation(
        r,
        api_ref,
        verb,
        f"method {verb.as_str() or '?'}",
        auth.value,
        auth.attribute,
        api_key_required=api_key.value,
        api_key_attribute=api_key.attribute,
        authorizer_ref=authorizer,
    )


# -- throttling ------------------------------------------------------------------------------------
def limited(*values: Value) -> bool | None:
    """Whether any of the limits is set. Terraform uses -1 for 'no limit' in method settings."""
    unknown = False
    for v in values:
        if v.is_null:
            continue
        n = v.as_number()
        if n is None:
            unknown = True
        elif n >= 0:
            return True
    return None if unknown else False


def merge_limited(a: bool | None, b: bool | None) -> bool | None:
    """Limited when either is; unknown when neither is and one cannot be known."""
    if a or b:
        return True
    if a is None or b is None:
        return None
    return False


def throttle(r: Resource, where: Value, attribute: str, source: str, rate: Value, burst: Value) -> Throttle:
    return Throttle(r, where, attribute, source, limited(rate, burst))


def usage_plan(
    r: Resource, stage_refs: list[tuple[Value, Value]], where: Setting, limits: bool | None
) -> UsagePlan:
    return UsagePlan(r, stage_refs, Throttle(r, where.value, where.attribute, "usage plan", limits))
