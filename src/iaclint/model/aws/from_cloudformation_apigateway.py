"""API Gateway facts from CloudFormation resources (`AWS::ApiGateway::*`, `AWS::ApiGatewayV2::*`):
APIs, stages, domains, mappings, operations, authorizers, integrations, throttling and resource
policies, mapped into the same entities as the Terraform adapter fills.

CloudFormation property names live here and nowhere else. References between resources arrive as
unknown Values whose `refs` name `<template>#<LogicalId>`, so `links.py` links them unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.aws import from_cloudformation_openapi as from_openapi
from iaclint.model.aws import policy_document
from iaclint.model.aws.from_terraform_apigateway import PLATFORM, _apigw_floor, _limited
from iaclint.model.aws.quick_create import quick_create
from iaclint.model.entities import (
    Api,
    Authorizer,
    DomainMapping,
    Endpoint,
    Integration,
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

Resources = dict[str, Resource]


MTLS = "MutualTlsAuthentication"


def mtls(block: Value, prefix: str = "") -> MutualTls | None:
    """`MutualTlsAuthentication {TruststoreUri, TruststoreVersion}` (REST, HTTP and SAM domains);
    `prefix` is where the block sits in the resource (`Domain.` in SAM)."""
    if block.is_null or (block.is_known and isinstance(block.data, dict) and not block.data):
        return None
    return MutualTls(
        block,
        block.get("TruststoreUri"),
        f"{prefix}{MTLS}.TruststoreUri",
        block.get("TruststoreVersion"),
        f"{prefix}{MTLS}.TruststoreVersion",
    )


def rest_domain_endpoint(r: Resource, props: Value, prefix: str = "") -> Endpoint:
    """A REST custom domain (`AWS::ApiGateway::DomainName`, or a SAM Api's `Domain`)."""
    return Endpoint(
        PLATFORM,
        "custom domain (REST)",
        r,
        _apigw_floor(
            props.get("SecurityPolicy"),
            f"{prefix}SecurityPolicy",
            "1.2",
            "custom domains default to TLS_1_2",
        ),
        custom_domain=True,
        mtls=mtls(props.get(MTLS), prefix),
        mtls_attribute=f"{prefix}{MTLS}",
        access_mode=props.get("EndpointAccessMode"),
        access_mode_attribute=f"{prefix}EndpointAccessMode",
        host=props.get("DomainName"),
    )


def _rest_domain(r: Resource, model: Model, others: Resources) -> None:
    model.endpoints.append(rest_domain_endpoint(r, r.body))


def _http_domain(r: Resource, model: Model, others: Resources) -> None:
    configs = r.body.get("DomainNameConfigurations").elements()
    for cfg in configs or [Value.known({}, r.span)]:
        model.endpoints.append(
            Endpoint(
                PLATFORM,
                "custom domain (HTTP/WebSocket)",
                r,
                _apigw_floor(cfg.get("SecurityPolicy"), "DomainNameConfigurations.SecurityPolicy", "1.2"),
                custom_domain=True,
                mtls=mtls(r.body.get(MTLS)),
                mtls_attribute=MTLS,
                host=r.body.get("DomainName"),
            )
        )


def private_endpoint(config: Value) -> tuple[bool | None, Value]:
    """`EndpointConfiguration.Types` (a list; SAM also writes `Type` or a bare string)."""
    types = config.get("Types")
    if types.is_null:
        types = config.get("Type")
    if types.is_null and config.is_known and isinstance(config.data, str):
        types = config
    if types.is_null:
        return False, types
    if not types.is_known:
        return None, types
    items = types.elements() if isinstance(types.data, list) else [types]
    names = [t.as_str() for t in items]
    if any(n is None for n in names):
        return None, types
    return "PRIVATE" in [n.upper() for n in names if n], types


def inline_policy(r: Resource, document: Value, attribute: str) -> ResourcePolicy | None:
    if document.is_null:
        return None
    stmts, why = policy_document.statements(document)
    return ResourcePolicy(r, document, attribute, stmts, why)


def default_endpoint(
    r: Resource,
    model: Model,
    private: bool | None,
    private_value: Value,
    disabled: Value,
    disabled_attribute: str,
    setting: Value,
    setting_attribute: str,
    access_mode: Value,
) -> None:
    """A REST API's own execute-api endpoint: TLS_1_0 unless a policy is set (private APIs:
    TLS_1_2), unless the endpoint is switched off."""
    if disabled.as_bool() is True:
        return
    if setting.is_null and disabled.is_unknown:
        why = f"the default endpoint may be on: {disabled_attribute} is {disabled.describe()}"
        floor = TlsFloor(setting, None, setting_attribute, why, True)
    elif setting.is_null and private is None:
        why = f"the endpoint type cannot be known ({private_value.describe()})"
        floor = TlsFloor(setting, None, setting_attribute, why, True)
    elif setting.is_null:
        default, why = (
            ("1.2", "private APIs default to TLS_1_2")
            if private
            else ("1.0", f"the default endpoint uses TLS_1_0 when {setting_attribute} is not set")
        )
        floor = _apigw_floor(setting, setting_attribute, default, why)
    else:
        floor = _apigw_floor(setting, setting_attribute, "1.0")
    model.endpoints.append(
        Endpoint(
            PLATFORM,
            "default endpoint (REST)",
            r,
            floor,
            access_mode=access_mode,
            access_mode_attribute="EndpointAccessMode",
        )
    )


def _rest_api(r: Resource, model: Model, others: Resources) -> None:
    body = r.body
    private, private_value = private_endpoint(body.get("EndpointConfiguration"))
    disabled = body.get("DisableExecuteApiEndpoint")
    policy = inline_policy(r, body.get("Policy"), "Policy")
    openapi = body.get("Body")
    if policy is None and openapi.is_known:
        policy = inline_policy(
            r, openapi.get("x-amazon-apigateway-policy"), "Body.x-amazon-apigateway-policy"
        )
    api = Api(r, PLATFORM, "REST", private, private_value, disabled, "DisableExecuteApiEndpoint", policy)
    model.apis.append(api)
    if openapi.is_known:
        from_openapi.read(r, openapi, "Body", model, api_ref(r), "REST")
    default_endpoint(
        r,
        model,
        private,
        private_value,
        disabled,
        "DisableExecuteApiEndpoint",
        body.get("SecurityPolicy"),
        "SecurityPolicy",
        body.get("EndpointAccessMode"),
    )


def api_ref(r: Resource) -> Value:
    """A reference to the resource itself, as an attribute of another resource would be."""
    return Value.unknown(f"Ref to resource {r.name}", r.span, (r.address,))


def _v2_api(r: Resource, model: Model, others: Resources) -> None:
    body = r.body
    protocol = "WebSocket" if body.get("ProtocolType").as_str() == "WEBSOCKET" else "HTTP"
    model.apis.append(
        Api(
            r,
            PLATFORM,
            protocol,
            False,
            Value.absent(r.span),
            body.get("DisableExecuteApiEndpoint"),
            "DisableExecuteApiEndpoint",
        )
    )
    if body.get("Body").is_known:
        from_openapi.read(r, body.get("Body"), "Body", model, api_ref(r), "HTTP")
    # Quick create: `Target` makes a `$default` route without authorisation and a `$default`
    # stage with no throttling of its own.
    target = body.get("Target")
    if not target.is_null:
        quick_create(model, r, api_ref(r), target, "Target")


def _throttle(r: Resource, block: Value, attribute: str, source: str) -> Throttle:
    return Throttle(
        r,
        block,
        attribute,
        source,
        _limited(block.get("ThrottlingRateLimit"), block.get("ThrottlingBurstLimit")),
    )


def method_settings_throttles(r: Resource, settings: Value, attribute: str) -> list[Throttle]:
    """REST `MethodSettings[]` written on a stage (or a deployment's stage description)."""
    if settings.is_unknown:
        return [Throttle(r, settings, attribute, "method settings", None)]
    return [_throttle(r, s, attribute, "method settings") for s in settings.elements()]


def _rest_stage(r: Resource, model: Model, others: Resources) -> None:
    # `ClientCertificateId` is the certificate the gateway shows its backends: not client mTLS,
    # so it is deliberately not read.
    throttles = method_settings_throttles(r, r.body.get("MethodSettings"), "MethodSettings")
    model.stages.append(Stage(r, r.body.get("RestApiId"), r.body.get("StageName"), throttles))


def _deployment(r: Resource, model: Model, others: Resources) -> None:
    # A deployment with `StageName` creates that stage, configured by `StageDescription`.
    name = r.body.get("StageName")
    if name.is_null:
        return
    desc = r.body.get("StageDescription")
    throttles = method_settings_throttles(r, desc.get("MethodSettings"), "StageDescription.MethodSettings")
    if not desc.get("ThrottlingRateLimit").is_null or not desc.get("ThrottlingBurstLimit").is_null:
        throttles.append(_throttle(r, desc, "StageDescription", "stage description"))
    model.stages.append(Stage(r, r.body.get("RestApiId"), name, throttles))


def _v2_stage(r: Resource, model: Model, others: Resources) -> None:
    throttles: list[Throttle] = []
    drs = r.body.get("DefaultRouteSettings")
    if not drs.is_null:
        throttles.append(_throttle(r, drs, "DefaultRouteSettings", "default route settings"))
    # `RouteSettings` is a map of route key → settings.
    for _key, rs in r.body.get("RouteSettings").items():
        throttles.append(_throttle(r, rs, "RouteSettings", "route settings"))
    model.stages.append(Stage(r, r.body.get("ApiId"), r.body.get("StageName"), throttles))


def _usage_plan(r: Resource, model: Model, others: Resources) -> None:
    stages: list[tuple[Value, Value]] = []
    limited: bool | None = False

    def merge(per: bool | None) -> None:
        nonlocal limited
        if per:
            limited = True
        elif per is None and limited is False:
            limited = None

    for st in r.body.get("ApiStages").elements():
        stages.append((st.get("ApiId"), st.get("Stage")))
        # `Throttle` is a map of "resource path/method" → {BurstLimit, RateLimit}.
        for _path, t in st.get("Throttle").items():
            merge(_limited(t.get("RateLimit"), t.get("BurstLimit")))
    ts = r.body.get("Throttle")
    if not ts.is_null:
        merge(_limited(ts.get("RateLimit"), ts.get("BurstLimit")))
    model.usage_plans.append(UsagePlan(r, stages, Throttle(r, ts, "Throttle", "usage plan", limited)))


def _mapping(r: Resource, model: Model, others: Resources) -> None:
    if r.type == "AWS::ApiGatewayV2::ApiMapping":
        api, stage = r.body.get("ApiId"), r.body.get("Stage")
    else:
        api, stage = r.body.get("RestApiId"), r.body.get("Stage")
    domain = r.body.get("DomainName")
    if domain.is_null:
        domain = r.body.get("DomainNameArn")  # BasePathMappingV2 (private custom domains)
    model.mappings.append(DomainMapping(r, domain, api, stage))


def _rest_method(r: Resource, model: Model, others: Resources) -> None:
    body = r.body
    verb = body.get("HttpMethod")
    api = body.get("RestApiId")
    model.operations.append(
        Operation(
            r,
            api,
            verb,
            f"method {verb.as_str() or '?'}",
            body.get("AuthorizationType"),
            "AuthorizationType",
            api_key_required=body.get("ApiKeyRequired"),
            api_key_attribute="ApiKeyRequired",
            authorizer_ref=body.get("AuthorizerId"),
        )
    )
    integ = body.get("Integration")
    if not integ.is_null:
        model.integrations.append(
            Integration(
                r,
                api,
                integ.get("Type"),
                integ.get("Uri"),
                "Integration.Uri",
                integ.get("TlsConfig").get("InsecureSkipVerification"),
                "Integration.TlsConfig.InsecureSkipVerification",
            )
        )


def _v2_route(r: Resource, model: Model, others: Resources) -> None:
    key = r.body.get("RouteKey")
    text = key.as_str()
    verb = Value.known(text.split(" ", 1)[0], key.span) if text else key
    model.operations.append(
        Operation(
            r,
            r.body.get("ApiId"),
            verb,
            f"route {text!r}" if text else "route",
            r.body.get("AuthorizationType"),
            "AuthorizationType",
            api_key_required=r.body.get("ApiKeyRequired"),
            api_key_attribute="ApiKeyRequired",
            authorizer_ref=r.body.get("AuthorizerId"),
        )
    )


def _rest_authorizer(r: Resource, model: Model, others: Resources) -> None:
    model.authorizers.append(Authorizer(r, r.body.get("RestApiId"), r.body.get("Type"), "Type"))


def _v2_authorizer(r: Resource, model: Model, others: Resources) -> None:
    jwt = r.body.get("JwtConfiguration")
    model.authorizers.append(
        Authorizer(
            r,
            r.body.get("ApiId"),
            r.body.get("AuthorizerType"),
            "AuthorizerType",
            jwt,
            jwt.get("Audience"),
            "JwtConfiguration.Audience",
            jwt.get("Issuer"),
            "JwtConfiguration.Issuer",
        )
    )


def _v2_integration(r: Resource, model: Model, others: Resources) -> None:
    # HTTP API integrations have no switch to skip certificate verification.
    model.integrations.append(
        Integration(
            r,
            r.body.get("ApiId"),
            r.body.get("IntegrationType"),
            r.body.get("IntegrationUri"),
            "IntegrationUri",
        )
    )


ADAPTERS: dict[str, Callable[[Resource, Model, Resources], None]] = {
    "AWS::ApiGateway::DomainName": _rest_domain,
    "AWS::ApiGateway::DomainNameV2": _rest_domain,
    "AWS::ApiGatewayV2::DomainName": _http_domain,
    "AWS::ApiGateway::RestApi": _rest_api,
    "AWS::ApiGatewayV2::Api": _v2_api,
    "AWS::ApiGateway::Stage": _rest_stage,
    "AWS::ApiGateway::Deployment": _deployment,
    "AWS::ApiGatewayV2::Stage": _v2_stage,
    "AWS::ApiGateway::UsagePlan": _usage_plan,
    "AWS::ApiGateway::BasePathMapping": _mapping,
    "AWS::ApiGateway::BasePathMappingV2": _mapping,
    "AWS::ApiGatewayV2::ApiMapping": _mapping,
    "AWS::ApiGateway::Method": _rest_method,
    "AWS::ApiGatewayV2::Route": _v2_route,
    "AWS::ApiGateway::Authorizer": _rest_authorizer,
    "AWS::ApiGatewayV2::Authorizer": _v2_authorizer,
    "AWS::ApiGatewayV2::Integration": _v2_integration,
}
