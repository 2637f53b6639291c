"""S5.2: rate limiting exists: a blocking rate-based rule in the WAF in front, or a rate-limit
policy of the API's own. A WAF without one is reported on the WAF itself, linked to an API or not;
an API with no WAF and no rate-limit policy is reported on the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts


@check("IAC811")
def rate_limit_missing(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for w in facts.wafs:
        d = w.rate_limit
        if w.retired or d.state is True:
            continue
        front = f" (in front of {', '.join(w.protects)})" if w.protects else ""
        yield ctx.decided(w.origin, replace(d, why=d.why + front))
    for t in facts.rate_targets:
        if any(not lim.conditional for lim in t.limiters):
            continue
        wafs = [a for a in t.attachments if a.waf is None or not a.waf.retired]
        if any(a.waf is not None and a.waf.rate_limit.state is True for a in wafs):
            continue
        known = [a for a in wafs if a.waf is not None]
        if known:
            continue  # the WAF in front says it does not rate limit
        if wafs:
            ref = wafs[0].ref
            yield ctx.unknown(t.origin, ref, why=f"the web application firewall in front is {ref.describe()}")
            continue
        if t.unknown or t.limiters:
            why = "; ".join(t.unknown) or f"its {t.limiters[0].kind} runs only for some requests"
            yield ctx.unknown(t.origin, t.setting, why=why)
            continue
        yield ctx.violation(t.origin, t.setting, why=t.missing)
