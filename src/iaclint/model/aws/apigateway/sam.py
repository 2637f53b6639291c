"""AWS SAM resources (`AWS::Serverless::Api`, `HttpApi`, `Function` events) mapped natively into the
entities their expanded CloudFormation resources would give, so findings keep SAM source positions.

What SAM generates, per its specification ("Generated CloudFormation resources"):
- `AWS::Serverless::Api` → a RestApi, a Deployment and a Stage named `StageName`; `Domain` → a
  DomainName and BasePathMappings; `Auth.UsagePlan` → a UsagePlan covering the stage;
  `Auth.ResourcePolicy` → statements of the API's policy.
- `AWS::Serverless::HttpApi` → an ApiGatewayV2 Api with a stage (`$default` unless `StageName`);
  `Domain` → a DomainName and ApiMappings; `Auth.Authorizers` → authorizers (JWT when they have a
  `JwtConfiguration`).
- A `Function` event of type `Api`/`HttpApi` → one method/route on the API named by `RestApiId`/
  `ApiId`, or on the implicit `ServerlessRestApi` (stage `Prod`) / `ServerlessHttpApi` (stage
  `$default`) when none is named. The event's `Auth.Authorizer` wins; otherwise the API's
  `Auth.DefaultAuthorizer`; otherwise the operation is open (`NONE`).

Every entity of a SAM API has the API resource as its resource, so a reference to the API
(`!Ref MyApi`, `${MyApi.Stage}`) links to its stage and domain as well.
"""

from __future__ import annotations

from dataclasses import replace

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws import policy_document
from iaclint.model.aws.apigateway import build, openapi, template
from iaclint.model.aws.apigateway.entities import (
    Authorizer,
    DomainMapping,
    Operation,
    PolicyStatement,
    ResourcePolicy,
    Stage,
)
from iaclint.model.aws.fields import at
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

CFN = "cloudformation"
REST_API = "AWS::Serverless::Api"
HTTP_API = "AWS::Serverless::HttpApi"
FUNCTION = "AWS::Serverless::Function"
IMPLICIT = {REST_API: ("ServerlessRestApi", "Prod"), HTTP_API: ("ServerlessHttpApi", "$default")}


# -- APIs ------------------------------------------------------------------------------------------
def _resource_policy(r: Resource, policy: Value) -> ResourcePolicy | None:
    """`Auth.ResourcePolicy`: SAM turns the allow/deny lists into statements of the API policy."""
    if policy.is_null:
        return None
    attribute = "Auth.ResourcePolicy"
    if policy.is_unknown:
        return ResourcePolicy(
            r, policy, attribute, None, policy.reason or "the resource policy cannot be known"
        )
    stmts: list[PolicyStatement] = []
    lists = (
        ("IpRangeWhitelist", "Allow", "aws:sourceip", "IpAddress"),
        ("IpRangeBlacklist", "Deny", "aws:sourceip", "IpAddress"),
        ("SourceVpcWhitelist", "Allow", "aws:sourcevpce", "StringEquals"),
        ("SourceVpcBlacklist", "Deny", "aws:sourcevpce", "StringEquals"),
    )
    for key, effect, condition, op in lists:
        v = policy.get(key)
        if v.is_unknown:
            return ResourcePolicy(r, v, f"{attribute}.{key}", None, v.reason or f"{key} cannot be known")
        if v.elements():
            stmts.append(PolicyStatement(v, effect, ((condition, op),)))
    custom = policy.get("CustomStatements")
    if not custom.is_null:
        more, why = policy_document.statements(Value.known({"Statement": custom}, custom.span))
        if more is None:
            return ResourcePolicy(r, custom, f"{attribute}.CustomStatements", None, why)
        stmts += more
    return ResourcePolicy(r, policy, attribute, stmts)


def _domain(r: Resource, scope: Scope, domain: Value, http: bool, stage: Value) -> None:
    if domain.is_null:
        return
    at_domain = replace(r, span=domain.span) if domain.span is not None else r
    if http:
        facts = build.DomainFacts(
            at_domain,
            "HTTP",
            at(domain, "SecurityPolicy", "Domain."),
            template.mutual_tls(domain.get(template.MTLS), "Domain."),
            f"Domain.{template.MTLS}",
            domain.get("DomainName"),
        )
    else:
        facts = template.rest_domain(at_domain, domain, "Domain.")
    build.add_domain(scope, build.custom_domain(facts))
    # SAM maps the domain to this API's stage: the mapping names the API itself.
    ref = template.self_ref(r)
    scope.model.aws.mappings.append(DomainMapping(r, ref, ref, stage))


def _rest_api(r: Resource, scope: Scope) -> None:
    b = r.body
    auth = b.get("Auth")
    definition = b.get("DefinitionBody")
    policy = _resource_policy(r, auth.get("ResourcePolicy"))
    doc, _ = openapi.document(definition)
    if policy is None and doc is not None:
        document = doc.get("x-amazon-apigateway-policy")
        if not document.is_null:
            policy = build.resource_policy(r, document, "DefinitionBody.x-amazon-apigateway-policy")
    facts = build.RestApiFacts(
        r,
        template.endpoint_types(b.get("EndpointConfiguration"), "EndpointConfiguration"),
        at(b, "DisableExecuteApiEndpoint"),
        at(b, "SecurityPolicy"),
        at(b, "EndpointAccessMode"),
        policy,
    )
    api = build.rest_api(scope, facts)
    aws = scope.model.aws
    ref = template.self_ref(r)
    stage = b.get("StageName")
    throttles = template.method_settings_throttles(r, b.get("MethodSettings"), "MethodSettings")
    aws.stages.append(Stage(r, ref, stage, throttles))
    plan = auth.get("UsagePlan")
    if not plan.is_null and plan.get("CreateUsagePlan").as_str() != "NONE":
        ts = plan.get("Throttle")
        limits = build.limited(ts.get("RateLimit"), ts.get("BurstLimit"))
        aws.usage_plans.append(
            build.usage_plan(r, [(ref, stage)], Setting(ts, "Auth.UsagePlan.Throttle"), limits)
        )
    _domain(r, scope, b.get("Domain"), False, stage)
    openapi.read_definition(r, api, definition, "DefinitionBody", scope, ref, _default_auth(r))


def _http_api(r: Resource, scope: Scope) -> None:
    b = r.body
    api = build.v2_api(scope, r, Value.known("HTTP", r.span), at(b, "DisableExecuteApiEndpoint"))
    aws = scope.model.aws
    ref = template.self_ref(r)
    stage = b.get("StageName")
    if stage.is_null:
        stage = Value.known("$default", r.span)
    aws.stages.append(Stage(r, ref, stage, template.route_settings_throttles(r, b)))
    _domain(r, scope, b.get("Domain"), True, stage)
    for name, decl in b.path("Auth", "Authorizers").items():
        jwt = decl.get("JwtConfiguration")
        kind = "JWT" if not jwt.is_null else "REQUEST"
        at_decl = replace(r, span=decl.span) if decl.span is not None else r
        prefix = f"Auth.Authorizers.{name}.JwtConfiguration"
        aws.authorizers.append(
            Authorizer(
                at_decl,
                ref,
                Value.known(kind, decl.span),
                f"Auth.Authorizers.{name}",
                jwt,
                jwt.get("audience"),
                f"{prefix}.audience",
                jwt.get("issuer"),
                f"{prefix}.issuer",
            )
        )
    openapi.read_definition(r, api, b.get("DefinitionBody"), "DefinitionBody", scope, ref, _default_auth(r))


@adapter(REST_API, language=CFN)
def _rest_api_resource(r: Resource, scope: Scope) -> None:
    _rest_api(r, scope)


@adapter(HTTP_API, language=CFN)
def _http_api_resource(r: Resource, scope: Scope) -> None:
    _http_api(r, scope)


def _default_auth(api: Resource) -> tuple[Value, str] | None:
    """The API's `Auth.DefaultAuthorizer` as an authorisation type, which SAM adds to every method
    of the API's definition."""
    default = api.body.path("Auth", "DefaultAuthorizer")
    if default.is_null:
        return None
    return _authorizer_kind(default, api), "Auth.DefaultAuthorizer"


# -- Function events -------------------------------------------------------------------------------
def _authorizer_kind(name: Value, api: Resource | None) -> Value:
    """What an authorizer named in SAM `Auth` amounts to: NONE, AWS_IAM, or the kind of the named
    authorizer of the API."""
    text = name.as_str()
    if text is None:
        return name if not name.is_known else Value.unknown("the authorizer name is not a string", name.span)
    if text.upper() in ("NONE", "AWS_IAM"):
        return Value.known(text.upper(), name.span)
    if api is None:
        return Value.known("CUSTOM", name.span)
    decl = api.body.path("Auth", "Authorizers", text)
    if not decl.get("JwtConfiguration").is_null:
        return Value.known("JWT", name.span)
    if not decl.get("UserPoolArn").is_null:
        return Value.known("COGNITO_USER_POOLS", name.span)
    return Value.known("CUSTOM", name.span)


def _event_api(
    props: Value, key: str, kind: str, r: Resource, others: dict[str, Resource]
) -> tuple[Value, Resource | None]:
    """(reference to the event's API, its SAM resource when this template defines it)."""
    named = props.get(key)
    base = r.address.rsplit("#", 1)[0]
    if named.is_null:
        address = f"{base}#{IMPLICIT[kind][0]}"
        return Value.unknown(f"the implicit {IMPLICIT[kind][0]}", named.span, (address,)), others.get(address)
    for ref in named.refs:
        if ref in others:
            return named, others[ref]
    return named, None


@adapter(FUNCTION, language=CFN)
def _function(r: Resource, scope: Scope) -> None:
    """A function's `Api`/`HttpApi` events: one operation each, on the API they name or on the
    implicit API."""
    others = scope.resources
    implicit: dict[str, Resource] = scope.state.setdefault("sam_implicit_apis", {})
    for event_name, event in r.body.get("Events").items():
        etype = event.get("Type").as_str()
        if etype not in ("Api", "HttpApi"):
            continue
        kind = REST_API if etype == "Api" else HTTP_API
        props = event.get("Properties")
        name, stage = IMPLICIT[kind]
        address = f"{r.address.rsplit('#', 1)[0]}#{name}"
        if (
            props.get("RestApiId" if etype == "Api" else "ApiId").is_null
            and kind not in implicit
            and address not in others
        ):
            # The loader emits the implicit API (with the Globals that apply to it); resources
            # built without it get a bare one, declared at the first event that creates it.
            span = event.span or r.span
            body = {"StageName": Value.known(stage, span)} if kind == REST_API else {}
            implicit[kind] = Resource(
                kind,
                address,
                r.language,
                Value.known(body, span),
                span,
                name,
                scope=r.scope,
            )
            others[implicit[kind].address] = implicit[kind]
            (_rest_api if kind == REST_API else _http_api)(implicit[kind], scope)
        ref, api = _event_api(props, "RestApiId" if etype == "Api" else "ApiId", kind, r, others)
        if api is not None and api.type != kind:
            continue  # an event naming an API of the other kind: SAM rejects it
        at_event = replace(r, span=event.span) if event.span is not None else r
        attr = f"Events.{event_name}.Properties.Auth.Authorizer"
        auth = props.path("Auth", "Authorizer")
        if auth.is_null:
            default = api.body.path("Auth", "DefaultAuthorizer") if api is not None else Value.absent()
            if api is None and not ref.refs:
                auth = Value.unknown("the event's API is not defined in this template", ref.span)
            elif not default.is_null:
                auth = _authorizer_kind(default, api)
                attr = "Auth.DefaultAuthorizer"
        elif (
            (auth.as_str() or "").upper() == "NONE"
            and api is not None
            and kind == REST_API
            and api.body.get("DefinitionBody").is_known
            and props.path("Auth", "OverrideApiAuth").as_bool() is not True
            and _default_auth(api) is not None
        ):
            # With a DefinitionBody, SAM keeps the default authorizer on the method unless the
            # event also sets `OverrideApiAuth: true`.
            auth, attr = _default_auth(api) or (auth, attr)
        else:
            auth = _authorizer_kind(auth, api)
        key = props.path("Auth", "ApiKeyRequired")
        key_attr = f"Events.{event_name}.Properties.Auth.ApiKeyRequired"
        if key.is_null and api is not None:
            key = api.body.path("Auth", "ApiKeyRequired")
            key_attr = "Auth.ApiKeyRequired"
        method = props.get("Method")
        text = (method.as_str() or "?").upper()
        verb = Value.known("ANY" if text == "ANY" else text, method.span) if method.as_str() else method
        path = props.get("Path").as_str() or "?"
        noun = "method" if etype == "Api" else "route"
        scope.model.aws.operations.append(
            Operation(
                at_event,
                ref,
                verb,
                f"{noun} {text} {path} (event {event_name})",
                auth,
                attr,
                api_key_required=key,
                api_key_attribute=key_attr,
            )
        )
