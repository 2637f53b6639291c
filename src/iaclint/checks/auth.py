"""S3.1-S3.3: every API operation requires authentication; token validation binds tokens to a
trusted issuer and the API; an API key alone is not authentication."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Auth, Facts


@check("IAC601")
def unauthenticated_operation(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for op in facts.operations:
        if op.auth is Auth.NONE:
            yield ctx.violation(op.origin, op.setting, why=op.why)
        elif op.auth is Auth.UNKNOWN:
            yield ctx.unknown(op.origin, op.setting, why=op.why)


@check("IAC602")
def token_validation(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for tv in facts.token_validators:
        if tv.problems:
            yield ctx.violation(tv.origin, tv.setting, why=", ".join(tv.problems))
        elif tv.unknown:
            yield ctx.unknown(tv.origin, tv.setting, why=tv.unknown)


@check("IAC603")
def api_key_only(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for op in facts.operations:
        if op.auth is Auth.API_KEY:
            yield ctx.violation(op.origin, op.setting, why=op.why)
