"""What Azure web application firewalls mean for the standard: a WAF policy (Application Gateway or
Front Door) or an Application Gateway's inline WAF configuration blocks or only detects (S5.5), and
has a blocking rate-limit rule or not (S5.2). Every WAF policy of the model is a WAF fact, linked to
a front or not; and every front (Application Gateway, Front Door) is an internet-facing edge that
must carry a WAF itself (S5.1)."""

from __future__ import annotations

from iaclint.model.azure.common import flag
from iaclint.model.azure.waf.entities import Front, WafPolicy
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Attachment, Decision, Origin, Setting, Waf, WafTarget


def waf_policy(w: WafPolicy) -> Waf:
    return Waf(Origin.of(w.resource, w.label), _policy_blocks(w), _policy_rate_limit(w))


def _policy_blocks(w: WafPolicy) -> Decision:
    enabled, eattr = w.enabled.value, w.enabled.attribute
    text = (enabled.as_str() or "").lower()
    on = enabled.as_bool() if text not in ("enabled", "disabled") else text == "enabled"
    if on is False:
        return Decision.no(Setting(enabled, eattr), f"it is disabled ({eattr} is {enabled.describe()})")
    mode, mattr = w.mode.value, w.mode.attribute
    detection = w.detection_only()
    if detection is False:
        return Decision.yes(Setting(mode, mattr))
    if detection is None:
        return Decision.unknown(Setting(mode, mattr), f"{mattr} is {mode.describe()}")
    return Decision.no(Setting(mode, mattr), f"it runs in Detection mode ({mattr} is {mode.describe()})")


def _policy_rate_limit(w: WafPolicy) -> Decision:
    where = Setting.absent(w.rules_attribute)
    rate = [r for r in w.rules if r.rate_based]
    if any(r.blocks and r.enabled is True for r in rate):
        return Decision.yes(where)
    if w.rules_unknown is not None:
        return Decision.unknown(
            Setting(w.rules_unknown, w.rules_attribute), "its custom rules cannot be known"
        )
    switched = [r for r in rate if r.blocks and r.enabled is None]
    if switched:
        return Decision.unknown(
            Setting(switched[0].value, w.rules_attribute),
            f"whether its RateLimitRule {switched[0].name!r} is switched on cannot be known",
        )
    off = [r for r in rate if r.blocks]
    if off:
        return Decision.no(
            Setting(off[0].value, w.rules_attribute), f"its RateLimitRule {off[0].name!r} is disabled"
        )
    why = (
        f"its RateLimitRule {rate[0].name!r} does not block"
        if rate
        else "it has no RateLimitRule custom rule"
    )
    return Decision.no(where, why)


def inline_waf(front: Front) -> Waf:
    """An Application Gateway's inline WAF configuration, switched on or not known to be off."""
    mode, enabled = front.inline_mode, front.inline_enabled
    mode_text = (mode.value.as_str() or "").lower() if mode is not None else ""
    if mode is not None and mode_text == "detection":
        blocks = Decision.no(
            Setting(mode.value, mode.attribute), f"{mode.attribute} is {mode.value.describe()}"
        )
    elif enabled is not None and flag(enabled.value) is None:
        blocks = Decision.unknown(
            Setting(enabled.value, enabled.attribute), f"{enabled.attribute} is unknown"
        )
    elif mode is not None and mode.value.is_unknown:
        blocks = Decision.unknown(
            Setting(mode.value, mode.attribute), f"{mode.attribute} is {mode.value.describe()}"
        )
    elif mode is not None:
        blocks = Decision.yes(Setting(mode.value, mode.attribute))
    else:
        blocks = Decision.yes(Setting.absent("firewallMode"))
    where = (
        Setting(front.inline_enabled.value, front.inline_enabled.attribute)
        if front.inline_enabled
        else (Setting.absent(""))
    )
    rate = Decision.no(
        where,
        "an inline WAF configuration cannot hold rate-limit rules (a WAF policy with a RateLimitRule can)",
    )
    return Waf(Origin.of(front.resource, f"{front.label} WAF configuration"), blocks, rate)


def front_wafs(d: Derivation, front: Front, target_label: str) -> tuple[list[Attachment], list[str]]:
    """The WAFs a front carries, attached to a target; and why a WAF on it cannot be told."""
    out: list[Attachment] = []
    for w in front.waf_policies:
        out.append(d.attach(d.waf(w, waf_policy), target_label))
    if not front.waf_policies:
        # A reference to a WAF policy this scan does not declare: a WAF all the same.
        out += [Attachment(None, Setting(r, "firewallPolicy")) for r in front.policy_refs if not r.is_null]
    unknown: list[str] = []
    if front.inline_enabled is not None:
        switch = flag(front.inline_enabled.value)
        if switch is True:
            out.append(d.attach(d.waf(front, inline_waf), target_label))
        elif switch is None and not out:
            unknown.append(f"whether the WAF of {front.label} is switched on cannot be known")
    return out, unknown


@builder
def azure_wafs(d: Derivation) -> None:
    for w in d.model.azure.waf_policies:
        d.waf(w, waf_policy)
    for front in d.model.azure.fronts:
        if front.inline_enabled is not None and flag(front.inline_enabled.value) is not False:
            d.waf(front, inline_waf)


# -- internet-facing edges (S5.1) ------------------------------------------------------------------


def _edge_wafs(d: Derivation, front: Front, stray: list[str]) -> tuple[list[Attachment], list[str], str]:
    """The WAFs on an edge itself, why one may be there but the code cannot tell, and what is missing
    when none is. `stray`: WAF links of the scope that reach no edge (a Front Door security policy
    whose profile cannot be resolved), which may be this one's."""
    capable = front.waf_capable
    if capable is not None and capable.state is False:
        return [], [], capable.why
    if front.uncovered:
        names = ", ".join(repr(n) for n in front.uncovered)
        return [], list(front.unknown), f"frontend endpoint {names} has no WAF policy link"
    # On the edge itself: the WAF's messages name the APIs it protects, not the edge it sits on.
    out = [Attachment(d.waf(w, waf_policy), Setting.absent("")) for w in front.waf_policies]
    if not front.waf_policies:
        # A reference to a WAF policy this scan does not declare: a WAF all the same.
        out += [Attachment(None, Setting(r, "firewallPolicy")) for r in front.policy_refs if not r.is_null]
    unknown = list(front.unknown)
    if front.inline_enabled is not None:
        switch = flag(front.inline_enabled.value)
        if switch is True:
            out.append(Attachment(d.waf(front, inline_waf), Setting.absent("")))
        elif switch is None and not out:
            sw = front.inline_enabled
            unknown.append(
                f"whether its WAF configuration is switched on cannot be known "
                f"({sw.attribute} is {sw.value.describe()})"
            )
    if not out:
        unknown += stray
    return out, unknown, front.how


@builder
def azure_edges(d: Derivation) -> None:
    """Every Application Gateway and Front Door is an internet-facing edge that carries a WAF itself,
    whether or not the scan shows what it fronts (an API Management service behind it is judged on
    its own as well)."""
    az = d.model.azure
    fronting = {id(f) for svc in az.services for f in svc.fronts}
    stray = [
        f"{p.resource.address} links a WAF policy to a Front Door profile that cannot be resolved"
        for p in az.fd_parts
        if p.role == "waf" and not p.placed
    ]
    for front in az.fronts:
        attachments, possible, how = _edge_wafs(d, front, stray if front.kind == "Front Door" else [])
        d.facts.waf_targets.append(
            WafTarget(
                Origin.of(front.resource, front.label),
                front.public,
                attachments,
                possible,
                edge=True,
                fronts_api=True if id(front) in fronting else None,
                how=how,
            )
        )
