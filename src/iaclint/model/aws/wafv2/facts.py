"""What an AWS WAFv2 web ACL means for the standard: whether it blocks (S5.5) and whether it has a
blocking rate-based rule (S5.2). Every web ACL of the model is a WAF fact, attached to an API or
not, so one without a rate-based rule is reported on itself."""

from __future__ import annotations

from iaclint.model.aws.wafv2.entities import WebAcl
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Decision, Origin, Setting, Waf


def acl_label(acl: WebAcl) -> str:
    return f"AWS WAFv2 web ACL {acl.resource.address}"


def web_acl(acl: WebAcl) -> Waf:
    return Waf(Origin.of(acl.resource, acl_label(acl)), _blocks(acl), _rate_limit(acl))


def _blocks(acl: WebAcl) -> Decision:
    if acl.default_action == "block" or acl.blocking_rules:
        return Decision.yes(Setting.absent("rule"))
    if acl.rules_unknown is not None or (acl.default_action is None and not acl.default_action_value.is_null):
        decider = acl.rules_unknown if acl.rules_unknown is not None else acl.default_action_value
        return Decision.unknown(Setting(decider, "rule"), decider.describe())
    counting = acl.counting_rules
    undecided = [r for r in acl.rules if r.action is None]
    if undecided and not counting:
        r = undecided[0]
        return Decision.unknown(
            Setting(r.action_value, "rule.action"), f"the action of rule {r.name!r} cannot be known"
        )
    if counting:
        names = ", ".join(r.name for r in counting)
        related = tuple(
            (r.action_value.span, f"rule {r.name!r} counts only") for r in counting if r.action_value.span
        )
        why = f"its rules only count ({names}) and the default action allows"
        return Decision(False, Setting.absent("rule"), why, related)
    return Decision.no(Setting.absent("rule"), "the default action allows and no rule blocks")


def _rate_limit(acl: WebAcl) -> Decision:
    if any(r.rate_based and r.blocks for r in acl.rules):
        return Decision.yes(Setting.absent("rule"))
    if acl.rules_unknown is not None or any(r.group for r in acl.rules):
        where = acl.rules_unknown or Setting.absent("rule").value
        return Decision.unknown(Setting(where, "rule"), "its rules are in a rule group or cannot be known")
    counted = [r.name for r in acl.rules if r.rate_based]
    why = f"its rate-based rule {counted[0]!r} only counts" if counted else "it has no rate-based rule"
    return Decision.no(Setting.absent("rule"), why)


@builder
def web_acls(d: Derivation) -> None:
    for acl in d.model.aws.web_acls:
        d.waf(acl, web_acl)
