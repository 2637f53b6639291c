"""What an AWS WAFv2 web ACL means for the standard: whether it blocks (S5.5) and whether it has a
blocking rate-based rule (S5.2). Every web ACL of the model is a WAF fact, attached to an API or
not, so one without a rate-based rule is reported on itself."""

from __future__ import annotations

from iaclint.model.aws.model import AwsModel
from iaclint.model.aws.wafv2.entities import ClassicAssociation, ClassicWebAcl, WafAssociation, WebAcl
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Attachment, Decision, Origin, Setting, Waf
from iaclint.values import Value


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


# -- WAF Classic and what protects an edge ---------------------------------------------------------

RETIRED = "AWS retired WAF Classic on 30 September 2025, so it protects nothing"


def classic_label(acl: ClassicWebAcl | None, ref: Value) -> str:
    if acl is not None:
        return f"AWS WAF Classic web ACL {acl.resource.address}"
    return f"AWS WAF Classic web ACL {ref.describe()}"


def classic_waf(origin: Origin) -> Waf:
    retired = Decision.no(Setting.absent("waf"), RETIRED)
    return Waf(origin, retired, retired, RETIRED)


def classic_attachments(d: Derivation, c: ClassicAssociation, label: str) -> list[Attachment]:
    """The retired WAFs a WAF Classic association attaches to what `label` names: its web ACL, or
    the association itself when the web ACL is not in the scan."""
    out = []
    for acl in c.acls or [None]:
        entity: object = acl if acl is not None else c
        resource = acl.resource if acl is not None else c.resource
        origin = Origin.of(resource, classic_label(acl, c.acl_ref))
        out.append(d.attach(d.waf(entity, lambda _e, o=origin: classic_waf(o)), label))
    return out


class EdgeProtection:
    """The web ACLs associated with each edge (a load balancer), WAFv2 or Classic, and the
    associations that may target it; looked up by the edge's identity."""

    def __init__(self, m: AwsModel) -> None:
        self._v2: dict[int, list[WafAssociation]] = {}
        self._possible: dict[int, list[WafAssociation]] = {}
        self._classic: dict[int, list[ClassicAssociation]] = {}
        for a in m.waf_associations:
            for t in a.targets:
                self._v2.setdefault(id(t), []).append(a)
            for t in a.possible:
                self._possible.setdefault(id(t), []).append(a)
        for c in m.classic_associations:
            for t in c.targets:
                self._classic.setdefault(id(t), []).append(c)

    def attachments(self, d: Derivation, target: object, label: str) -> list[Attachment]:
        out: list[Attachment] = []
        for a in self._v2.get(id(target), []):
            out += [d.attach(d.waf(acl, web_acl), label) for acl in a.acls]
            if not a.acls and not a.acl_ref.is_null:
                out.append(Attachment(None, Setting(a.acl_ref, "web_acl")))
        for c in self._classic.get(id(target), []):
            out += classic_attachments(d, c, label)
        return out

    def possible(self, target: object) -> list[str]:
        return [
            f"web ACL association {a.resource.address} targets a resource that cannot be known"
            for a in self._possible.get(id(target), [])
        ]
