"""S5.1, S5.5: every public API and internet-facing edge is fronted by a web application firewall,
and a WAF in detection or count mode does not count as protection."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import Facts, Setting


@check("IAC801")
def waf_missing(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    # `edges = "api"`: an organisation may narrow the rule to edges known to front an API.
    only_api_edges = str(ctx.param("edges") or "all").lower() == "api"
    for t in facts.waf_targets:
        if not t.capable or t.public.state is False:
            continue
        if t.edge and only_api_edges and t.fronts_api is not True:
            continue
        if any(a.waf is None or not a.waf.retired for a in t.attachments):
            continue  # a WAF is in front; whether it blocks is IAC802's question
        if t.possible or t.public.state is None:
            setting = t.public.setting if t.public.state is None else Setting.absent("waf")
            yield ctx.unknown(t.origin, setting, why=t.possible[0] if t.possible else t.public.why)
            continue
        retired = [a.waf for a in t.attachments if a.waf is not None]
        why = t.how
        if retired:
            why = f"only {retired[0].origin.label} is attached, {retired[0].retired}; {why}"
        yield ctx.violation(t.origin, Setting.absent("waf"), why=why)


@check("IAC802")
def waf_not_blocking(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for w in facts.wafs:
        if not w.retired and w.blocks.state is not True:
            yield ctx.decided(w.origin, w.blocks)
