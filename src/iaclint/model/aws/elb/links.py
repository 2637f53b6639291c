"""Elastic Load Balancing links, for every language: listeners to their load balancer and listener
rules to their listener (then both become endpoints), and the SSL negotiation policies of Classic
Load Balancers to the listeners they apply to (then each listener becomes an endpoint)."""

from __future__ import annotations

from iaclint.model.adapters import Scope, link_step
from iaclint.model.aws.elb import build
from iaclint.model.aws.elb.entities import ClassicListener, ClassicLoadBalancer, ClassicPolicy
from iaclint.model.aws.links import Index
from iaclint.model.aws.model import AwsModel
from iaclint.values import Value


@link_step(10)
def link(scope: Scope) -> None:
    m = scope.model.aws
    lbs = Index(m.load_balancers, lambda lb: lb.resource.address)
    for listener in m.listeners:
        found = lbs.resolve(listener.lb_ref)
        listener.load_balancer = found[0] if found else None
        listener.endpoint = build.listener_endpoint(listener)
        if listener.endpoint is not None:
            scope.model.endpoints.append(listener.endpoint)
    listeners = Index(m.listeners, lambda x: x.resource.address)
    for rule in m.listener_rules:
        found_listeners = listeners.resolve(rule.listener_ref)
        rule.listener = found_listeners[0] if found_listeners else None
        ep = build.rule_endpoint(rule)
        if ep is not None:
            scope.model.endpoints.append(ep)
    for lb in m.classic_lbs:
        for cl in lb.listeners:
            _link_classic(m, lb, cl)
            ep = build.classic_endpoint(lb, cl)
            if ep is not None:
                scope.model.endpoints.append(ep)


def _same(a: Value, b: Value) -> bool:
    x, y = a.as_str(), b.as_str()
    return x is not None and x == y


def _names_lb(ref: Value, lb: ClassicLoadBalancer) -> bool | None:
    """Whether a reference (`load_balancer_name`) names `lb`: through the resource, or its literal
    name; None when it cannot be known."""
    if lb.resource.address in ref.refs or _same(ref, lb.name):
        return True
    if ref.is_unknown and not ref.refs:
        return None
    return False


def _for_port(port: Value, listener: ClassicListener) -> bool | None:
    if port.is_unknown:
        return None
    return _same(port, listener.port)


def _link_classic(m: AwsModel, lb: ClassicLoadBalancer, listener: ClassicListener) -> None:
    """The policies that apply to one listener: named by it inline, set on it by a listener-policy
    resource, or applied to its port by the policy itself."""
    own = [*lb.policies, *(p for p in m.classic_policies if _names_lb(p.lb_ref, lb))]
    by_address = {p.resource.address: p for p in m.classic_policies}
    names: list[Value] = list(listener.policy_names)
    for lp in m.classic_listener_policies:
        lb_named, port = _names_lb(lp.lb_ref, lb), _for_port(lp.port, listener)
        if lb_named is False or port is False:
            continue
        if lb_named is None or port is None:
            listener.unlinked.append(
                f"listener policies {lp.resource.address} may apply (load balancer or port unknown)"
            )
            continue
        if lp.names.is_unknown:
            listener.unlinked.append(f"the policy names of {lp.resource.address} cannot be known")
        names.extend(lp.names.elements())
    for name in names:
        linked: ClassicPolicy | None = next((by_address[r] for r in name.refs if r in by_address), None)
        if linked is None:
            linked = next((p for p in own if _same(p.name, name)), None)
        if linked is not None:
            _add(listener, linked)
        elif (name.as_str() or "").startswith("ELBSecurityPolicy-"):
            listener.policies.append(name)  # a predefined policy named directly
        elif name.is_unknown:
            listener.unlinked.append(f"policy name {name.describe()} cannot be known")
    for p in own:
        if any(_for_port(port, listener) for port in p.ports):
            _add(listener, p)


def _add(listener: ClassicListener, p: ClassicPolicy) -> None:
    if not any(q is p for q in listener.policies):
        listener.policies.append(p)
