"""Edge facts from Terraform (aws provider) resources: CloudFront distributions, load balancer
listeners, WAFv2 web ACLs and their associations."""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.aws.listeners import ListenerFacts, listener_endpoint
from iaclint.model.aws.tls import cloudfront_protocol
from iaclint.model.entities import (
    Distribution,
    Endpoint,
    Model,
    PlainHttp,
    TlsFloor,
    WafAssociation,
    WafRule,
    WebAcl,
)
from iaclint.resources import Resource
from iaclint.values import Value

CLOUDFRONT = "AWS CloudFront"

Resources = dict[str, Resource]


# -- CloudFront ------------------------------------------------------------------------------------
def _viewer_floor(r: Resource) -> TlsFloor:
    cert = r.body.first("viewer_certificate")
    default_cert = cert.get("cloudfront_default_certificate")
    attr = "viewer_certificate.minimum_protocol_version"
    if default_cert.as_bool() is True:
        return TlsFloor(
            default_cert,
            "1.0",
            "viewer_certificate.cloudfront_default_certificate",
            "the default *.cloudfront.net certificate accepts TLSv1 whatever the minimum says",
            True,
            True,
        )
    setting = cert.get("minimum_protocol_version")
    if default_cert.is_unknown and setting.is_null:
        return TlsFloor(
            default_cert, None, "viewer_certificate.cloudfront_default_certificate", default_cert.reason, True
        )
    if setting.is_null:
        return TlsFloor(setting, "1.0", attr, "the provider default is TLSv1", True, True)
    name = setting.as_str()
    if name is None:
        return TlsFloor(setting, None, attr, setting.reason or "not a string", True)
    c = cloudfront_protocol(name)
    if c is None:
        return TlsFloor(setting, None, attr, f'protocol version "{name}" is not one iaclint knows', True)
    return TlsFloor(setting, c[0], attr, "", True, c[1])


def _viewer_http(r: Resource) -> list[PlainHttp]:
    out = []
    behaviours = [("default_cache_behavior", b) for b in r.body.get("default_cache_behavior").elements()]
    behaviours += [("ordered_cache_behavior", b) for b in r.body.get("ordered_cache_behavior").elements()]
    for name, b in behaviours:
        policy = b.get("viewer_protocol_policy")
        text = policy.as_str()
        serves = None if text is None else text == "allow-all"
        out.append(PlainHttp(policy, f"{name}.viewer_protocol_policy", serves, policy.reason))
    return out


def _distribution(r: Resource, model: Model, others: Resources) -> None:
    ep = Endpoint(CLOUDFRONT, "distribution", r, _viewer_floor(r), _viewer_http(r))
    origins = [o.get("domain_name") for o in r.body.get("origin").elements()]
    model.endpoints.append(ep)
    model.distributions.append(Distribution(ep, r.body.get("web_acl_id"), origins))


# -- Load balancers --------------------------------------------------------------------------------
def _lb_type(r: Resource, others: Resources) -> str | None:
    for ref in r.body.get("load_balancer_arn").refs:
        lb = others.get(ref)
        if lb is not None and lb.type in ("aws_lb", "aws_alb"):
            t = lb.body.get("load_balancer_type")
            return "application" if t.is_null else t.as_str()
    return None


def _listener(r: Resource, model: Model, others: Resources) -> None:
    lb_type = _lb_type(r, others)
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
        model.endpoints.append(ep)


# -- WAFv2 -----------------------------------------------------------------------------------------
_ACTIONS = ("allow", "block", "count", "captcha", "challenge")


def _action(rule: Value) -> tuple[str | None, Value]:
    action = rule.get("action")
    if not action.is_null:
        first = rule.first("action")
        for name in _ACTIONS:
            if not first.get(name).is_null:
                return name, first.get(name) if first.get(name).span else first
        return None, first
    override = rule.get("override_action")
    if not override.is_null:
        first = rule.first("override_action")
        if not first.get("count").is_null:
            return "count", first.get("count") if first.get("count").span else first
        if not first.get("none").is_null:
            return "none", first
        return None, first
    return None, action


def _statement_kinds(stmt: Value) -> tuple[bool, bool, bool, bool]:
    """(rate based, references an IP set, IP set under a `not`, references a rule group)."""
    rate = not stmt.get("rate_based_statement").is_null
    ip = not stmt.get("ip_set_reference_statement").is_null
    group = not stmt.get("rule_group_reference_statement").is_null
    not_ip = False
    inner = stmt.first("not_statement").first("statement")
    if not inner.is_null and not inner.get("ip_set_reference_statement").is_null:
        not_ip = True
    return rate, ip, not_ip, group


def _web_acl(r: Resource, model: Model, others: Resources) -> None:
    default = r.body.first("default_action")
    default_action = None
    for name in ("allow", "block"):
        if not default.get(name).is_null:
            default_action = name
    rules: list[WafRule] = []
    rules_value = r.body.get("rule")
    rules_unknown = rules_value if rules_value.is_unknown else None
    if not r.body.get("rule_json").is_null:
        rules_unknown = r.body.get("rule_json")
    for rule in rules_value.elements():
        action, action_value = _action(rule)
        rate, ip, not_ip, group = _statement_kinds(rule.first("statement"))
        ip_allow = (ip and action == "allow" and default_action == "block") or (not_ip and action == "block")
        rules.append(
            WafRule(
                rule.get("name").as_str() or "?",
                rule,
                action,
                action_value,
                rate,
                ip or not_ip,
                ip_allow,
                group,
            )
        )
    model.web_acls.append(
        WebAcl(
            r,
            default_action,
            default if default.is_known else r.body.get("default_action"),
            rules,
            rules_unknown,
        )
    )


def _waf_association(r: Resource, model: Model, others: Resources) -> None:
    model.waf_associations.append(WafAssociation(r, r.body.get("web_acl_arn"), r.body.get("resource_arn")))


ADAPTERS: dict[str, Callable[[Resource, Model, Resources], None]] = {
    "aws_cloudfront_distribution": _distribution,
    "aws_lb_listener": _listener,
    "aws_alb_listener": _listener,
    "aws_wafv2_web_acl": _web_acl,
    "aws_wafv2_web_acl_association": _waf_association,
}
