"""OpenAPI definitions inlined in an API (`AWS::ApiGateway::RestApi.Body`, `AWS::ApiGatewayV2::Api.Body`,
SAM `DefinitionBody`, `aws_api_gateway_rest_api.body`): operations with their security, API Gateway
integrations (`x-amazon-apigateway-integration`) and JWT authorizers declared as security schemes.
Every language hands the document over as a Value; reading it is the same for all.

Only what API Gateway itself reads is taken: an operation's `security` (or the document's), the
`x-amazon-apigateway-authtype`/`-authorizer` of the schemes it names, and an `api_key` scheme, which
API Gateway treats as "API key required", not as authentication.
"""

from __future__ import annotations

from dataclasses import replace

from iaclint.model.adapters import Scope
from iaclint.model.aws.apigateway.entities import Authorizer, Integration, Operation
from iaclint.resources import Resource
from iaclint.values import Value

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")


def _schemes(doc: Value) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for source in (doc.path("components", "securitySchemes"), doc.get("securityDefinitions")):
        for name, scheme in source.items():
            out[name] = scheme
    return out


def _is_api_key(scheme: Value) -> bool:
    # An `apiKey` scheme without an API Gateway authoriser behind it is the usage-plan API key.
    return (
        scheme.get("type").as_str() == "apiKey"
        and scheme.get("x-amazon-apigateway-authtype").is_null
        and scheme.get("x-amazon-apigateway-authorizer").is_null
    )


def _auth(security: Value, schemes: dict[str, Value]) -> tuple[Value, Value]:
    """(authorisation type, API key required) of a `security` requirement list."""
    if security.is_unknown:
        return security, Value.absent()
    kinds: list[str] = []
    key = False
    for requirement in security.elements():
        for name, _ in requirement.items():
            scheme = schemes.get(name)
            if scheme is None and name == "NONE":
                # The SAM transform's marker for `Auth: {Authorizer: NONE}` under a default
                # authorizer: no scheme is named, so API Gateway sets no authoriser on the method.
                continue
            if scheme is None:
                return Value.unknown(
                    f"security scheme {name} is not defined", requirement.span
                ), Value.absent()
            if _is_api_key(scheme):
                key = True
                continue
            kind = (
                scheme.get("x-amazon-apigateway-authtype").as_str()
                or scheme.path("x-amazon-apigateway-authorizer", "type").as_str()
                or scheme.get("type").as_str()
                or "CUSTOM"
            )
            kinds.append(kind.upper())
    key_value = Value.known(True, security.span) if key else Value.absent()
    return Value.known(kinds[0] if kinds else "NONE", security.span), key_value


def read(
    r: Resource,
    doc: Value,
    attribute: str,
    scope: Scope,
    api_ref: Value,
    protocol: str,
    default_auth: tuple[Value, str] | None = None,
) -> None:
    """Add the operations, integrations and JWT authorizers of the OpenAPI document `doc`.

    `default_auth` (authorisation type, attribute) applies to operations without any `security`:
    SAM adds an API's `Auth.DefaultAuthorizer` to every method of its definition."""
    aws = scope.model.aws
    schemes = _schemes(doc)
    default_security = doc.get("security")
    for path, item in doc.get("paths").items():
        for method, op in item.items():
            if method.lower() not in _METHODS:
                continue
            verb_text = "ANY" if method.startswith("x-") else method.upper()
            verb = Value.known(verb_text, op.span)
            # Findings on an operation point at its definition, not at the API's header.
            at = replace(r, span=op.span) if op.span is not None else r
            security = op.get("security")
            if security.is_absent:
                security = default_security
            auth_attribute = f"{attribute}.paths.{path}.{method}.security"
            if security.is_absent and default_auth is not None:
                (auth, auth_attribute), key = default_auth, Value.absent()
            elif security.is_absent:
                auth, key = Value.absent(op.span), Value.absent()
            else:
                auth, key = _auth(security, schemes)
            aws.operations.append(
                Operation(
                    at,
                    api_ref,
                    verb,
                    f"{'method' if protocol == 'REST' else 'route'} {verb_text} {path}",
                    auth,
                    auth_attribute,
                    api_key_required=key,
                    api_key_attribute=f"{attribute}.paths.{path}.{method}.security",
                )
            )
            integ = op.get("x-amazon-apigateway-integration")
            if integ.is_null:
                continue
            aws.integrations.append(
                Integration(
                    at,
                    api_ref,
                    integ.get("type"),
                    integ.get("uri"),
                    f"{attribute}.paths.{path}.{method}.x-amazon-apigateway-integration.uri",
                    integ.path("tlsConfig", "insecureSkipVerification"),
                    f"{attribute}.paths.{path}.{method}.x-amazon-apigateway-integration.tlsConfig",
                )
            )
    for name, scheme in schemes.items():
        authorizer = scheme.get("x-amazon-apigateway-authorizer")
        if authorizer.get("type").as_str() != "jwt":
            continue
        jwt = authorizer.get("jwtConfiguration")
        prefix = f"{attribute}.securitySchemes.{name}.x-amazon-apigateway-authorizer.jwtConfiguration"
        aws.authorizers.append(
            Authorizer(
                replace(r, span=scheme.span) if scheme.span is not None else r,
                api_ref,
                Value.known("JWT", authorizer.get("type").span),
                "type",
                jwt,
                jwt.get("audience"),
                f"{prefix}.audience",
                jwt.get("issuer"),
                f"{prefix}.issuer",
            )
        )
