"""ALB/NLB listeners as endpoints (S1.1, S1.3), whatever language declared them.

Each adapter reads its own property names into `ListenerFacts`; what a listener means for the
standard is decided here once: HTTPS/TLS listeners have a TLS floor from their security policy, an
HTTP listener serves plain HTTP unless its default action redirects to HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass

from iaclint.model.aws.tls import elb_listener_floor
from iaclint.model.entities import Endpoint, PlainHttp
from iaclint.resources import Resource
from iaclint.values import Value

ELB = "AWS Elastic Load Balancing"


@dataclass(frozen=True, slots=True)
class ListenerFacts:
    resource: Resource
    protocol: Value
    protocol_attribute: str
    # Whether the listener's load balancer is an Application Load Balancer (whose listeners default
    # to HTTP); None when the load balancer is not in the scan.
    application: bool | None
    ssl_policy: Value
    ssl_policy_attribute: str
    # Each default action as (type, redirect protocol); the protocol is absent for other actions.
    actions: tuple[tuple[Value, Value], ...]


def redirects_to_https(actions: tuple[tuple[Value, Value], ...]) -> bool | None:
    unknown = False
    for kind, protocol in actions:
        t = kind.as_str()
        if t is None:
            unknown = True
        elif t == "redirect":
            if protocol.as_str() == "HTTPS":
                return True
            if protocol.is_unknown:
                unknown = True
    return None if unknown else False


def listener_endpoint(facts: ListenerFacts) -> Endpoint | None:
    """The endpoint a listener adds to the model; None for TCP/UDP listeners (no TLS or HTTP)."""
    r, proto_v, attr = facts.resource, facts.protocol, facts.protocol_attribute
    proto = proto_v.as_str()
    if proto_v.is_null:
        # An Application Load Balancer listener without a protocol is HTTP.
        proto = "HTTP" if facts.application else None
    if proto is None:
        unknown = PlainHttp(proto_v, attr, None, "the protocol cannot be known")
        return Endpoint(ELB, "listener", r, http=[unknown])
    proto = proto.upper()
    if proto in ("HTTPS", "TLS"):
        floor = elb_listener_floor(facts.ssl_policy, facts.ssl_policy_attribute)
        return Endpoint(ELB, f"{proto} listener", r, floor)
    if proto == "HTTP":
        redirects = redirects_to_https(facts.actions)
        serves = None if redirects is None else not redirects
        why = "" if serves is not None else "the default action cannot be known"
        return Endpoint(ELB, "HTTP listener", r, http=[PlainHttp(proto_v, attr, serves, why)])
    return None
