"""What Azure web application firewalls mean for the standard: a WAF policy (Application Gateway or
Front Door) or an Application Gateway's inline WAF configuration blocks or only detects (S5.5), and
has a blocking rate-limit rule or not (S5.2). Every WAF policy of the model is a WAF fact, linked to
a front or not."""

from __future__ import annotations

from iaclint.model.azure.common import flag
from iaclint.model.azure.waf.entities import Front, WafPolicy
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Attachment, Decision, Origin, Setting, Waf


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
    if any(r.rate_based and r.blocks for r in w.rules):
        return Decision.yes(where)
    if w.rules_unknown is not None:
        return Decision.unknown(
            Setting(w.rules_unknown, w.rules_attribute), "its custom rules cannot be known"
        )
    counted = [r.name for r in w.rules if r.rate_based]
    why = (
        f"its RateLimitRule {counted[0]!r} does not block"
        if counted
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
