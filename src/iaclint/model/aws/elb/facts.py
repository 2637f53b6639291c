"""What Elastic Load Balancing entities mean for the standard beyond their endpoints: an
internet-facing Application Load Balancer is an edge that a WAFv2 web ACL must front (S5.1; a WAF
Classic association does not count), and a Classic Load Balancer's HTTPS/SSL listener reaches its
instances over TLS only with an HTTPS/SSL instance protocol (S4.1)."""

from __future__ import annotations

from iaclint.model.aws.elb.entities import PLATFORM, ClassicListener, ClassicLoadBalancer, LoadBalancer
from iaclint.model.aws.wafv2.facts import EdgeProtection
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Backend, Decision, Origin, Setting, WafTarget

HOW = "associate a WAFv2 web ACL with the load balancer (a web ACL association on its ARN)"


@builder
def elb(d: Derivation) -> None:
    m = d.model.aws
    protection = EdgeProtection(m)
    for alb in m.load_balancers:
        target = _waf_target(d, alb, protection)
        if target is not None:
            d.facts.waf_targets.append(target)
    for lb in m.classic_lbs:
        for listener in lb.listeners:
            backend = _classic_backend(lb, listener)
            if backend is not None:
                d.facts.backends.append(backend)


def _classic_backend(lb: ClassicLoadBalancer, listener: ClassicListener) -> Backend | None:
    """Only listeners that take TLS from clients: behind a plain listener the front is reported."""
    front = (listener.protocol.value.as_str() or "").upper()
    if front not in ("HTTPS", "SSL"):
        return None
    port = listener.port.as_str() or "?"
    origin = Origin.of(
        lb.resource, f"{PLATFORM} classic {front} listener (port {port}) of {lb.resource.address}"
    )
    setting = listener.instance_protocol
    value, attr = setting.value, setting.attribute
    text = value.as_str()
    if value.is_unknown:
        return Backend(origin, Decision.unknown(setting, f"{attr} is {value.describe()}"))
    if text is None:
        return Backend(origin, Decision.unknown(setting, f"{attr} is not set and AWS documents no default"))
    if text.upper() in ("HTTPS", "SSL"):
        return Backend(origin, Decision.yes(setting))
    return Backend(origin, Decision.no(setting, f"{attr} is {value.describe()} behind an {front} listener"))


def _waf_target(d: Derivation, lb: LoadBalancer, protection: EdgeProtection) -> WafTarget | None:
    """An Application Load Balancer is an edge a WAF can front; network and gateway load balancers
    cannot take a web ACL."""
    application = lb.application
    if application is False:
        return None
    label = f"{PLATFORM} application load balancer {lb.resource.address}"
    origin = Origin.of(lb.resource, label)
    if application is None:
        t = lb.type
        public = Decision.unknown(
            t, f"whether it is an application load balancer cannot be known ({t.describe()})"
        )
    elif lb.internet_facing is None:
        public = Decision.unknown(
            lb.scheme, f"whether it is internet-facing cannot be known ({lb.scheme.describe()})"
        )
    else:
        public = Decision(lb.internet_facing, Setting.absent("waf"), "internal")
    attachments = protection.attachments(d, lb, label)
    return WafTarget(
        origin, public, attachments, protection.possible(lb), edge=True, fronts_api=None, how=HOW
    )
