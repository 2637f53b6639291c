"""Elastic Load Balancing fields as the Terraform aws provider names them. Reads only; `build.py`
decides what they mean and `links.py` links them."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.elb.entities import (
    Action,
    ClassicListener,
    ClassicLoadBalancer,
    ClassicPolicy,
    Listener,
    ListenerPolicies,
    ListenerRule,
    LoadBalancer,
    PolicyAttribute,
)
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

TF = "terraform"


def _internet_facing(internal: Value) -> bool | None:
    # `internal` defaults to false: internet-facing.
    flag = internal.as_bool() if not internal.is_null else False
    return None if flag is None else not flag


@adapter("aws_lb", "aws_alb", language=TF)
def _load_balancer(r: Resource, scope: Scope) -> None:
    b = r.body
    internal = b.get("internal")
    scope.model.aws.load_balancers.append(
        LoadBalancer(
            r,
            Setting(b.get("load_balancer_type"), "load_balancer_type"),
            _internet_facing(internal),
            Setting(internal, "internal"),
        )
    )


def _actions(blocks: Value, attribute: str) -> tuple[Action, ...]:
    return tuple(
        Action(a.get("type"), a.first("redirect").get("protocol"), f"{attribute}.type")
        for a in blocks.elements()
    )


@adapter("aws_lb_listener", "aws_alb_listener", language=TF)
def _listener(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.listeners.append(
        Listener(
            r,
            b.get("load_balancer_arn"),
            Setting(b.get("protocol"), "protocol"),
            Setting(b.get("ssl_policy"), "ssl_policy"),
            _actions(b.get("default_action"), "default_action"),
        )
    )


@adapter("aws_lb_listener_rule", "aws_alb_listener_rule", language=TF)
def _listener_rule(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.listener_rules.append(
        ListenerRule(r, b.get("listener_arn"), _actions(b.get("action"), "action"))
    )


@adapter("aws_elb", language=TF)
def _classic(r: Resource, scope: Scope) -> None:
    b = r.body
    listeners = [
        ClassicListener(
            block,
            block.get("lb_port"),
            Setting(block.get("lb_protocol"), "listener.lb_protocol"),
            Setting(block.get("instance_protocol"), "listener.instance_protocol"),
        )
        for block in b.get("listener").elements()
    ]
    internal = b.get("internal")
    scope.model.aws.classic_lbs.append(
        ClassicLoadBalancer(
            r, b.get("name"), listeners, [], _internet_facing(internal), Setting(internal, "internal")
        )
    )


def _attributes(blocks: Value) -> tuple[PolicyAttribute, ...]:
    return tuple(PolicyAttribute(a.get("name"), a.get("value")) for a in blocks.elements())


@adapter("aws_load_balancer_policy", language=TF)
def _policy(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.classic_policies.append(
        ClassicPolicy(
            r,
            b.get("policy_name"),
            b.get("policy_type_name"),
            _attributes(b.get("policy_attribute")),
            "policy_attribute",
            b.get("load_balancer_name"),
        )
    )


@adapter("aws_lb_ssl_negotiation_policy", language=TF)
def _ssl_negotiation_policy(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.classic_policies.append(
        ClassicPolicy(
            r,
            b.get("name"),
            Value.known("SSLNegotiationPolicyType", r.span),
            _attributes(b.get("attribute")),
            "attribute",
            b.get("load_balancer"),
            (b.get("lb_port"),),
        )
    )


@adapter("aws_load_balancer_listener_policy", language=TF)
def _listener_policy(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.classic_listener_policies.append(
        ListenerPolicies(r, b.get("load_balancer_name"), b.get("load_balancer_port"), b.get("policy_names"))
    )
