"""Edge facts from CloudFormation resources: CloudFront distributions, Elastic Load Balancing v2
listeners, WAFv2 web ACLs and their associations, mapped into the same entities as the Terraform
adapter fills."""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.aws.from_terraform_edge import CLOUDFRONT
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

Resources = dict[str, Resource]

_VIEWER = "DistributionConfig.ViewerCertificate"


# -- CloudFront ------------------------------------------------------------------------------------
def _viewer_floor(config: Value) -> TlsFloor:
    cert = config.get("ViewerCertificate")
    default_cert = cert.get("CloudFrontDefaultCertificate")
    attr = f"{_VIEWER}.MinimumProtocolVersion"
    if default_cert.as_bool() is True or cert.is_absent:
        # Without a ViewerCertificate CloudFront serves its *.cloudfront.net certificate.
        setting = default_cert if not default_cert.is_absent else cert
        return TlsFloor(
            setting,
            "1.0",
            f"{_VIEWER}.CloudFrontDefaultCertificate",
            "the default *.cloudfront.net certificate accepts TLSv1 whatever the minimum says",
            True,
            True,
        )
    setting = cert.get("MinimumProtocolVersion")
    if default_cert.is_unknown and setting.is_null:
        return TlsFloor(
            default_cert, None, f"{_VIEWER}.CloudFrontDefaultCertificate", default_cert.reason, True
        )
    if setting.is_null:
        return TlsFloor(
            setting, "1.0", attr, "CloudFront defaults MinimumProtocolVersion to TLSv1", True, True
        )
    name = setting.as_str()
    if name is None:
        return TlsFloor(setting, None, attr, setting.reason or "not a string", True)
    c = cloudfront_protocol(name)
    if c is None:
        return TlsFloor(setting, None, attr, f'protocol version "{name}" is not one iaclint knows', True)
    return TlsFloor(setting, c[0], attr, "", True, c[1])


def _viewer_http(config: Value) -> list[PlainHttp]:
    out = []
    behaviours = [("DefaultCacheBehavior", config.get("DefaultCacheBehavior"))]
    behaviours += [("CacheBehaviors", b) for b in config.get("CacheBehaviors").elements()]
    for name, b in behaviours:
        if b.is_absent:
            continue
        policy = b.get("ViewerProtocolPolicy")
        text = policy.as_str()
        serves = None if text is None else text == "allow-all"
        out.append(
            PlainHttp(policy, f"DistributionConfig.{name}.ViewerProtocolPolicy", serves, policy.reason)
        )
    return out


def _distribution(r: Resource, model: Model, others: Resources) -> None:
    config = r.body.get("DistributionConfig")
    ep = Endpoint(CLOUDFRONT, "distribution", r, _viewer_floor(config), _viewer_http(config))
    origins = [o.get("DomainName") for o in config.get("Origins").elements()]
    model.endpoints.append(ep)
    model.distributions.append(Distribution(ep, config.get("WebACLId"), origins))


# -- Load balancers --------------------------------------------------------------------------------
def _lb_type(r: Resource, others: Resources) -> str | None:
    for ref in r.body.get("LoadBalancerArn").refs:
        lb = others.get(ref)
        if lb is not None and lb.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            t = lb.body.get("Type")
            return "application" if t.is_null else t.as_str()
    return None


def _listener(r: Resource, model: Model, others: Resources) -> None:
    lb_type = _lb_type(r, others)
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
        model.endpoints.append(ep)


# -- WAFv2 -----------------------------------------------------------------------------------------
_ACTIONS = ("Allow", "Block", "Count", "Captcha", "Challenge")


def _action(rule: Value) -> tuple[str | None, Value]:
    action = rule.get("Action")
    if not action.is_null:
        for name in _ACTIONS:
            member = action.get(name)
            if not member.is_null:
                return name.lower(), member if member.span else action
        return None, action
    override = rule.get("OverrideAction")
    if not override.is_null:
        if not override.get("Count").is_null:
            count = override.get("Count")
            return "count", count if count.span else override
        if not override.get("None").is_null:
            return "none", override
        return None, override
    return None, action


def _statement_kinds(stmt: Value) -> tuple[bool, bool, bool, bool]:
    """(rate based, references an IP set, IP set under a `NotStatement`, references a rule group)."""
    rate = not stmt.get("RateBasedStatement").is_null
    ip = not stmt.get("IPSetReferenceStatement").is_null
    group = not stmt.get("RuleGroupReferenceStatement").is_null
    not_ip = not stmt.path("NotStatement", "Statement", "IPSetReferenceStatement").is_null
    return rate, ip, not_ip, group


def _web_acl(r: Resource, model: Model, others: Resources) -> None:
    default = r.body.get("DefaultAction")
    default_action = None
    for name in ("Allow", "Block"):
        if not default.get(name).is_null:
            default_action = name.lower()
    rules: list[WafRule] = []
    rules_value = r.body.get("Rules")
    rules_unknown = rules_value if rules_value.is_unknown else None
    for rule in rules_value.elements():
        if not rule.is_known:
            rules_unknown = rule
            continue
        action, action_value = _action(rule)
        rate, ip, not_ip, group = _statement_kinds(rule.get("Statement"))
        ip_allow = (ip and action == "allow" and default_action == "block") or (not_ip and action == "block")
        rules.append(
            WafRule(
                rule.get("Name").as_str() or "?",
                rule,
                action,
                action_value,
                rate,
                ip or not_ip,
                ip_allow,
                group,
            )
        )
    model.web_acls.append(WebAcl(r, default_action, default, rules, rules_unknown))


def _waf_association(r: Resource, model: Model, others: Resources) -> None:
    model.waf_associations.append(WafAssociation(r, r.body.get("WebACLArn"), r.body.get("ResourceArn")))


ADAPTERS: dict[str, Callable[[Resource, Model, Resources], None]] = {
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::WAFv2::WebACLAssociation": _waf_association,
}
