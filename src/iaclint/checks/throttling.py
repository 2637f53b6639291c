"""S5.3: API stages are throttled (method or route settings, or a usage plan)."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts


@check("IAC821")
def throttling_missing(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for r in facts.throttling:
        if r.met.state is not True:
            yield ctx.decided(r.origin, r.met)
