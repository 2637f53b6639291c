"""What Elastic Load Balancing settings mean for the standard, decided once for every language.

- ELBv2 listeners (S1.1, S1.3): an HTTPS/TLS listener's floor comes from its security policy, and
  one created without a policy gets the documented default of listeners created through the API,
  CloudFormation and Terraform (`ELBSecurityPolicy-2016-08`, which accepts TLS 1.0); an HTTP
  listener serves plain HTTP unless its default action redirects to HTTPS, and a listener rule
  that forwards on such a listener serves plain HTTP despite the redirect.
- Classic Load Balancers: HTTP listeners serve plain HTTP (a classic load balancer cannot
  redirect); an HTTPS/SSL listener's floor comes from the SSL negotiation policy applied to it (a
  predefined policy by name, `Reference-Security-Policy`, or `Protocol-*` attributes), and
  without one from the documented default, `ELBSecurityPolicy-2016-08` again.
"""

from __future__ import annotations

from iaclint.model.aws.elb.entities import (
    PLATFORM,
    Action,
    ClassicListener,
    ClassicLoadBalancer,
    ClassicPolicy,
    Listener,
    ListenerRule,
)
from iaclint.model.aws.tls import Classification, elb_policy, named_floor
from iaclint.model.entities import TLS_ORDER, Endpoint, PlainHttp, TlsFloor
from iaclint.model.facts import Setting
from iaclint.values import Value

# The policy AWS applies to an HTTPS/TLS listener (ELBv2) or an HTTPS/SSL listener (classic) created
# without one through the API, CloudFormation or Terraform (the console picks a newer one).
DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"
_DEFAULT_WHY = f"AWS applies {DEFAULT_POLICY}, which accepts TLS 1.0, when none is set"

# `Protocol-*` attributes of an SSL negotiation policy, by the version they enable.
PROTOCOL_ATTRIBUTES = {
    "Protocol-SSLv3": "ssl3",
    "Protocol-TLSv1": "1.0",
    "Protocol-TLSv1.1": "1.1",
    "Protocol-TLSv1.2": "1.2",
}


# -- ELBv2 -----------------------------------------------------------------------------------------


def listener_floor(policy: Setting) -> TlsFloor:
    """The TLS floor of an HTTPS/TLS listener from its security policy."""
    value, attr = policy.value, policy.attribute
    if value.is_null:
        return TlsFloor(value, "1.0", attr, _DEFAULT_WHY, True, False)
    return named_floor(value, attr, elb_policy)


def redirects_to_https(actions: tuple[Action, ...]) -> bool | None:
    """Whether a default action redirects to HTTPS (None when it cannot be known)."""
    unknown = False
    for a in actions:
        t = a.type.as_str()
        if t is None:
            unknown = True
        elif t.lower() == "redirect":
            if (a.redirect_protocol.as_str() or "").upper() == "HTTPS":
                return True
            if a.redirect_protocol.is_unknown:
                unknown = True
    return None if unknown else False


def listener_endpoint(listener: Listener) -> Endpoint | None:
    """The endpoint a listener adds to the model; None for TCP/UDP listeners (no TLS or HTTP)."""
    r, proto_v, attr = listener.resource, listener.protocol.value, listener.protocol.attribute
    proto = proto_v.as_str()
    if proto_v.is_null:
        # An Application Load Balancer listener without a protocol is HTTP.
        lb = listener.load_balancer
        proto = "HTTP" if lb is not None and lb.application else None
    if proto is None:
        unknown = PlainHttp(proto_v, attr, None, "the protocol cannot be known")
        return Endpoint(PLATFORM, "listener", r, http=[unknown])
    proto = proto.upper()
    if proto in ("HTTPS", "TLS"):
        return Endpoint(PLATFORM, f"{proto} listener", r, listener_floor(listener.ssl_policy))
    if proto == "HTTP":
        redirects = redirects_to_https(listener.default_actions)
        serves = None if redirects is None else not redirects
        why = "" if serves is not None else "the default action cannot be known"
        return Endpoint(PLATFORM, "HTTP listener", r, http=[PlainHttp(proto_v, attr, serves, why)])
    return None


def rule_endpoint(rule: ListenerRule) -> Endpoint | None:
    """A rule that forwards on an HTTP listener whose default action redirects to HTTPS serves plain
    HTTP for the requests it matches: the redirect does not protect them (S1.3). Rules of other
    listeners add nothing: an HTTPS listener's rules are HTTPS, and a plain listener is reported
    itself."""
    listener = rule.listener
    if listener is None or listener.endpoint is None or listener.endpoint.kind != "HTTP listener":
        return None
    if not listener.endpoint.http or listener.endpoint.http[0].serves_plain is not False:
        return None
    http: list[PlainHttp] = []
    for a in rule.actions:
        t = a.type.as_str()
        if t is None:
            http.append(PlainHttp(a.type, a.attribute, None, "the action type cannot be known"))
        elif t.lower() == "forward":
            why = f"it forwards plain HTTP on {listener.resource.address}, whose default action redirects"
            http.append(PlainHttp(a.type, a.attribute, True, why))
    if not http:
        return None
    kind = f"listener rule (on HTTP listener {listener.resource.address})"
    return Endpoint(PLATFORM, kind, rule.resource, http=http)


# -- Classic Load Balancers ----------------------------------------------------------------------------


def classic_policy(name: str) -> Classification | None:
    """A predefined policy of Classic Load Balancers. The dated ones from before 2014-10 still
    enable SSL 3.0; the others read as the ELBv2 names do."""
    prefix = "ELBSecurityPolicy-"
    if name.startswith(prefix):
        tokens = name[len(prefix) :].split("-")
        if len(tokens) == 2 and all(t.isdigit() for t in tokens) and (tokens[0], tokens[1]) < ("2014", "10"):
            return "ssl3", False
    return elb_policy(name)


def policy_floor(p: ClassicPolicy) -> TlsFloor:
    """The lowest version an SSL negotiation policy enables: its `Reference-Security-Policy`, or the
    lowest `Protocol-*` attribute set to true (disabling TLS 1.0 alone leaves TLS 1.1)."""
    enabled: list[tuple[str, Value]] = []
    undecided: list[tuple[str, Value]] = []
    for a in p.attributes:
        name = a.name.as_str()
        if name is None:
            undecided.append(("1.0", a.value))
            continue
        if name == "Reference-Security-Policy":
            return named_floor(
                a.value, f"{p.attribute} Reference-Security-Policy", classic_policy, tls13_available=False
            )
        version = PROTOCOL_ATTRIBUTES.get(name)
        if version is None:
            continue
        flag = a.value.as_bool()
        if flag is True:
            enabled.append((version, a.value))
        elif flag is None:
            undecided.append((version, a.value))
    lowest = min(enabled, key=lambda e: TLS_ORDER[e[0]]) if enabled else None
    doubtful = [u for u in undecided if lowest is None or TLS_ORDER[u[0]] < TLS_ORDER[lowest[0]]]
    if doubtful:
        v = doubtful[0][1]
        return TlsFloor(
            v, None, p.attribute, f"{p.name.describe()} has protocol settings that cannot be known"
        )
    if lowest is None:
        why = f"policy {p.name.describe()} enables no protocol iaclint knows"
        return TlsFloor(p.name, None, p.attribute, why)
    version, value = lowest
    attr = f"{p.attribute} {_attribute_name(version)}"
    return TlsFloor(value, version, attr, f"policy {p.name.describe()} enables it")


def _attribute_name(version: str) -> str:
    return next(k for k, v in PROTOCOL_ATTRIBUTES.items() if v == version)


def classic_floor(listener: ClassicListener) -> TlsFloor:
    """The floor of an HTTPS/SSL listener of a Classic Load Balancer."""
    for p in listener.policies:
        if isinstance(p, Value):
            return named_floor(p, "policy_names", classic_policy, tls13_available=False)
        if p.ssl_negotiation is True:
            return policy_floor(p)
    undecided = [p for p in listener.policies if isinstance(p, ClassicPolicy) and p.ssl_negotiation is None]
    if undecided:
        p = undecided[0]
        return TlsFloor(p.type, None, p.attribute, "the policy type cannot be known")
    if listener.unlinked:
        return TlsFloor(listener.protocol.value, None, listener.protocol.attribute, listener.unlinked[0])
    why = f"no SSL negotiation policy applies to it: {_DEFAULT_WHY}"
    return TlsFloor(listener.protocol.value, "1.0", listener.protocol.attribute, why, False, False)


def classic_endpoint(lb: ClassicLoadBalancer, listener: ClassicListener) -> Endpoint | None:
    proto_v, attr = listener.protocol.value, listener.protocol.attribute
    proto = (proto_v.as_str() or "").upper()
    port = listener.port.as_str() or "?"
    if proto_v.is_unknown:
        unknown = PlainHttp(proto_v, attr, None, "the protocol cannot be known")
        return Endpoint(PLATFORM, f"classic listener (port {port}) of", lb.resource, http=[unknown])
    if proto in ("HTTPS", "SSL"):
        return Endpoint(
            PLATFORM, f"classic {proto} listener (port {port}) of", lb.resource, classic_floor(listener)
        )
    if proto == "HTTP":
        # A Classic Load Balancer cannot redirect: an HTTP listener serves plain HTTP.
        plain = PlainHttp(proto_v, attr, True, "a classic load balancer cannot redirect to HTTPS")
        return Endpoint(PLATFORM, f"classic HTTP listener (port {port}) of", lb.resource, http=[plain])
    return None
