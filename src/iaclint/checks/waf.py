"""S5.1, S5.2, S5.5: a public API is fronted by a web ACL that blocks, with a rate-based rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding, Related
from iaclint.model.azure import effective as azure_effective
from iaclint.model.azure.entities import Front
from iaclint.model.entities import Model, Stage, WafAssociation, WebAcl
from iaclint.values import Value


def _stage_label(st: Stage) -> str:
    api = st.api.label if st.api else "AWS API Gateway API"
    return f"{api} stage {st.resource.address}"


def _fronting(st: Stage) -> tuple[list[WafAssociation], list[WebAcl], list[Value]]:
    """What protects a stage: its associations, the web ACLs known to front it (directly or
    through a CloudFront distribution), and web ACL references that cannot be known."""
    assocs = list(st.associations)
    acls: list[WebAcl] = []
    unknown: list[Value] = []
    for a in assocs:
        acls += a.acls
        if not a.acls and not a.acl_ref.is_null:
            unknown.append(a.acl_ref)
    if st.api is not None:
        for dist in st.api.distributions:
            acls += dist.acls
            if not dist.acls and not dist.acl_ref.is_null:
                unknown.append(dist.acl_ref)
    return assocs, acls, unknown


def _public_stages(model: Model, ctx: CheckContext) -> Iterator[tuple[Stage, bool | None]]:
    """Stages of REST and HTTP APIs that the WAF rules apply to, with whether the API is private."""
    for st in model.stages:
        api = st.api
        if api is not None and api.protocol == "WebSocket":
            continue  # WAF cannot front WebSocket APIs
        private = api.private if api is not None else None
        if private is True:
            continue
        yield st, private


@check("IAC801")
def waf_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for st, private in _public_stages(model, ctx):
        assocs, acls, unknown = _fronting(st)
        if assocs or acls or unknown:
            continue
        http_api = st.api is not None and st.api.protocol == "HTTP"
        if st.possible_associations or private is None:
            why = (
                f"web ACL association {st.possible_associations[0].resource.address} targets a resource "
                "that cannot be known"
                if st.possible_associations
                else "whether the API is private cannot be known"
            )
            yield ctx.finding(
                st.resource,
                Value.absent(),
                "waf",
                unknown=True,
                message=f"{_stage_label(st)}: cannot tell whether a web ACL protects it: {why}",
            )
            continue
        how = (
            "HTTP APIs cannot take a web ACL directly: put a CloudFront distribution with a web ACL in front"
            if http_api
            else "associate a WAFv2 web ACL with the stage or front it with CloudFront and a web ACL"
        )
        yield ctx.finding(st.resource, Value.absent(), "waf", label=_stage_label(st), how=how)


def _acl_label(acl: WebAcl) -> str:
    return f"AWS WAFv2 web ACL {acl.resource.address}"


@check("IAC802")
def waf_not_blocking(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for acl in model.web_acls:
        if acl.default_action == "block" or acl.blocking_rules:
            continue
        if acl.rules_unknown is not None or (
            acl.default_action is None and not acl.default_action_value.is_null
        ):
            decider = acl.rules_unknown if acl.rules_unknown is not None else acl.default_action_value
            yield ctx.finding(
                acl.resource,
                decider,
                "rule",
                unknown=True,
                message=f"{_acl_label(acl)}: cannot tell whether it blocks anything: {decider.describe()}",
            )
            continue
        counting = acl.counting_rules
        unknown_actions = [r for r in acl.rules if r.action is None]
        if unknown_actions and not counting:
            r = unknown_actions[0]
            yield ctx.finding(
                acl.resource,
                r.action_value,
                "rule.action",
                unknown=True,
                message=f"{_acl_label(acl)}: cannot tell whether rule {r.name!r} blocks",
            )
            continue
        problem = (
            f"its rules only count ({', '.join(r.name for r in counting)}) and the default action allows"
            if counting
            else "the default action allows and no rule blocks"
        )
        f = ctx.finding(acl.resource, Value.absent(), "rule", label=_acl_label(acl), problem=problem)
        related = tuple(
            Related(r.action_value.span, f"rule {r.name!r} counts only")
            for r in counting
            if r.action_value.span is not None
        )
        yield replace(f, related=f.related + related)


@check("IAC811")
def rate_limit_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    seen: set[int] = set()
    for st, _private in _public_stages(model, ctx):
        _assocs, acls, unknown = _fronting(st)
        for ref in unknown:
            key = id(ref)
            if key in seen:
                continue
            seen.add(key)
            yield ctx.finding(
                st.resource,
                ref,
                "web_acl",
                unknown=True,
                message=f"{_stage_label(st)}: cannot tell whether the web ACL protecting it has a rate-based "
                f"rule: the web ACL is {ref.describe()}",
            )
        for acl in acls:
            if id(acl) in seen:
                continue
            seen.add(id(acl))
            if any(r.rate_based and r.blocks for r in acl.rules):
                continue
            if acl.rules_unknown is not None or any(r.group for r in acl.rules):
                yield ctx.finding(
                    acl.resource,
                    acl.rules_unknown or Value.absent(),
                    "rule",
                    unknown=True,
                    message=f"{_acl_label(acl)}: cannot tell whether it has a rate-based rule "
                    "(rules are in a rule group or cannot be known)",
                )
                continue
            counted = [r.name for r in acl.rules if r.rate_based]
            detail = (
                f"its rate-based rule {counted[0]!r} only counts" if counted else "it has no rate-based rule"
            )
            yield ctx.finding(
                acl.resource,
                Value.absent(),
                "rule",
                label=_acl_label(acl),
                stage=_stage_label(st),
                detail=detail,
            )


# -- Azure: APIM behind an Application Gateway / Front Door with a WAF (or internal), WAF policies
# in Prevention mode, and rate limiting in the WAF or the effective APIM policy.


def _front_waf(front: Front) -> bool | None:
    """Whether a front carries a WAF: a linked (or referenced) WAF policy, or the inline App
    Gateway WAF switched on."""
    if front.waf_policies or any(not r.is_null for r in front.policy_refs):
        return True
    if front.inline_enabled is not None:
        return front.inline_enabled.flag()
    return False


@check("IAC801")
def azure_waf_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for svc in model.azure.services:
        internal = svc.internal()
        if internal is True:
            continue
        wafs = [_front_waf(f) for f in svc.fronts]
        if True in wafs:
            continue
        if internal is None or None in wafs or (not svc.fronts and svc.possible_fronts):
            why = (
                f"{svc.vnet_type.attribute} is {svc.vnet_type.value.describe()}"
                if internal is None
                else "whether a front carries a WAF cannot be known"
                if None in wafs
                else f"{svc.possible_fronts[0].label} points at a backend that cannot be known"
            )
            yield ctx.finding(
                svc.resource,
                svc.vnet_type.value if internal is None else Value.absent(),
                "waf",
                unknown=True,
                message=f"{svc.label}: cannot tell whether a web application firewall protects it: {why}",
            )
            continue
        how = (
            f"{', '.join(f.label for f in svc.fronts)} in front has no WAF"
            if svc.fronts
            else "no Application Gateway or Front Door with a WAF policy fronts it, and it is not in an "
            "internal virtual network"
        )
        yield ctx.finding(svc.resource, Value.absent(), "waf", message=f"{svc.label} is public: {how}")


@check("IAC802")
def azure_waf_detection(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for w in model.azure.waf_policies:
        enabled = w.enabled.value
        on = enabled.as_bool() if (enabled.as_str() or "").lower() not in ("enabled", "disabled") else (
            (enabled.as_str() or "").lower() == "enabled"
        )
        if on is False:
            yield ctx.finding(
                w.resource,
                enabled,
                w.enabled.attribute,
                message=f"{w.label} blocks nothing: it is disabled "
                f"({w.enabled.attribute} is {enabled.describe()})",
            )
            continue
        detection = w.detection_only()
        if detection is False:
            continue
        mode = w.mode.value
        yield ctx.finding(
            w.resource,
            mode,
            w.mode.attribute,
            unknown=detection is None,
            message=(
                f"{w.label} blocks nothing: it runs in Detection mode "
                f"({w.mode.attribute} is {mode.describe()})"
                if detection
                else f"{w.label}: cannot tell whether it blocks: {w.mode.attribute} is {mode.describe()}"
            ),
        )
    for front in model.azure.fronts:
        m = front.inline_mode
        if m is None or front.inline_enabled is None or front.inline_enabled.flag() is False:
            continue
        text = m.value.as_str()
        if m.value.is_unknown or (text or "").lower() == "detection":
            yield ctx.finding(
                front.resource,
                m.value,
                m.attribute,
                unknown=m.value.is_unknown,
                message=f"{front.label}: its WAF blocks nothing: {m.attribute} is {m.value.describe()}",
            )


def _rate_limited_by_waf(svc_fronts: list[Front]) -> bool:
    return any(r.rate_based and r.blocks for f in svc_fronts for w in f.waf_policies for r in w.rules)


@check("IAC811")
def azure_rate_limit_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for api in model.azure.apis:
        fronts = api.service.fronts if api.service is not None else []
        if _rate_limited_by_waf(fronts):
            continue
        for path in azure_effective.paths(api):
            if path.operation is not None:
                continue  # an operation policy can only add limits to the API-level path
            pol = path.policy
            if any(not r.conditional for r in pol.rate_limits):
                continue
            where = azure_effective.policy_value(path)
            if pol.unknown or pol.rate_limits:
                why = "; ".join(pol.unknown) if pol.unknown else "its rate limit runs only inside <choose>"
                yield ctx.finding(
                    path.resource, where, "policy", unknown=True,
                    message=f"{path.label}: cannot tell whether calls are rate limited: {why}",
                )  # fmt: skip
                continue
            yield ctx.finding(
                path.resource,
                where,
                "policy",
                message=f"{path.label} has no rate limit: no rate-limit, rate-limit-by-key or quota in its "
                "effective policy and no blocking RateLimitRule in a WAF policy in front",
            )
