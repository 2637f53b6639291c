"""OpenAPI definitions inlined in an API (`AWS::ApiGateway::RestApi.Body`, `AWS::ApiGatewayV2::Api.Body`,
SAM `DefinitionBody`, `aws_api_gateway_rest_api.body`): operations with their security, API Gateway
integrations (`x-amazon-apigateway-integration`) and JWT authorizers declared as security schemes.
Every language hands the document over as a Value; reading it is the same for all.

Only what API Gateway itself reads is taken: an operation's `security` (or the document's), the
`x-amazon-apigateway-authtype`/`-authorizer` of the schemes it names, and an `api_key` scheme, which
API Gateway treats as "API key required", not as authentication.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from iaclint.model.adapters import Scope
from iaclint.model.aws.apigateway.entities import Api, Authorizer, Integration, Operation
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import Value

# Members a decoded definition may have (YAML aliases count each time they are used), and its depth.
_MAX_MEMBERS = 200_000
_MAX_DEPTH = 64


class _TooLarge(Exception):
    pass


def _wrap(obj: Any, span: Span | None) -> Value:
    """Decoded JSON/YAML as Values at `span`, bounded: a YAML alias bomb stops at the member cap."""
    return _wrapped(obj, 0, span, [_MAX_MEMBERS])


def _wrapped(o: Any, depth: int, span: Span | None, left: list[int]) -> Value:
    """`_wrap`'s walk; `left`: how many more members it may make. (A function of the module: a
    nested function calling itself is a cycle, garbage for the cyclic collector at each call.)"""
    left[0] -= 1
    if left[0] < 0 or depth > _MAX_DEPTH:
        raise _TooLarge
    if isinstance(o, dict):
        return Value.known({str(k): _wrapped(v, depth + 1, span, left) for k, v in o.items()}, span)
    if isinstance(o, list):
        return Value.known([_wrapped(v, depth + 1, span, left) for v in o], span)
    return Value.known(o, span)


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise _TooLarge from None
    except ValueError:
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except RecursionError:
        raise _TooLarge from None


def document(body: Value) -> tuple[Value | None, str]:
    """The OpenAPI document an API's body holds: a structure (CloudFormation and SAM, or the one a
    Terraform `jsonencode` keeps beside its unknown text), or JSON/YAML text (`jsonencode`, `file()`,
    `templatefile()`), decoded with every member at the body's place. (None, why) when it cannot be
    known; (None, "") when there is none."""
    if body.is_null:
        return None, ""
    if body.is_unknown:
        if isinstance(body.data, Value) and body.data.is_known and isinstance(body.data.data, dict):
            return body.data, ""
        return None, body.reason or "the definition cannot be known"
    if isinstance(body.data, dict):
        return body, ""
    if not isinstance(body.data, str):
        return None, "the definition is not an object"
    import yaml

    try:
        decoded = _wrap(_decode(body.data), body.span)
    except _TooLarge:
        return None, "the definition is too large or too deeply nested to read"
    except (yaml.YAMLError, ValueError, TypeError):
        return None, "the definition is neither JSON nor YAML"
    if not isinstance(decoded.data, dict):
        return None, "the definition is not an object"
    return decoded, ""


def read_definition(
    r: Resource,
    api: Api,
    body: Value,
    attribute: str,
    scope: Scope,
    api_ref: Value,
    default_auth: tuple[Value, str] | None = None,
) -> None:
    """Read an API's definition, or say that it cannot be read."""
    doc, why = document(body)
    if doc is not None:
        read(r, doc, attribute, scope, api_ref, api.protocol, default_auth)
    elif why:
        api.unread_definition = (body, attribute, why)


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
            explicit = op.path("x-amazon-apigateway-auth", "type")
            if not explicit.is_null:
                # The method's authorization type, written directly (`AWS_IAM`, `NONE`).
                text = explicit.as_str()
                auth = Value.known(text.upper(), explicit.span) if text is not None else explicit
                auth_attribute = f"{attribute}.paths.{path}.{method}.x-amazon-apigateway-auth.type"
                key = _auth(security, schemes)[1] if not security.is_absent else Value.absent()
            elif security.is_absent and default_auth is not None:
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
                    integ.get("connectionType"),
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
