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

from iaclint.model.aws import from_cloudformation_openapi as from_openapi
from iaclint.model.aws.from_cloudformation_apigateway import (
    MTLS,
    api_ref,
    default_endpoint,
    inline_policy,
    method_settings_throttles,
    mtls,
    private_endpoint,
    rest_domain_endpoint,
)
from iaclint.model.aws.from_terraform_apigateway import PLATFORM, _apigw_floor, _limited
from iaclint.model.entities import (
    Api,
    Authorizer,
    DomainMapping,
    Endpoint,
    Model,
    Operation,
    PolicyStatement,
    ResourcePolicy,
    Stage,
    Throttle,
    UsagePlan,
)
from iaclint.resources import Resource
from iaclint.values import Value

Resources = dict[str, Resource]

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
        from iaclint.model.aws import policy_document

        more, why = policy_document.statements(Value.known({"Statement": custom}, custom.span))
        if more is None:
            return ResourcePolicy(r, custom, f"{attribute}.CustomStatements", None, why)
        stmts += more
    return ResourcePolicy(r, policy, attribute, stmts)


def _domain(r: Resource, model: Model, domain: Value, http: bool, stage: Value) -> None:
    if domain.is_null:
        return
    at = replace(r, span=domain.span) if domain.span is not None else r
    if http:
        ep = Endpoint(
            PLATFORM,
            "custom domain (HTTP/WebSocket)",
            at,
            _apigw_floor(domain.get("SecurityPolicy"), "Domain.SecurityPolicy", "1.2"),
            custom_domain=True,
            mtls=mtls(domain.get(MTLS), "Domain."),
            mtls_attribute=f"Domain.{MTLS}",
            host=domain.get("DomainName"),
        )
    else:
        ep = rest_domain_endpoint(at, domain, "Domain.")
    model.endpoints.append(ep)
    # SAM maps the domain to this API's stage: the mapping names the API itself.
    model.mappings.append(DomainMapping(r, api_ref(r), api_ref(r), stage))


def _rest_api(r: Resource, model: Model) -> None:
    body = r.body
    auth = body.get("Auth")
    private, private_value = private_endpoint(body.get("EndpointConfiguration"))
    disabled = body.get("DisableExecuteApiEndpoint")
    definition = body.get("DefinitionBody")
    policy = _resource_policy(r, auth.get("ResourcePolicy"))
    if policy is None and definition.is_known:
        policy = inline_policy(
            r, definition.get("x-amazon-apigateway-policy"), "DefinitionBody.x-amazon-apigateway-policy"
        )
    model.apis.append(
        Api(r, PLATFORM, "REST", private, private_value, disabled, "DisableExecuteApiEndpoint", policy)
    )
    ref = api_ref(r)
    stage = body.get("StageName")
    throttles = method_settings_throttles(r, body.get("MethodSettings"), "MethodSettings")
    model.stages.append(Stage(r, ref, stage, throttles))
    plan = auth.get("UsagePlan")
    if not plan.is_null and plan.get("CreateUsagePlan").as_str() != "NONE":
        ts = plan.get("Throttle")
        limited = _limited(ts.get("RateLimit"), ts.get("BurstLimit"))
        model.usage_plans.append(
            UsagePlan(r, [(ref, stage)], Throttle(r, ts, "Auth.UsagePlan.Throttle", "usage plan", limited))
        )
    _domain(r, model, body.get("Domain"), False, stage)
    if definition.is_known:
        from_openapi.read(r, definition, "DefinitionBody", model, ref, "REST", _default_auth(r))
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


def _http_api(r: Resource, model: Model) -> None:
    body = r.body
    model.apis.append(
        Api(
            r,
            PLATFORM,
            "HTTP",
            False,
            Value.absent(r.span),
            body.get("DisableExecuteApiEndpoint"),
            "DisableExecuteApiEndpoint",
        )
    )
    ref = api_ref(r)
    stage = body.get("StageName")
    if stage.is_null:
        stage = Value.known("$default", r.span)
    throttles: list[Throttle] = []
    drs = body.get("DefaultRouteSettings")
    if not drs.is_null:
        limited = _limited(drs.get("ThrottlingRateLimit"), drs.get("ThrottlingBurstLimit"))
        throttles.append(Throttle(r, drs, "DefaultRouteSettings", "default route settings", limited))
    for _key, rs in body.get("RouteSettings").items():
        limited = _limited(rs.get("ThrottlingRateLimit"), rs.get("ThrottlingBurstLimit"))
        throttles.append(Throttle(r, rs, "RouteSettings", "route settings", limited))
    model.stages.append(Stage(r, ref, stage, throttles))
    _domain(r, model, body.get("Domain"), True, stage)
    for name, decl in body.path("Auth", "Authorizers").items():
        jwt = decl.get("JwtConfiguration")
        kind = "JWT" if not jwt.is_null else "REQUEST"
        at = replace(r, span=decl.span) if decl.span is not None else r
        prefix = f"Auth.Authorizers.{name}.JwtConfiguration"
        model.authorizers.append(
            Authorizer(
                at,
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
    definition = body.get("DefinitionBody")
    if definition.is_known:
        from_openapi.read(r, definition, "DefinitionBody", model, ref, "HTTP", _default_auth(r))


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
    props: Value, key: str, kind: str, r: Resource, others: Resources
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


def _function(r: Resource, model: Model, others: Resources, implicit: dict[str, Resource]) -> None:
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
            (_rest_api if kind == REST_API else _http_api)(implicit[kind], model)
        ref, api = _event_api(props, "RestApiId" if etype == "Api" else "ApiId", kind, r, others)
        if api is not None and api.type != kind:
            continue  # an event naming an API of the other kind: SAM rejects it
        at = replace(r, span=event.span) if event.span is not None else r
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
        model.operations.append(
            Operation(
                at,
                ref,
                verb,
                f"{noun} {text} {path} (event {event_name})",
                auth,
                attr,
                api_key_required=key,
                api_key_attribute=key_attr,
            )
        )


def adapt(resources: list[Resource], model: Model, others: Resources) -> None:
    """Adapt every SAM resource of one template (APIs first: events read their API's Auth)."""
    for r in resources:
        if r.type == REST_API:
            _rest_api(r, model)
        elif r.type == HTTP_API:
            _http_api(r, model)
    implicit: dict[str, Resource] = {}
    for r in resources:
        if r.type == FUNCTION:
            _function(r, model, others, implicit)
