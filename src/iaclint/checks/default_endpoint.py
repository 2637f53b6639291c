"""S2.2: an API reachable through a mutual-TLS custom domain does not stay reachable through a
default endpoint that skips it."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts


@check("IAC501", fields=("domains",))
def default_endpoint_with_mtls(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for d in facts.default_endpoints:
        if d.disabled.state is True:
            continue
        yield ctx.decided(d.origin, d.disabled, domains=", ".join(d.mtls_domains))
