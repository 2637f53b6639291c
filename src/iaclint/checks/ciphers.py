"""S1.4: weak cipher suites (3DES, RSA key exchange with CBC) are off where the platform lets you
turn them off."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts


@check("IAC301", fields=("suite", "weak"))
def weak_ciphers(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        for c in ep.ciphers:
            if c.weak and c.off.state is not True:
                yield ctx.decided(ep.origin, c.off, suite=c.suite, weak=c.weak)
