"""Elastic Load Balancing platform entities, whatever language declared them: load balancers (ALB,
NLB, gateway), their listeners and listener rules, and Classic Load Balancers with their listeners
and SSL negotiation policies.

Listeners become TLS endpoints once linked (`links.py`): what an ELBv2 listener without a protocol
means depends on its load balancer's type, whether a listener rule defeats a redirect depends on its
listener, and which SSL policy a classic listener runs depends on the policies attached to it, maybe
by resources of their own.
"""

from __future__ import annotations

from dataclasses import field

from iaclint.model.entities import Endpoint
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS Elastic Load Balancing"


@record(eq=False)
class LoadBalancer:
    """An ELBv2 load balancer (`aws_lb`, `AWS::ElasticLoadBalancingV2::LoadBalancer`)."""

    resource: Resource
    # "application" (the default), "network", "gateway"; the setting names it.
    type: Setting
    # Internet-facing: True, internal: False, None when unknown; `scheme` is the setting that decides.
    internet_facing: bool | None
    scheme: Setting

    @property
    def application(self) -> bool | None:
        if self.type.value.is_null:
            return True
        text = self.type.value.as_str()
        return None if text is None else text.lower() == "application"


@record(frozen=True)
class Action:
    """A listener or rule action: its type, and the protocol it redirects to (absent otherwise)."""

    type: Value
    redirect_protocol: Value
    # The action's attribute path, for messages (`action.type`, `Actions.Type`).
    attribute: str


@record(eq=False)
class Listener:
    """A load balancer listener: protocol, SSL policy, default actions; its load balancer once linked."""

    resource: Resource
    lb_ref: Value
    protocol: Setting
    ssl_policy: Setting
    default_actions: tuple[Action, ...]
    # Linked.
    load_balancer: LoadBalancer | None = None
    endpoint: Endpoint | None = None


@record(eq=False)
class ListenerRule:
    """A listener rule: its actions, and its listener once linked."""

    resource: Resource
    listener_ref: Value
    actions: tuple[Action, ...]
    # Linked.
    listener: Listener | None = None


@record(frozen=True)
class PolicyAttribute:
    """A name and value of a Classic Load Balancer policy."""

    name: Value
    value: Value


@record(eq=False)
class ClassicPolicy:
    """A policy of a Classic Load Balancer: inline (`Policies[]`) or a resource of its own
    (`aws_load_balancer_policy`, `aws_lb_ssl_negotiation_policy`)."""

    resource: Resource
    name: Value
    # `SSLNegotiationPolicyType` for the TLS settings of a listener; other types do not matter here.
    type: Value
    attributes: tuple[PolicyAttribute, ...]
    # How messages name its attributes (`policy_attribute`, `Policies.Attributes`).
    attribute: str
    # The load balancer it belongs to (a resource of its own names it).
    lb_ref: Value = field(default_factory=Value.absent)
    # Listener ports it applies to by itself (`LoadBalancerPorts`, `aws_lb_ssl_negotiation_policy`).
    ports: tuple[Value, ...] = ()

    @property
    def ssl_negotiation(self) -> bool | None:
        text = self.type.as_str()
        return None if text is None else text == "SSLNegotiationPolicyType"


@record(eq=False)
class ListenerPolicies:
    """Policies set on one listener of a Classic Load Balancer by a resource of its own
    (`aws_load_balancer_listener_policy`)."""

    resource: Resource
    lb_ref: Value
    port: Value
    names: Value


@record(eq=False)
class ClassicListener:
    """A Classic Load Balancer listener: port, protocols, and the policies that apply to it."""

    # The listener block (findings about it point there).
    block: Value
    port: Value
    protocol: Setting
    instance_protocol: Setting
    # Inline policy names (`PolicyNames`); the attribute that names them.
    policy_names: tuple[Value, ...] = ()
    # Linked: the policies that apply to it (a predefined policy named directly is the Value of its
    # name), and why one may apply that cannot be linked.
    policies: list[ClassicPolicy | Value] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)


@record(eq=False)
class ClassicLoadBalancer:
    """A Classic Load Balancer: its listeners and policies, and whether it faces the internet."""

    resource: Resource
    name: Value
    listeners: list[ClassicListener]
    policies: list[ClassicPolicy]
    internet_facing: bool | None
    scheme: Setting
