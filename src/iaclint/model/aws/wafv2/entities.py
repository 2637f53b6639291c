"""AWS WAF platform entities: web ACLs and their associations, whatever language declared them.

An association points at what it protects once linked (`targets`: API Gateway stages, load
balancers); what fronts a stage or a load balancer is read from here.
"""

from __future__ import annotations

from dataclasses import field

from iaclint.model.entities import WafRule
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


@record(eq=False)
class WebAcl:
    """A WAFv2 web ACL: its default action and rules."""

    resource: Resource
    default_action: str | None
    default_action_value: Value
    rules: list[WafRule]
    # Rules could not all be read (a dynamic block over an unknown collection).
    rules_unknown: Value | None = None

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def blocking_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.blocks]

    @property
    def counting_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.action == "count"]

    @property
    def rate_rules(self) -> list[WafRule]:
        return [r for r in self.rules if r.rate_based]

    def restricts_network(self) -> bool:
        return any(r.ip_allow for r in self.rules) or (
            self.default_action == "block" and any(r.ip_set and r.action == "allow" for r in self.rules)
        )


@record(eq=False)
class ClassicWebAcl:
    """A WAF Classic (v1) web ACL (`aws_waf_web_acl`, `aws_wafregional_web_acl`, `AWS::WAF::WebACL`,
    `AWS::WAFRegional::WebACL`). AWS retired WAF Classic: attached, it protects nothing."""

    resource: Resource


@record(eq=False)
class ClassicAssociation:
    """A WAF Classic web ACL attached to a resource (`aws_wafregional_web_acl_association`,
    `AWS::WAFRegional::WebACLAssociation`)."""

    resource: Resource
    acl_ref: Value
    target_ref: Value
    # Linked.
    acls: list[ClassicWebAcl] = field(default_factory=list)
    targets: list[object] = field(default_factory=list)


@record(eq=False)
class WafAssociation:
    """A web ACL attached to a resource (a stage, a load balancer)."""

    resource: Resource
    acl_ref: Value
    target_ref: Value
    # Linked.
    acls: list[WebAcl] = field(default_factory=list)
    # What it protects: API Gateway stages, load balancers (ELBv2).
    targets: list[object] = field(default_factory=list)
    # What it may protect: its target cannot be known, but it may be one of these.
    possible: list[object] = field(default_factory=list)
