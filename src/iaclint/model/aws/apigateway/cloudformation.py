"""API Gateway fields as CloudFormation names them (`AWS::ApiGateway::*`, `AWS::ApiGatewayV2::*`).
Reads only; `build.py` decides what they mean.

References between resources arrive as unknown Values whose `refs` name `<template>#<LogicalId>`,
so the link steps link them as they link Terraform's.
"""

from __future__ import annotations

from dataclasses import replace

from iaclint.model.adapters import Scope, adapter, link_step
from iaclint.model.aws.apigateway import build, openapi, template
from iaclint.model.aws.apigateway.entities import (
    Authorizer,
    DomainMapping,
    Integration,
    ManagedOverrides,
    Operation,
    Stage,
)
from iaclint.model.aws.fields import at
from iaclint.model.aws.links import Index
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

CFN = "cloudformation"


@adapter("AWS::ApiGateway::DomainName", "AWS::ApiGateway::DomainNameV2", language=CFN)
def _rest_domain(r: Resource, scope: Scope) -> None:
    build.add_domain(scope, build.custom_domain(template.rest_domain(r, r.body)))


@adapter("AWS::ApiGatewayV2::DomainName", language=CFN)
def _http_domain(r: Resource, scope: Scope) -> None:
    b = r.body
    for cfg in b.get("DomainNameConfigurations").elements() or [Value.known({}, r.span)]:
        facts = build.DomainFacts(
            r,
            "HTTP",
            at(cfg, "SecurityPolicy", "DomainNameConfigurations."),
            template.mutual_tls(b.get(template.MTLS)),
            template.MTLS,
            b.get("DomainName"),
        )
        build.add_domain(scope, build.custom_domain(facts))


def _inline_policy(r: Resource, document: Value, attribute: str) -> build.ResourcePolicy | None:
    return None if document.is_null else build.resource_policy(r, document, attribute)


@adapter("AWS::ApiGateway::RestApi", language=CFN)
def _rest_api(r: Resource, scope: Scope) -> None:
    b = r.body
    policy = _inline_policy(r, b.get("Policy"), "Policy")
    body = b.get("Body")
    doc, _ = openapi.document(body)
    if policy is None and doc is not None:
        policy = _inline_policy(r, doc.get("x-amazon-apigateway-policy"), "Body.x-amazon-apigateway-policy")
    facts = build.RestApiFacts(
        r,
        template.endpoint_types(b.get("EndpointConfiguration"), "EndpointConfiguration"),
        at(b, "DisableExecuteApiEndpoint"),
        at(b, "SecurityPolicy"),
        at(b, "EndpointAccessMode"),
        policy,
    )
    api = build.rest_api(scope, facts)
    openapi.read_definition(r, api, body, "Body", scope, template.self_ref(r))


@adapter("AWS::ApiGatewayV2::Api", language=CFN)
def _v2_api(r: Resource, scope: Scope) -> None:
    b = r.body
    api = build.v2_api(scope, r, b.get("ProtocolType"), at(b, "DisableExecuteApiEndpoint"))
    if api.protocol == "HTTP":
        openapi.read_definition(r, api, b.get("Body"), "Body", scope, template.self_ref(r))
    # Quick create: `Target` makes a `$default` route without authorisation and a `$default`
    # stage with no throttling of its own.
    if not b.get("Target").is_null:
        build.quick_create(scope, r, template.self_ref(r), at(b, "Target"))


@adapter("AWS::ApiGateway::Stage", language=CFN)
def _rest_stage(r: Resource, scope: Scope) -> None:
    # `ClientCertificateId` is the certificate the gateway shows its backends: not client mTLS,
    # so it is deliberately not read.
    b = r.body
    throttles = template.method_settings_throttles(r, b.get("MethodSettings"), "MethodSettings")
    scope.model.aws.stages.append(Stage(r, b.get("RestApiId"), b.get("StageName"), throttles))


@adapter("AWS::ApiGateway::Deployment", language=CFN)
def _deployment(r: Resource, scope: Scope) -> None:
    # A deployment with `StageName` creates that stage, configured by `StageDescription`.
    name = r.body.get("StageName")
    if name.is_null:
        return
    desc = r.body.get("StageDescription")
    throttles = template.method_settings_throttles(
        r, desc.get("MethodSettings"), "StageDescription.MethodSettings"
    )
    if not desc.get("ThrottlingRateLimit").is_null or not desc.get("ThrottlingBurstLimit").is_null:
        throttles.append(template.settings_throttle(r, desc, "StageDescription", "stage description"))
    scope.model.aws.stages.append(Stage(r, r.body.get("RestApiId"), name, throttles, by_deployment=True))


@adapter("AWS::ApiGatewayV2::Stage", language=CFN)
def _v2_stage(r: Resource, scope: Scope) -> None:
    b = r.body
    throttles = template.route_settings_throttles(r, b)
    scope.model.aws.stages.append(Stage(r, b.get("ApiId"), b.get("StageName"), throttles))


@adapter("AWS::ApiGateway::UsagePlan", language=CFN)
def _usage_plan(r: Resource, scope: Scope) -> None:
    b = r.body
    stages: list[tuple[Value, Value]] = []
    limits: bool | None = False
    for st in b.get("ApiStages").elements():
        stages.append((st.get("ApiId"), st.get("Stage")))
        # `Throttle` is a map of "resource path/method" → {BurstLimit, RateLimit}.
        for _path, t in st.get("Throttle").items():
            limits = build.merge_limited(limits, build.limited(t.get("RateLimit"), t.get("BurstLimit")))
    ts = b.get("Throttle")
    if not ts.is_null:
        limits = build.merge_limited(limits, build.limited(ts.get("RateLimit"), ts.get("BurstLimit")))
    scope.model.aws.usage_plans.append(build.usage_plan(r, stages, Setting(ts, "Throttle"), limits))


@adapter(
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::BasePathMappingV2",
    "AWS::ApiGatewayV2::ApiMapping",
    language=CFN,
)
def _mapping(r: Resource, scope: Scope) -> None:
    b = r.body
    api = b.get("ApiId") if r.type == "AWS::ApiGatewayV2::ApiMapping" else b.get("RestApiId")
    domain = b.get("DomainName")
    if domain.is_null:
        domain = b.get("DomainNameArn")  # BasePathMappingV2 (private custom domains)
    scope.model.aws.mappings.append(DomainMapping(r, domain, api, b.get("Stage")))


@adapter("AWS::ApiGateway::Method", language=CFN)
def _rest_method(r: Resource, scope: Scope) -> None:
    b = r.body
    api = b.get("RestApiId")
    aws = scope.model.aws
    aws.operations.append(
        build.method(
            r,
            api,
            b.get("HttpMethod"),
            at(b, "AuthorizationType"),
            at(b, "ApiKeyRequired"),
            b.get("AuthorizerId"),
        )
    )
    integ = b.get("Integration")
    if not integ.is_null:
        aws.integrations.append(
            Integration(
                r,
                api,
                integ.get("Type"),
                integ.get("Uri"),
                "Integration.Uri",
                integ.path("TlsConfig", "InsecureSkipVerification"),
                "Integration.TlsConfig.InsecureSkipVerification",
                integ.get("ConnectionType"),
            )
        )


@adapter("AWS::ApiGatewayV2::Route", language=CFN)
def _v2_route(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.operations.append(
        build.route(
            r,
            b.get("ApiId"),
            b.get("RouteKey"),
            at(b, "AuthorizationType"),
            at(b, "ApiKeyRequired"),
            b.get("AuthorizerId"),
        )
    )


@adapter("AWS::ApiGateway::Authorizer", language=CFN)
def _rest_authorizer(r: Resource, scope: Scope) -> None:
    scope.model.aws.authorizers.append(Authorizer(r, r.body.get("RestApiId"), r.body.get("Type"), "Type"))


@adapter("AWS::ApiGatewayV2::Authorizer", language=CFN)
def _v2_authorizer(r: Resource, scope: Scope) -> None:
    b = r.body
    jwt = b.get("JwtConfiguration")
    scope.model.aws.authorizers.append(
        Authorizer(
            r,
            b.get("ApiId"),
            b.get("AuthorizerType"),
            "AuthorizerType",
            jwt,
            jwt.get("Audience"),
            "JwtConfiguration.Audience",
            jwt.get("Issuer"),
            "JwtConfiguration.Issuer",
        )
    )


@adapter("AWS::ApiGatewayV2::Integration", language=CFN)
def _v2_integration(r: Resource, scope: Scope) -> None:
    # HTTP API integrations have no switch to skip certificate verification.
    b = r.body
    scope.model.aws.integrations.append(
        Integration(
            r,
            b.get("ApiId"),
            b.get("IntegrationType"),
            b.get("IntegrationUri"),
            "IntegrationUri",
            connection_type=b.get("ConnectionType"),
        )
    )


OVERRIDES = "apigateway_managed_overrides"


@adapter("AWS::ApiGatewayV2::ApiGatewayManagedOverrides", language=CFN)
def _managed_overrides(r: Resource, scope: Scope) -> None:
    b = r.body
    route = b.get("Route")
    stage = b.get("Stage")
    scope.state.setdefault(OVERRIDES, []).append(
        ManagedOverrides(
            r,
            b.get("ApiId"),
            route.get("AuthorizationType"),
            "Route.AuthorizationType",
            route.get("AuthorizerId"),
            template.route_settings_throttles(r, stage, "Stage."),
        )
    )


@link_step(11)
def _apply_managed_overrides(scope: Scope) -> None:
    aws = scope.model.aws
    apis = Index(aws.apis, lambda a: a.resource.address)
    for overrides in scope.state.get(OVERRIDES, ()):
        for api in apis.resolve(overrides.api_ref)[:1]:
            build.managed_overrides(api, overrides, aws.operations)


# API type → the property that keeps its OpenAPI definition outside the template.
EXTERNAL_DEFINITION = {
    "AWS::ApiGateway::RestApi": "BodyS3Location",
    "AWS::ApiGatewayV2::Api": "BodyS3Location",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
}


@link_step(30)
def _external_definitions(scope: Scope) -> None:
    """An API whose definition is in S3 (or in a file packaged to S3) has operations iaclint cannot
    see: when nothing else in the template gives it operations, one operation whose authentication
    is unknown stands for them, so the API is not silently taken as having none (IAC601 note)."""
    aws = scope.model.aws
    for api in aws.apis:
        attribute = EXTERNAL_DEFINITION.get(api.resource.type)
        if attribute is None or api.protocol == "WebSocket":
            continue
        where = api.resource.body.get(attribute)
        if where.is_null:
            continue
        text = where.as_str()
        if text is not None and not text.startswith("s3://"):
            # A local path: `sam package` / `aws cloudformation package` uploads it to S3.
            why = f"the API's operations are defined in {text!r}, a file iaclint does not read"
        else:
            why = "the API's operations are defined in S3, which iaclint cannot read"
        # Its integrations (private or not) are unknown too.
        api.unread_definition = (where, attribute, why)
        if api.operations:
            continue
        op = Operation(
            replace(api.resource, span=where.span) if where.span is not None else api.resource,
            template.self_ref(api.resource),
            Value.absent(where.span),
            "operations defined outside the template",
            Value.unknown(why, where.span),
            attribute,
        )
        op.api = api
        api.operations.append(op)
        aws.operations.append(op)
