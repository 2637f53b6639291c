"""S3.1-S3.3: every API operation requires authentication; JWT validation checks issuer and
audience; an API key alone is not authentication."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.azure import effective as azure_effective
from iaclint.model.azure.entities import ApimApi
from iaclint.model.entities import Model, Operation
from iaclint.values import Value


def _subject(op: Operation) -> str:
    api = op.api.label if op.api else "AWS API Gateway API"
    return f"{api} {op.label} ({op.resource.address})"


def _unauthenticated(op: Operation) -> tuple[bool | None, Value]:
    """(True: no authentication, None: cannot tell, False: authenticated) and the deciding value."""
    if not op.authorizable or (op.verb.as_str() or "").upper() == "OPTIONS":
        return False, op.auth
    auth = op.auth
    if auth.is_unknown:
        return None, auth
    text = op.auth_default if auth.is_null else auth.as_str()
    return (text or "").upper() == "NONE", auth


@check("IAC601")
def unauthenticated_operation(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for op in model.operations:
        none, auth = _unauthenticated(op)
        if none is False:
            continue
        if none and op.api_key_required.as_bool() is True:
            continue  # IAC603: an API key is there, but it is not authentication
        setting = auth.describe() if not auth.is_null else f'not set (defaults to "{op.auth_default}")'
        if none is None:
            yield ctx.finding(
                op.resource,
                auth,
                op.auth_attribute,
                unknown=True,
                message=f"{_subject(op)}: cannot tell whether it requires authentication: "
                f"{op.auth_attribute} is {auth.describe()}",
            )
            continue
        yield ctx.finding(
            op.resource,
            auth,
            op.auth_attribute,
            subject=_subject(op),
            attr=op.auth_attribute,
            setting=setting,
        )


@check("IAC603")
def api_key_only(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for op in model.operations:
        none, auth = _unauthenticated(op)
        if none is not True or op.api_key_required.as_bool() is not True:
            continue
        yield ctx.finding(
            op.resource,
            auth,
            op.auth_attribute,
            subject=_subject(op),
            attr=op.auth_attribute,
            key_attribute=op.api_key_attribute,
        )


def _empty(v: Value) -> bool:
    if v.is_null:
        return True
    if v.is_known and isinstance(v.data, (list, str)):
        return len(v.data) == 0 or (isinstance(v.data, str) and not v.data.strip())
    return False


@check("IAC602")
def jwt_authorizer_incomplete(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for az in model.authorizers:
        kind = az.kind.as_str()
        if kind is None or kind.upper() != "JWT":
            continue
        missing = [
            attr
            for v, attr in ((az.audience, az.audience_attribute), (az.issuer, az.issuer_attribute))
            if _empty(v)
        ]
        unknown = [
            (v, attr)
            for v, attr in ((az.audience, az.audience_attribute), (az.issuer, az.issuer_attribute))
            if v.is_unknown
        ]
        label = f"AWS API Gateway JWT authorizer {az.resource.address}"
        if missing:
            # Report on the empty value when it is written; on the resource when it is absent.
            target = next(
                (
                    v
                    for v, a in ((az.audience, az.audience_attribute), (az.issuer, az.issuer_attribute))
                    if a in missing and not v.is_null
                ),
                Value.absent(),
            )
            yield ctx.finding(az.resource, target, missing[0], label=label, missing=" and ".join(missing))
        elif unknown:
            v, attr = unknown[0]
            yield ctx.finding(
                az.resource,
                v,
                attr,
                unknown=True,
                message=f"{label}: cannot tell whether tokens are checked: {attr} is {v.describe()}",
            )


# -- Azure API Management: the effective policy of every API (global → product → API → operation).


def _api_key_required(api: ApimApi, product: str) -> tuple[bool | None, Value]:
    """Whether calls need a subscription key: the API's `subscriptionRequired` (default true)."""
    v = api.subscription_required.value
    if v.is_unknown:
        return None, v
    flag = v.as_bool()
    return (True if v.is_null else flag), v


@check("IAC601")
def azure_apim_authentication(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for api in model.azure.apis:
        for path in azure_effective.paths(api):
            pol = path.policy
            if any(not j.conditional for j in pol.jwt):
                continue
            where = azure_effective.policy_value(path)
            if pol.jwt or pol.unknown:
                why = (
                    "its validate-jwt runs only inside <choose> (for some requests)"
                    if pol.jwt
                    else "; ".join(pol.unknown)
                )
                yield ctx.finding(
                    path.resource, where, "policy", unknown=True,
                    message=f"{path.label}: cannot tell whether every call is authenticated: {why}",
                )  # fmt: skip
                continue
            keyed, _ = _api_key_required(api, path.product)
            if keyed is True:
                continue  # an API key alone: IAC603
            yield ctx.finding(
                path.resource, where, "policy",
                message=f"{path.label} requires no authentication: no validate-jwt or "
                "validate-azure-ad-token in its effective policy and no subscription key",
            )  # fmt: skip


@check("IAC602")
def azure_jwt_strength(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    seen: set[int] = set()
    for api in model.azure.apis:
        for path in azure_effective.paths(api):
            for jwt in path.policy.jwt:
                if id(jwt.element) in seen:
                    continue
                seen.add(id(jwt.element))
                problems = []
                if jwt.symmetric_keys:
                    problems.append("a symmetric signing key (an HS256 shared secret in issuer-signing-keys)")
                if not jwt.audiences:
                    problems.append("no audiences")
                if not jwt.issuers and not jwt.openid_config:
                    problems.append("no issuers or openid-config")
                if jwt.require_signed_tokens is False:
                    problems.append('require-signed-tokens="false"')
                if not problems:
                    continue
                at = (
                    Value.known(jwt.kind, jwt.element.span)
                    if jwt.element.span
                    else azure_effective.policy_value(path)
                )
                yield ctx.finding(
                    path.resource, at, jwt.kind,
                    message=f"{path.label}: <{jwt.kind}> has {', '.join(problems)}: tokens are not bound to "
                    "a trusted issuer and this API",
                )  # fmt: skip


@check("IAC603")
def azure_api_key_only(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for api in model.azure.apis:
        for path in azure_effective.paths(api):
            pol = path.policy
            if pol.jwt or pol.unknown:
                continue  # authenticated, or IAC601 says it cannot tell
            keyed, v = _api_key_required(api, path.product)
            if keyed is not True:
                continue
            setting = "true by default" if v.is_null else v.describe()
            yield ctx.finding(
                path.resource, v if not v.is_null else azure_effective.policy_value(path),
                api.subscription_required.attribute,
                message=f"{path.label} relies on a subscription key alone "
                f"({api.subscription_required.attribute} is {setting}, "
                "no validate-jwt in its effective policy)",
            )  # fmt: skip
