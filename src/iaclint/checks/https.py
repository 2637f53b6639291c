"""S1.3: HTTPS only: no plain-HTTP listener, protocol or viewer policy unless it only redirects."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts, Setting


@check("IAC201")
def https_only(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        for h in ep.http:
            setting = Setting(h.setting, h.attribute)
            if h.serves_plain is None:
                why = f"{h.attribute} is {h.setting.describe()}" + (f"; {h.reason}" if h.reason else "")
                yield ctx.unknown(ep.origin, setting, why=why)
            elif h.serves_plain:
                yield ctx.violation(ep.origin, setting)
