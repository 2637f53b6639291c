"""AWS WAF platform entities: web ACLs and their associations, whatever language declared them.

An association points at what it protects once linked (`targets`: API Gateway stages, load
balancers); what fronts a stage or a load balancer is read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iaclint.model.entities import WafRule
from iaclint.resources import Resource
from iaclint.values import Value


@dataclass(eq=False, slots=True)
class WebAcl:
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


@dataclass(eq=False, slots=True)
class WafAssociation:
    """A web ACL attached to a resource (a stage, a load balancer)."""

    resource: Resource
    acl_ref: Value
    target_ref: Value
    # Linked.
    acls: list[WebAcl] = field(default_factory=list)
    # What it protects: API Gateway stages, load balancers.
    targets: list[object] = field(default_factory=list)
    # What it may protect: its target cannot be known, but it may be one of these.
    possible: list[object] = field(default_factory=list)
