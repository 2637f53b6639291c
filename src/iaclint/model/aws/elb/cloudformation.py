"""Elastic Load Balancing fields as CloudFormation names them. Reads only; `build.py` decides what
they mean and `links.py` links them."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.elb.entities import (
    Action,
    ClassicListener,
    ClassicLoadBalancer,
    ClassicPolicy,
    Listener,
    ListenerRule,
    LoadBalancer,
    PolicyAttribute,
)
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

CFN = "cloudformation"


def _internet_facing(scheme: Value) -> bool | None:
    # `Scheme` defaults to internet-facing.
    text = scheme.as_str() if not scheme.is_null else "internet-facing"
    return None if text is None else text != "internal"


@adapter("AWS::ElasticLoadBalancingV2::LoadBalancer", language=CFN)
def _load_balancer(r: Resource, scope: Scope) -> None:
    b = r.body
    scheme = b.get("Scheme")
    scope.model.aws.load_balancers.append(
        LoadBalancer(r, Setting(b.get("Type"), "Type"), _internet_facing(scheme), Setting(scheme, "Scheme"))
    )


def _actions(items: Value, attribute: str) -> tuple[Action, ...]:
    return tuple(
        Action(a.get("Type"), a.get("RedirectConfig").get("Protocol"), f"{attribute}.Type")
        for a in items.elements()
    )


@adapter("AWS::ElasticLoadBalancingV2::Listener", language=CFN)
def _listener(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.listeners.append(
        Listener(
            r,
            b.get("LoadBalancerArn"),
            Setting(b.get("Protocol"), "Protocol"),
            Setting(b.get("SslPolicy"), "SslPolicy"),
            _actions(b.get("DefaultActions"), "DefaultActions"),
        )
    )


@adapter("AWS::ElasticLoadBalancingV2::ListenerRule", language=CFN)
def _listener_rule(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.listener_rules.append(
        ListenerRule(r, b.get("ListenerArn"), _actions(b.get("Actions"), "Actions"))
    )


@adapter("AWS::ElasticLoadBalancing::LoadBalancer", language=CFN)
def _classic(r: Resource, scope: Scope) -> None:
    b = r.body
    listeners = [
        ClassicListener(
            block,
            block.get("LoadBalancerPort"),
            Setting(block.get("Protocol"), "Listeners.Protocol"),
            Setting(block.get("InstanceProtocol"), "Listeners.InstanceProtocol"),
            tuple(block.get("PolicyNames").elements()),
        )
        for block in b.get("Listeners").elements()
    ]
    policies = [
        ClassicPolicy(
            r,
            p.get("PolicyName"),
            p.get("PolicyType"),
            tuple(PolicyAttribute(a.get("Name"), a.get("Value")) for a in p.get("Attributes").elements()),
            "Policies.Attributes",
            ports=tuple(p.get("LoadBalancerPorts").elements()),
        )
        for p in b.get("Policies").elements()
    ]
    scheme = b.get("Scheme")
    scope.model.aws.classic_lbs.append(
        ClassicLoadBalancer(
            r,
            b.get("LoadBalancerName"),
            listeners,
            policies,
            _internet_facing(scheme),
            Setting(scheme, "Scheme"),
        )
    )
