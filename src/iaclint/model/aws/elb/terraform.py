"""Elastic Load Balancing fields as the Terraform aws provider names them. Reads only;
`listeners.py` decides what they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.elb.listeners import ListenerFacts, listener_endpoint
from iaclint.resources import Resource

TF = "terraform"


def _lb_type(r: Resource, scope: Scope) -> str | None:
    for ref in r.body.get("load_balancer_arn").refs:
        lb = scope.resources.get(ref)
        if lb is not None and lb.type in ("aws_lb", "aws_alb"):
            t = lb.body.get("load_balancer_type")
            return "application" if t.is_null else t.as_str()
    return None


@adapter("aws_lb_listener", "aws_alb_listener", language=TF)
def _listener(r: Resource, scope: Scope) -> None:
    lb_type = _lb_type(r, scope)
    facts = ListenerFacts(
        r,
        r.body.get("protocol"),
        "protocol",
        None if lb_type is None else lb_type == "application",
        r.body.get("ssl_policy"),
        "ssl_policy",
        tuple(
            (a.get("type"), a.first("redirect").get("protocol"))
            for a in r.body.get("default_action").elements()
        ),
    )
    ep = listener_endpoint(facts)
    if ep is not None:
        scope.model.endpoints.append(ep)
