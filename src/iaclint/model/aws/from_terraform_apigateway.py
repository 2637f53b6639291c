"""API Gateway facts from Terraform (aws provider) resources: APIs, stages, domains, mappings,
operations, authorizers, integrations, throttling and resource policies.

Terraform property names live here and nowhere else; links between the entities are made later
by `links.py` from the reference Values kept on each entity.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.aws import policy_document
from iaclint.model.aws.quick_create import quick_create
from iaclint.model.aws.tls import apigateway_policy, apigateway_policy_is_enhanced
from iaclint.model.entities import (
    Api,
    Authorizer,
    DomainMapping,
    Endpoint,
    Integration,
    MethodSettings,
    Model,
    MutualTls,
    Operation,
    ResourcePolicy,
    Stage,
    Throttle,
    TlsFloor,
    UsagePlan,
)
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS API Gateway"

# Policy documents declared as data sources, by address; the adapter fills it before APIs are read.
Documents = dict[str, Resource]


def _apigw_floor(setting: Value, attribute: str, default: str, why_default: str = "") -> TlsFloor:
    if setting.is_null:
        reason = why_default or f"platform default when {attribute} is not set"
        offers = True
        return TlsFloor(setting, default, attribute, reason, True, offers)
    name = setting.as_str()
    if name is None:
        return TlsFloor(setting, None, attribute, setting.reason or "not a string", True)
    c = apigateway_policy(name)
    if c is None:
        return TlsFloor(setting, None, attribute, f'policy name "{name}" is not one iaclint knows', True)
    return TlsFloor(setting, c[0], attribute, "", True, c[1], apigateway_policy_is_enhanced(name))


def _mtls(body: Value) -> MutualTls | None:
    block = body.get("mutual_tls_authentication")
    if block.is_null or (block.is_known and not block.elements()):
        return None
    first = body.first("mutual_tls_authentication")
    return MutualTls(
        first if first.is_known else block,
        first.get("truststore_uri"),
        "mutual_tls_authentication.truststore_uri",
        first.get("truststore_version"),
        "mutual_tls_authentication.truststore_version",
    )


def _rest_domain(r: Resource, model: Model, docs: Documents) -> None:
    setting = r.body.get("security_policy")
    model.endpoints.append(
        Endpoint(
            PLATFORM,
            "custom domain (REST)",
            r,
            _apigw_floor(setting, "security_policy", "1.2", "custom domains default to TLS_1_2"),
            custom_domain=True,
            mtls=_mtls(r.body),
            access_mode=r.body.get("endpoint_access_mode"),
            access_mode_attribute="endpoint_access_mode",
            host=r.body.get("domain_name"),
        )
    )


def _http_domain(r: Resource, model: Model, docs: Documents) -> None:
    configs = r.body.get("domain_name_configuration").elements()
    if not configs:
        # The block is required by the provider; without it there is nothing to check.
        return
    for cfg in configs:
        setting = cfg.get("security_policy")
        if setting.is_absent:
            setting = Value.absent(cfg.span or r.span)
        model.endpoints.append(
            Endpoint(
                PLATFORM,
                "custom domain (HTTP/WebSocket)",
                r,
                _apigw_floor(setting, "domain_name_configuration.security_policy", "1.2"),
                custom_domain=True,
                mtls=_mtls(r.body),
                host=r.body.get("domain_name"),
            )
        )


def _private(body: Value) -> tuple[bool | None, Value]:
    types = body.first("endpoint_configuration").get("types")
    if types.is_null:
        return False, types
    if not types.is_known:
        return None, types
    names = [t.as_str() for t in types.elements()]
    if any(n is None for n in names):
        return None, types
    return "PRIVATE" in names, types


def _inline_policy(r: Resource, docs: Documents) -> ResourcePolicy | None:
    policy = r.body.get("policy")
    if policy.is_null:
        return None
    return _policy(r, policy, "policy", docs, Value.absent())


def _policy(r: Resource, document: Value, attribute: str, docs: Documents, api_ref: Value) -> ResourcePolicy:
    # A document built by an `aws_iam_policy_document` data source arrives as an unknown that
    # refers to it: read the statements from the data source's blocks.
    if document.is_unknown:
        for ref in document.refs:
            doc = docs.get(ref)
            if doc is not None:
                stmts, why = policy_document.statements_from_blocks(doc.body.get("statement"))
                return ResourcePolicy(r, document, attribute, stmts, why, api_ref)
    stmts, why = policy_document.statements(document)
    return ResourcePolicy(r, document, attribute, stmts, why, api_ref)


def _rest_api(r: Resource, model: Model, docs: Documents) -> None:
    body = r.body
    private, private_value = _private(body)
    disabled = body.get("disable_execute_api_endpoint")
    api = Api(
        r,
        PLATFORM,
        "REST",
        private,
        private_value,
        disabled,
        "disable_execute_api_endpoint",
        _inline_policy(r, docs),
    )
    model.apis.append(api)
    # The API's own execute-api endpoint: TLS_1_0 unless a policy is set (private APIs: TLS_1_2),
    # unless the endpoint is switched off.
    if disabled.as_bool() is True:
        return
    setting = body.get("security_policy")
    if setting.is_null and disabled.is_unknown:
        floor = TlsFloor(
            setting,
            None,
            "security_policy",
            f"the default endpoint may be on: disable_execute_api_endpoint is {disabled.describe()}",
            True,
        )
    elif setting.is_null and private is None:
        floor = TlsFloor(
            setting,
            None,
            "security_policy",
            f"the endpoint type cannot be known ({private_value.describe()})",
            True,
        )
    elif setting.is_null:
        default, why = (
            ("1.2", "private APIs default to TLS_1_2")
            if private
            else ("1.0", "the default endpoint uses TLS_1_0 when security_policy is not set")
        )
        floor = _apigw_floor(setting, "security_policy", default, why)
    else:
        floor = _apigw_floor(setting, "security_policy", "1.0")
    model.endpoints.append(
        Endpoint(
            PLATFORM,
            "default endpoint (REST)",
            r,
            floor,
            access_mode=body.get("endpoint_access_mode"),
            access_mode_attribute="endpoint_access_mode",
        )
    )


def _v2_api(r: Resource, model: Model, docs: Documents) -> None:
    proto = r.body.get("protocol_type").as_str()
    protocol = "WebSocket" if proto == "WEBSOCKET" else "HTTP"
    model.apis.append(
        Api(
            r,
            PLATFORM,
            protocol,
            False,
            Value.absent(r.span),
            r.body.get("disable_execute_api_endpoint"),
            "disable_execute_api_endpoint",
        )
    )
    target = r.body.get("target")
    if not target.is_null:
        ref = Value.unknown(f"reference to {r.address}", r.span, (r.address,))
        quick_create(model, r, ref, target, "target")


def _rest_policy(r: Resource, model: Model, docs: Documents) -> None:
    model.policies.append(_policy(r, r.body.get("policy"), "policy", docs, r.body.get("rest_api_id")))


def _limited(*values: Value) -> bool | None:
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


def _rest_stage(r: Resource, model: Model, docs: Documents) -> None:
    # `client_certificate_id` is the certificate the gateway shows its backends: not client mTLS,
    # so it is deliberately not read.
    model.stages.append(Stage(r, r.body.get("rest_api_id"), r.body.get("stage_name")))


def _v2_stage(r: Resource, model: Model, docs: Documents) -> None:
    throttles: list[Throttle] = []
    drs = r.body.get("default_route_settings")
    if not drs.is_null:
        first = r.body.first("default_route_settings")
        throttles.append(
            Throttle(
                r,
                first if first.is_known else drs,
                "default_route_settings",
                "default route settings",
                _limited(first.get("throttling_rate_limit"), first.get("throttling_burst_limit")),
            )
        )
    for rs in r.body.get("route_settings").elements():
        throttles.append(
            Throttle(
                r,
                rs,
                "route_settings",
                "route settings",
                _limited(rs.get("throttling_rate_limit"), rs.get("throttling_burst_limit")),
            )
        )
    model.stages.append(Stage(r, r.body.get("api_id"), r.body.get("name"), throttles))


def _method_settings(r: Resource, model: Model, docs: Documents) -> None:
    settings = r.body.first("settings")
    throttle = Throttle(
        r,
        settings if settings.is_known else r.body.get("settings"),
        "settings",
        "method settings",
        _limited(settings.get("throttling_rate_limit"), settings.get("throttling_burst_limit")),
    )
    model.method_settings.append(
        MethodSettings(r, r.body.get("rest_api_id"), r.body.get("stage_name"), throttle)
    )


def _usage_plan(r: Resource, model: Model, docs: Documents) -> None:
    stages: list[tuple[Value, Value]] = []
    limited: bool | None = False
    for st in r.body.get("api_stages").elements():
        stages.append((st.get("api_id"), st.get("stage")))
        for t in st.get("throttle").elements():
            per = _limited(t.get("rate_limit"), t.get("burst_limit"))
            limited = True if per else (None if per is None and limited is False else limited)
    ts = r.body.get("throttle_settings")
    value = ts
    if not ts.is_null:
        first = r.body.first("throttle_settings")
        value = first if first.is_known else ts
        plan = _limited(first.get("rate_limit"), first.get("burst_limit"))
        if plan:
            limited = True
        elif plan is None and limited is False:
            limited = None
    model.usage_plans.append(
        UsagePlan(r, stages, Throttle(r, value, "throttle_settings", "usage plan", limited))
    )


def _mapping(r: Resource, model: Model, docs: Documents) -> None:
    stage_key = "stage_name" if r.type == "aws_api_gateway_base_path_mapping" else "stage"
    model.mappings.append(
        DomainMapping(r, r.body.get("domain_name"), r.body.get("api_id"), r.body.get(stage_key))
    )


def _rest_method(r: Resource, model: Model, docs: Documents) -> None:
    verb = r.body.get("http_method")
    model.operations.append(
        Operation(
            r,
            r.body.get("rest_api_id"),
            verb,
            f"method {verb.as_str() or '?'}",
            r.body.get("authorization"),
            "authorization",
            api_key_required=r.body.get("api_key_required"),
            api_key_attribute="api_key_required",
            authorizer_ref=r.body.get("authorizer_id"),
        )
    )


def _v2_route(r: Resource, model: Model, docs: Documents) -> None:
    key = r.body.get("route_key")
    text = key.as_str()
    # "GET /pets" → GET; "$default", "$connect" stay whole.
    verb = Value.known(text.split(" ", 1)[0], key.span) if text else key
    model.operations.append(
        Operation(
            r,
            r.body.get("api_id"),
            verb,
            f"route {text!r}" if text else "route",
            r.body.get("authorization_type"),
            "authorization_type",
            api_key_required=r.body.get("api_key_required"),
            api_key_attribute="api_key_required",
            authorizer_ref=r.body.get("authorizer_id"),
        )
    )


def _rest_authorizer(r: Resource, model: Model, docs: Documents) -> None:
    kind = r.body.get("type")
    if kind.is_null:
        kind = Value.known("TOKEN", r.span)
    model.authorizers.append(Authorizer(r, r.body.get("rest_api_id"), kind, "type"))


def _v2_authorizer(r: Resource, model: Model, docs: Documents) -> None:
    jwt = r.body.first("jwt_configuration")
    model.authorizers.append(
        Authorizer(
            r,
            r.body.get("api_id"),
            r.body.get("authorizer_type"),
            "authorizer_type",
            jwt if jwt.is_known else r.body.get("jwt_configuration"),
            jwt.get("audience"),
            "jwt_configuration.audience",
            jwt.get("issuer"),
            "jwt_configuration.issuer",
        )
    )


def _rest_integration(r: Resource, model: Model, docs: Documents) -> None:
    tls = r.body.first("tls_config")
    model.integrations.append(
        Integration(
            r,
            r.body.get("rest_api_id"),
            r.body.get("type"),
            r.body.get("uri"),
            "uri",
            tls.get("insecure_skip_verification"),
            "tls_config.insecure_skip_verification",
        )
    )


def _v2_integration(r: Resource, model: Model, docs: Documents) -> None:
    # HTTP API integrations have no switch to skip certificate verification.
    model.integrations.append(
        Integration(
            r,
            r.body.get("api_id"),
            r.body.get("integration_type"),
            r.body.get("integration_uri"),
            "integration_uri",
        )
    )


ADAPTERS: dict[str, Callable[[Resource, Model, Documents], None]] = {
    "aws_api_gateway_domain_name": _rest_domain,
    "aws_apigatewayv2_domain_name": _http_domain,
    "aws_api_gateway_rest_api": _rest_api,
    "aws_apigatewayv2_api": _v2_api,
    "aws_api_gateway_rest_api_policy": _rest_policy,
    "aws_api_gateway_stage": _rest_stage,
    "aws_apigatewayv2_stage": _v2_stage,
    "aws_api_gateway_method_settings": _method_settings,
    "aws_api_gateway_usage_plan": _usage_plan,
    "aws_api_gateway_base_path_mapping": _mapping,
    "aws_apigatewayv2_api_mapping": _mapping,
    "aws_api_gateway_method": _rest_method,
    "aws_apigatewayv2_route": _v2_route,
    "aws_api_gateway_authorizer": _rest_authorizer,
    "aws_apigatewayv2_authorizer": _v2_authorizer,
    "aws_api_gateway_integration": _rest_integration,
    "aws_apigatewayv2_integration": _v2_integration,
}
