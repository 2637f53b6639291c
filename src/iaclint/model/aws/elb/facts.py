"""What Elastic Load Balancing entities mean for the standard beyond their endpoints: a Classic Load
Balancer's HTTPS/SSL listener reaches its instances over TLS only with an HTTPS/SSL instance
protocol (S4.1)."""

from __future__ import annotations

from iaclint.model.aws.elb.entities import PLATFORM, ClassicListener, ClassicLoadBalancer
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Backend, Decision, Origin


@builder
def elb(d: Derivation) -> None:
    m = d.model.aws
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
