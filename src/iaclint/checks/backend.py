"""S4.1: gateways and edges reach their backends over TLS, verify the backends' certificates, and
use no legacy protocol towards them."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts


@check("IAC701")
def backend_plain_http(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for b in facts.backends:
        if b.tls.state is not True:
            yield ctx.decided(b.origin, b.tls)


@check("IAC702")
def backend_verification(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for b in facts.backends:
        for d in b.verification:
            if d.state is not True:
                yield ctx.decided(b.origin, d)


@check("IAC703", fields=("protocol",))
def backend_legacy_protocols(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for p in facts.legacy_protocols:
        if p.off.state is not True:
            yield ctx.decided(p.origin, p.off, protocol=p.protocol)
