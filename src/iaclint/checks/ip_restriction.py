"""S5.4: access to a public REST API is restricted by network (resource policy on the caller's
address or VPC endpoint, or a WAF IP-set allow rule); private APIs count as restricted."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding, Level
from iaclint.model.azure import effective as azure_effective
from iaclint.model.entities import Api, Model, WebAcl
from iaclint.values import Value


def _acls(api: Api) -> tuple[list[WebAcl], bool]:
    """Web ACLs fronting the API's stages or distributions, and whether some cannot be known."""
    acls: list[WebAcl] = []
    unknown = False
    for st in api.stages:
        for a in st.associations:
            acls += a.acls
            unknown |= not a.acls
    for d in api.distributions:
        acls += d.acls
        unknown |= not d.acls and not d.acl_ref.is_null
    return acls, unknown


@check("IAC831")
def ip_restriction_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    try:
        level = Level(str(ctx.param("level") or ctx.rule.severity.value))
    except ValueError:
        level = ctx.rule.severity
    for api in model.apis:
        if api.protocol != "REST" or api.private is True:
            continue
        acls, acl_unknown = _acls(api)
        if any(p.restricts_network() for p in api.policies) or any(a.restricts_network() for a in acls):
            continue
        where = api.inline_policy.document if api.inline_policy else Value.absent()
        attr = "policy"
        undecided = [p for p in api.policies if p.statements is None]
        if undecided or acl_unknown or api.private is None:
            why = (
                f"the policy of {undecided[0].resource.address} cannot be known ({undecided[0].reason})"
                if undecided
                else "a web ACL in front cannot be known"
                if acl_unknown
                else f"whether the API is private cannot be known ({api.private_value.describe()})"
            )
            yield ctx.finding(
                api.resource,
                undecided[0].document if undecided else where,
                attr,
                unknown=True,
                message=f"{api.label}: cannot tell whether access is restricted by network: {why}",
            )
            continue
        found = (
            "its resource policy does not condition access on aws:SourceIp or aws:SourceVpce"
            if (api.policies)
            else "it has no resource policy and no WAF IP-set allow rule"
        )
        yield ctx.finding(api.resource, where, attr, level=level, label=api.label, found=found)


@check("IAC831")
def azure_ip_restriction_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    """APIM: an `ip-filter action="allow"` in the effective policy, or an internal VNet."""
    try:
        level = Level(str(ctx.param("level") or ctx.rule.severity.value))
    except ValueError:
        level = ctx.rule.severity
    for api in model.azure.apis:
        internal = api.service.internal() if api.service is not None else None
        if internal is True:
            continue
        for path in azure_effective.paths(api):
            if path.operation is not None:
                continue
            pol = path.policy
            if any(f.action == "allow" and not f.conditional for f in pol.ip_filters):
                continue
            where = azure_effective.policy_value(path)
            if pol.unknown or internal is None:
                why = "; ".join(pol.unknown) or "whether the service is internal cannot be known"
                yield ctx.finding(
                    path.resource,
                    where,
                    "policy",
                    unknown=True,
                    message=f"{path.label}: cannot tell whether access is restricted by network: {why}",
                )
                continue
            found = (
                'its ip-filter only forbids listed addresses (action="forbid" is a deny-list)'
                if pol.ip_filters
                else 'no ip-filter action="allow" in its effective policy and the service is not in an '
                "internal virtual network"
            )
            yield ctx.finding(
                path.resource,
                where,
                "policy",
                level=level,
                message=f"{path.label} accepts calls from any network: {found}",
            )
