"""Helpers both Azure adapters use: TLS floors for APIM and Application Gateway, WAF rules,
listener redirects, resource-id names."""

from __future__ import annotations

from iaclint.model.azure import tls
from iaclint.model.azure.entities import Setting
from iaclint.model.entities import TLS_ORDER, PlainHttp, TlsFloor, WafRule
from iaclint.values import Value


def apim_floor(frontend: dict[str, Setting], where: Value, attribute: str) -> TlsFloor:
    """The lowest protocol an APIM gateway accepts from its Ssl30/Tls10/Tls11 switches (absent: off,
    the default for services created after April 2018)."""
    undecided: Setting | None = None
    for version in ("ssl3", "1.0", "1.1"):
        s = frontend.get(version)
        if s is None:
            continue
        flag = s.flag()
        if flag is True:
            return TlsFloor(s.value, version, s.attribute)
        if flag is None and not s.value.is_null and undecided is None:
            undecided = s
    if undecided is not None:
        return TlsFloor(undecided.value, None, undecided.attribute, reason=undecided.value.reason)
    return TlsFloor(
        where, "1.2", attribute, reason="TLS 1.0/1.1 and SSL 3.0 are off unless enabled (post-2018 default)"
    )


def appgw_floor(
    policy: Value, attribute: str, names: dict[str, str], default: str | None, default_reason: str
) -> TlsFloor:
    """An Application Gateway SSL policy (ARM `sslPolicy` or azurerm `ssl_policy`); `names` maps the
    roles policyType/policyName/minProtocolVersion/disabledSslProtocols to this language's keys."""
    if policy.is_unknown:
        return TlsFloor(policy, None, attribute, reason=policy.reason, tls13_available=True)
    if policy.is_null or (policy.is_known and not any(True for _ in policy.items())):
        if default is None:
            return TlsFloor(policy, None, attribute, reason=default_reason, tls13_available=True)
        floor, offers = tls.appgw_predefined(default) or (None, None)
        return TlsFloor(
            policy,
            floor,
            attribute,
            reason=f"{default} applies: {default_reason}",
            tls13_available=True,
            offers_tls13=offers,
        )
    kind_v = policy.get(names["type"])
    name_v = policy.get(names["name"])
    min_v = policy.get(names["min"])
    kind = (kind_v.as_str() or "").lower()
    sub = f"{attribute}.{names['name']}"
    if kind_v.is_unknown:
        return TlsFloor(
            kind_v, None, f"{attribute}.{names['type']}", reason=kind_v.reason, tls13_available=True
        )
    if kind in ("custom", "customv2"):
        text = min_v.as_str()
        floor = tls.appgw_protocol(text) if text else None
        attr = f"{attribute}.{names['min']}"
        if floor is None and min_v.is_null:
            disabled = [d.as_str() or "" for d in policy.get(names["disabled"]).elements()]
            floor = tls.appgw_floor_from_disabled(disabled)
            min_v = policy.get(names["disabled"]) if disabled else min_v
        offers = kind == "customv2" and floor is not None and TLS_ORDER[floor] >= TLS_ORDER["1.2"]
        return TlsFloor(
            min_v if not min_v.is_absent else policy,
            floor,
            attr,
            reason=(
                min_v.reason
                if min_v.is_unknown
                else f"{min_v.describe()} is not a protocol version Application Gateway documents"
                if floor is None and text
                else ""
            ),
            tls13_available=True,
            offers_tls13=offers,
        )
    if not name_v.is_null or kind == "predefined":
        text = name_v.as_str()
        c = tls.appgw_predefined(text) if text else None
        if c is None:
            why = (
                name_v.reason
                if name_v.is_unknown
                else f"policy name {name_v.describe()} is not one iaclint knows"
            )
            return TlsFloor(name_v, None, sub, reason=why, tls13_available=True)
        return TlsFloor(name_v, c[0], sub, tls13_available=True, offers_tls13=c[1])
    # Only disabled protocols listed (the oldest form).
    disabled_v = policy.get(names["disabled"])
    if disabled_v.is_unknown:
        return TlsFloor(disabled_v, None, f"{attribute}.{names['disabled']}", reason=disabled_v.reason)
    disabled = [d.as_str() or "" for d in disabled_v.elements()]
    return TlsFloor(
        disabled_v,
        tls.appgw_floor_from_disabled(disabled),
        f"{attribute}.{names['disabled']}",
        tls13_available=True,
        offers_tls13=False,
    )


def waf_rule(rule: Value, name_key: str, type_key: str, action_key: str) -> WafRule:
    name = rule.get(name_key).as_str() or "?"
    kind = rule.get(type_key)
    action_v = rule.get(action_key)
    action = action_v.as_str()
    action = action.lower() if action is not None else None
    if action == "jschallenge":
        action = "challenge"
    return WafRule(
        name=name,
        value=rule,
        action=action,
        action_value=action_v,
        rate_based=(kind.as_str() or "").lower() == "ratelimitrule",
    )


def last_segment(value: Value) -> str | None:
    """The child name a resource id names: a known id string's last segment, or the name in the
    loader's pseudo-reference (`<type>:<parent>/<name>`) of an unknown one."""
    text = value.as_str()
    if text:
        return text.rstrip("/").rsplit("/", 1)[-1]
    for ref in value.refs:
        if ":" in ref:
            return ref.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return None


def listener_http(
    listener: Value, attribute: str, protocol: Value, redirect: Value | None, target_https: bool | None
) -> PlainHttp:
    """An App Gateway listener's exposure: Https → none; Http with a redirect to HTTPS → none;
    Http otherwise → plain."""
    p = (protocol.as_str() or "").lower()
    if protocol.is_unknown:
        return PlainHttp(protocol, attribute, None, protocol.reason)
    if p == "https":
        return PlainHttp(protocol, attribute, False)
    if redirect is not None:
        if target_https is None:
            return PlainHttp(protocol, attribute, None, "cannot tell whether its redirect goes to HTTPS")
        if target_https:
            return PlainHttp(protocol, attribute, False)
    return PlainHttp(protocol, attribute, True)
