"""S5.4: access to a public API is restricted by network where possible (an allow-list, a private
endpoint or an internal network); a deny-list is not an allow-list."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding, Level
from iaclint.model.facts import Facts


@check("IAC831")
def ip_restriction_missing(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    # `level`: an organisation that runs deliberately public APIs lowers the rule to a note.
    try:
        level = Level(str(ctx.param("level") or ctx.rule.severity.value))
    except ValueError:
        level = ctx.rule.severity
    for r in facts.network:
        if r.met.state is not True:
            yield ctx.decided(r.origin, r.met, level=level)
