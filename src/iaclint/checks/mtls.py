"""S2.1, S2.3: mutual TLS complete where configured (a truststore, pinned; the certificates
validated where an API is served), and required where the organisation says so."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Decision, Facts, Origin


def _decide(ctx: CheckContext, origin: Origin, d: Decision) -> Iterator[Finding]:
    if d.state is not True:
        yield ctx.decided(origin, d)


@check("IAC401")
def mtls_complete(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        for auth in ep.client_auths:
            yield from _decide(ctx, ep.origin, auth.truststore)
            for v in auth.validations:
                yield from _decide(ctx, v.origin, v.validated)


@check("IAC402")
def mtls_truststore_version(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        for auth in ep.client_auths:
            # Only a truststore known to be there can be pinned; IAC401 speaks for the others.
            if auth.truststore.state is True and auth.version_pinned is not None:
                yield from _decide(ctx, ep.origin, auth.version_pinned)


@check("IAC403")
def mtls_required(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        if ep.custom_domain and not ep.client_auths:
            yield ctx.violation(ep.origin, ep.client_auth_setting)
