"""API Gateway fields as the Terraform aws provider names them. Reads only; `build.py` decides what
they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws import policy_document
from iaclint.model.aws.apigateway import build, openapi
from iaclint.model.aws.apigateway.entities import (
    Api,
    Authorizer,
    DomainMapping,
    Integration,
    MethodSettings,
    ResourcePolicy,
    Stage,
    Throttle,
)
from iaclint.model.aws.fields import at, block, read
from iaclint.model.entities import MutualTls
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

TF = "terraform"
MTLS = "mutual_tls_authentication"


def _mtls(body: Value) -> MutualTls | None:
    return build.mutual_tls(
        body.get(MTLS),
        block(body, MTLS),
        at(body, f"{MTLS}.truststore_uri"),
        at(body, f"{MTLS}.truststore_version"),
    )


@adapter("aws_api_gateway_domain_name", language=TF)
def _rest_domain(r: Resource, scope: Scope) -> None:
    b = r.body
    facts = build.DomainFacts(
        r,
        "REST",
        at(b, "security_policy"),
        _mtls(b),
        MTLS,
        b.get("domain_name"),
        at(b, "endpoint_access_mode"),
    )
    build.add_domain(scope, build.custom_domain(facts))


@adapter("aws_apigatewayv2_domain_name", language=TF)
def _http_domain(r: Resource, scope: Scope) -> None:
    b = r.body
    configs = b.get("domain_name_configuration").elements()
    # The block is required by the provider; without it there is nothing to check.
    for cfg in configs:
        policy = at(cfg, "security_policy", "domain_name_configuration.")
        if policy.value.is_absent:
            policy = Setting(Value.absent(cfg.span or r.span), policy.attribute)
        facts = build.DomainFacts(r, "HTTP", policy, _mtls(b), MTLS, b.get("domain_name"))
        build.add_domain(scope, build.custom_domain(facts))


def _policy(r: Resource, document: Value, attribute: str, scope: Scope, api_ref: Value) -> ResourcePolicy:
    # A document built by an `aws_iam_policy_document` data source arrives as an unknown that refers
    # to it: read the statements from the data source's blocks.
    if document.is_unknown:
        for ref in document.refs:
            doc = scope.resources.get(ref)
            if doc is not None and doc.type == "aws_iam_policy_document":
                stmts, why = policy_document.statements_from_blocks(doc.body.get("statement"))
                return ResourcePolicy(r, document, attribute, stmts, why, api_ref)
    return build.resource_policy(r, document, attribute, api_ref)


@adapter("aws_api_gateway_rest_api", language=TF)
def _rest_api(r: Resource, scope: Scope) -> None:
    b = r.body
    policy = b.get("policy")
    inline = None if policy.is_null else _policy(r, policy, "policy", scope, Value.absent())
    if inline is None:
        doc, _ = openapi.document(b.get("body"))
        in_body = doc.get("x-amazon-apigateway-policy") if doc is not None else Value.absent()
        if not in_body.is_null:
            inline = build.resource_policy(r, in_body, "body.x-amazon-apigateway-policy")
    facts = build.RestApiFacts(
        r,
        at(b, "endpoint_configuration.types"),
        at(b, "disable_execute_api_endpoint"),
        at(b, "security_policy"),
        at(b, "endpoint_access_mode"),
        inline,
    )
    api = build.rest_api(scope, facts)
    _definition(r, scope, api)


def _definition(r: Resource, scope: Scope, api: Api) -> None:
    """The OpenAPI `body` (usually `jsonencode({...})`, `file()` or `templatefile()`)."""
    ref = build.self_ref(r, f"reference to {r.address}")
    openapi.read_definition(r, api, r.body.get("body"), "body", scope, ref)


@adapter("aws_apigatewayv2_api", language=TF)
def _v2_api(r: Resource, scope: Scope) -> None:
    b = r.body
    api = build.v2_api(scope, r, b.get("protocol_type"), at(b, "disable_execute_api_endpoint"))
    if api.protocol == "HTTP":
        _definition(r, scope, api)
    target = b.get("target")
    if not target.is_null:
        build.quick_create(scope, r, build.self_ref(r, f"reference to {r.address}"), at(b, "target"))


@adapter("aws_api_gateway_rest_api_policy", language=TF)
def _rest_policy(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.policies.append(_policy(r, b.get("policy"), "policy", scope, b.get("rest_api_id")))


@adapter("aws_api_gateway_stage", language=TF)
def _rest_stage(r: Resource, scope: Scope) -> None:
    # `client_certificate_id` is the certificate the gateway shows its backends: not client mTLS,
    # so it is deliberately not read.
    scope.model.aws.stages.append(Stage(r, r.body.get("rest_api_id"), r.body.get("stage_name")))


@adapter("aws_api_gateway_deployment", language=TF)
def _deployment(r: Resource, scope: Scope) -> None:
    # A deployment with `stage_name` creates that stage (with no settings of its own: throttling
    # comes from method settings or usage plans naming it). An empty name creates none.
    name = r.body.get("stage_name")
    if name.is_null or name.as_str() == "":
        return
    scope.model.aws.stages.append(Stage(r, r.body.get("rest_api_id"), name, by_deployment=True))


def _route_throttle(r: Resource, settings: Value, attribute: str, source: str) -> Throttle:
    return build.throttle(
        r,
        settings,
        attribute,
        source,
        settings.get("throttling_rate_limit"),
        settings.get("throttling_burst_limit"),
    )


@adapter("aws_apigatewayv2_stage", language=TF)
def _v2_stage(r: Resource, scope: Scope) -> None:
    b = r.body
    throttles: list[Throttle] = []
    drs = "default_route_settings"
    if not b.get(drs).is_null:
        first = b.first(drs)
        throttles.append(
            build.throttle(
                r,
                block(b, drs),
                drs,
                "default route settings",
                first.get("throttling_rate_limit"),
                first.get("throttling_burst_limit"),
            )
        )
    for rs in b.get("route_settings").elements():
        throttles.append(_route_throttle(r, rs, "route_settings", "route settings"))
    scope.model.aws.stages.append(Stage(r, b.get("api_id"), b.get("name"), throttles))


@adapter("aws_api_gateway_method_settings", language=TF)
def _method_settings(r: Resource, scope: Scope) -> None:
    b = r.body
    settings = b.first("settings")
    throttle = build.throttle(
        r,
        block(b, "settings"),
        "settings",
        "method settings",
        settings.get("throttling_rate_limit"),
        settings.get("throttling_burst_limit"),
    )
    scope.model.aws.method_settings.append(
        MethodSettings(r, b.get("rest_api_id"), b.get("stage_name"), throttle)
    )


@adapter("aws_api_gateway_usage_plan", language=TF)
def _usage_plan(r: Resource, scope: Scope) -> None:
    b = r.body
    stages: list[tuple[Value, Value]] = []
    limits: bool | None = False
    for st in b.get("api_stages").elements():
        stages.append((st.get("api_id"), st.get("stage")))
        for t in st.get("throttle").elements():
            limits = build.merge_limited(limits, build.limited(t.get("rate_limit"), t.get("burst_limit")))
    ts = b.get("throttle_settings")
    where = ts
    if not ts.is_null:
        first = b.first("throttle_settings")
        where = block(b, "throttle_settings")
        limits = build.merge_limited(limits, build.limited(first.get("rate_limit"), first.get("burst_limit")))
    scope.model.aws.usage_plans.append(
        build.usage_plan(r, stages, Setting(where, "throttle_settings"), limits)
    )


@adapter("aws_api_gateway_base_path_mapping", language=TF)
def _rest_mapping(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.mappings.append(
        DomainMapping(r, b.get("domain_name"), b.get("api_id"), b.get("stage_name"))
    )


@adapter("aws_apigatewayv2_api_mapping", language=TF)
def _v2_mapping(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.mappings.append(DomainMapping(r, b.get("domain_name"), b.get("api_id"), b.get("stage")))


@adapter("aws_api_gateway_method", language=TF)
def _rest_method(r: Resource, scope: Scope) -> None:
    b = r.body
    op = build.method(
        r,
        b.get("rest_api_id"),
        b.get("http_method"),
        at(b, "authorization"),
        at(b, "api_key_required"),
        b.get("authorizer_id"),
    )
    scope.model.aws.operations.append(op)


@adapter("aws_apigatewayv2_route", language=TF)
def _v2_route(r: Resource, scope: Scope) -> None:
    b = r.body
    op = build.route(
        r,
        b.get("api_id"),
        b.get("route_key"),
        at(b, "authorization_type"),
        at(b, "api_key_required"),
        b.get("authorizer_id"),
    )
    scope.model.aws.operations.append(op)


@adapter("aws_api_gateway_authorizer", language=TF)
def _rest_authorizer(r: Resource, scope: Scope) -> None:
    kind = r.body.get("type")
    if kind.is_null:
        kind = Value.known("TOKEN", r.span)  # the provider's default
    scope.model.aws.authorizers.append(Authorizer(r, r.body.get("rest_api_id"), kind, "type"))


@adapter("aws_apigatewayv2_authorizer", language=TF)
def _v2_authorizer(r: Resource, scope: Scope) -> None:
    b = r.body
    jwt = b.first("jwt_configuration")
    scope.model.aws.authorizers.append(
        Authorizer(
            r,
            b.get("api_id"),
            b.get("authorizer_type"),
            "authorizer_type",
            block(b, "jwt_configuration"),
            jwt.get("audience"),
            "jwt_configuration.audience",
            jwt.get("issuer"),
            "jwt_configuration.issuer",
        )
    )


@adapter("aws_api_gateway_integration", language=TF)
def _rest_integration(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.integrations.append(
        Integration(
            r,
            b.get("rest_api_id"),
            b.get("type"),
            b.get("uri"),
            "uri",
            read(b, "tls_config.insecure_skip_verification"),
            "tls_config.insecure_skip_verification",
            b.get("connection_type"),
        )
    )


@adapter("aws_apigatewayv2_integration", language=TF)
def _v2_integration(r: Resource, scope: Scope) -> None:
    # HTTP API integrations have no switch to skip certificate verification.
    b = r.body
    scope.model.aws.integrations.append(
        Integration(
            r,
            b.get("api_id"),
            b.get("integration_type"),
            b.get("integration_uri"),
            "integration_uri",
            connection_type=b.get("connection_type"),
        )
    )
