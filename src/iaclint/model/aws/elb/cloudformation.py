"""Elastic Load Balancing fields as CloudFormation names them. Reads only; `listeners.py` decides
what they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.elb.listeners import ListenerFacts, listener_endpoint
from iaclint.resources import Resource

CFN = "cloudformation"


def _lb_type(r: Resource, scope: Scope) -> str | None:
    for ref in r.body.get("LoadBalancerArn").refs:
        lb = scope.resources.get(ref)
        if lb is not None and lb.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            t = lb.body.get("Type")
            return "application" if t.is_null else t.as_str()
    return None


@adapter("AWS::ElasticLoadBalancingV2::Listener", language=CFN)
def _listener(r: Resource, scope: Scope) -> None:
    lb_type = _lb_type(r, scope)
    facts = ListenerFacts(
        r,
        r.body.get("Protocol"),
        "Protocol",
        None if lb_type is None else lb_type == "application",
        r.body.get("SslPolicy"),
        "SslPolicy",
        tuple(
            (a.get("Type"), a.get("RedirectConfig").get("Protocol"))
            for a in r.body.get("DefaultActions").elements()
        ),
    )
    ep = listener_endpoint(facts)
    if ep is not None:
        scope.model.endpoints.append(ep)
