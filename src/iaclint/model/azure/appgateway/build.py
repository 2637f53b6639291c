"""What an Application Gateway's settings mean, for every language: the TLS floor of an SSL policy
(or of the platform default), which listeners serve plain HTTP, SSL profiles, and the WAF it
carries. Readers (`arm.py` for ARM, Bicep and azapi; `azurerm.py`) read their own field names into
the records and arguments here."""

from __future__ import annotations

from dataclasses import field

from iaclint.model.azure import tls
from iaclint.model.azure.appgateway.entities import AppGateway, SslProfile
from iaclint.model.azure.common import Cipher, TlsEndpoint
from iaclint.model.azure.waf.entities import Front
from iaclint.model.facts import TLS_ORDER, Decision, PlainHttp, Setting, TlsFloor
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

KIND = "Application Gateway"


@record(frozen=True)
class SslPolicyFields:
    """An SSL policy block (`sslPolicy`, `ssl_policy`) and its members, as read."""

    block: Value
    attribute: str
    policy_type: Setting
    policy_name: Setting
    min_protocol: Setting
    disabled: Setting

    @property
    def empty(self) -> bool:
        return self.block.is_null or (self.block.is_known and not any(True for _ in self.block.items()))


def floor(policy: SslPolicyFields, default: str | None, default_reason: str) -> TlsFloor:
    """The lowest protocol an SSL policy accepts; without one, the platform `default` policy (None:
    which default applies cannot be known)."""
    block, attribute = policy.block, policy.attribute
    if block.is_unknown:
        return TlsFloor(block, None, attribute, reason=block.reason, tls13_available=True)
    if policy.empty:
        if default is None:
            return TlsFloor(block, None, attribute, reason=default_reason, tls13_available=True)
        lowest, offers = tls.appgw_predefined(default) or (None, None)
        return TlsFloor(
            block,
            lowest,
            attribute,
            reason=f"{default} applies: {default_reason}",
            tls13_available=True,
            offers_tls13=offers,
        )
    kind_v, name_v = policy.policy_type.value, policy.policy_name.value
    kind = (kind_v.as_str() or "").lower()
    if kind_v.is_unknown:
        return TlsFloor(
            kind_v, None, policy.policy_type.attribute, reason=kind_v.reason, tls13_available=True
        )
    if kind in ("custom", "customv2"):
        return _custom_floor(policy, kind == "customv2")
    if not name_v.is_null or kind == "predefined":
        text = name_v.as_str()
        c = tls.appgw_predefined(text) if text else None
        if c is None:
            if name_v.is_unknown:
                why = name_v.reason
            elif name_v.is_null:
                why = f"a Predefined policy without {policy.policy_name.attribute}"
            else:
                why = f"policy name {name_v.describe()} is not one iaclint knows"
            return TlsFloor(name_v, None, policy.policy_name.attribute, reason=why, tls13_available=True)
        return TlsFloor(name_v, c[0], policy.policy_name.attribute, tls13_available=True, offers_tls13=c[1])
    # Only disabled protocols listed (the oldest form).
    disabled_v = policy.disabled.value
    if disabled_v.is_unknown:
        return TlsFloor(disabled_v, None, policy.disabled.attribute, reason=disabled_v.reason)
    disabled = [d.as_str() or "" for d in disabled_v.elements()]
    return TlsFloor(
        disabled_v,
        tls.appgw_floor_from_disabled(disabled),
        policy.disabled.attribute,
        tls13_available=True,
        offers_tls13=False,
    )


def _custom_floor(policy: SslPolicyFields, v2: bool) -> TlsFloor:
    """A Custom / CustomV2 policy: its minimum protocol version, or else the lowest protocol its
    disabled list leaves on (disabling only TLS 1.0 leaves TLS 1.1), named by the setting that
    decides it."""
    setting = policy.min_protocol
    min_v = setting.value
    text = min_v.as_str()
    lowest = tls.appgw_protocol(text) if text else None
    reason = ""
    if min_v.is_unknown:
        reason = min_v.reason
    elif text and lowest is None:
        reason = f"{min_v.describe()} is not a protocol version Application Gateway documents"
    elif min_v.is_null:
        setting = policy.disabled
        disabled_v = setting.value
        disabled = [d.as_str() or "" for d in disabled_v.elements()]
        if disabled_v.is_unknown:
            reason = disabled_v.reason
        elif disabled:
            lowest = tls.appgw_floor_from_disabled(disabled)
        else:
            setting = policy.min_protocol
            reason = (
                f"the custom policy names neither {policy.min_protocol.attribute} "
                f"nor {policy.disabled.attribute}"
            )
    value = setting.value
    offers = v2 and lowest is not None and TLS_ORDER[lowest] >= TLS_ORDER["1.2"]
    return TlsFloor(
        value if not value.is_absent else policy.block,
        lowest,
        setting.attribute,
        reason=reason,
        tls13_available=True,
        offers_tls13=offers,
    )


@record(frozen=True)
class Listener:
    """An Application Gateway HTTP listener as read: its name and protocol."""

    value: Value
    name: str
    protocol: Value
    # Where the protocol is written (`httpListeners[0].properties.protocol`).
    attribute: str


@record(frozen=True)
class Redirect:
    """A redirect configuration: to a URL, or to another listener (by name)."""

    target_url: Value
    target_listener: str | None


def listener_http(
    listener: Listener, redirect_ref: Value | None, redirect: Redirect | None, listeners: dict[str, Listener]
) -> PlainHttp:
    """An App Gateway listener's exposure: Https → none; Http with a routing rule that redirects to
    HTTPS → none; Http otherwise → plain. `redirect_ref` is the rule's redirect reference (None: the
    rule does not redirect), `redirect` what it resolves to (None: not found)."""
    protocol, attribute = listener.protocol, listener.attribute
    if protocol.is_unknown:
        return PlainHttp(protocol, attribute, None, protocol.reason)
    if (protocol.as_str() or "").lower() == "https":
        return PlainHttp(protocol, attribute, False)
    if redirect_ref is not None:
        target_https: bool | None = None
        if redirect is not None:
            url = redirect.target_url.as_str()
            target = listeners.get(redirect.target_listener or "")
            if url is not None:
                target_https = url.lower().startswith("https://")
            elif target is not None:
                text = target.protocol.as_str()
                target_https = None if text is None else text.lower() == "https"
        if target_https is None:
            return PlainHttp(protocol, attribute, None, "cannot tell whether its redirect goes to HTTPS")
        if target_https:
            return PlainHttp(protocol, attribute, False)
    return PlainHttp(protocol, attribute, True)


@record(frozen=True)
class ProfileFields:
    """An Application Gateway SSL profile as read: its SSL policy, trusted certificates, client auth."""

    value: Value
    name: str
    ssl_policy: SslPolicyFields
    trusted_certs: Setting
    client_auth: Setting


@record
class GatewayFields:
    """An Application Gateway as read: SSL policy (and the default that applies without one), HTTP
    listeners with the redirects their routing rules point at, SSL profiles, cipher suites, WAF."""

    resource: Resource
    name: Value
    ssl_policy: SslPolicyFields
    default_policy: str | None
    default_reason: str
    listeners: list[Listener] = field(default_factory=list)
    # Listener name → the redirect reference of its routing rule and the redirect it names.
    rule_redirects: dict[str, tuple[Value, str | None]] = field(default_factory=dict)
    redirects: dict[str, Redirect] = field(default_factory=dict)
    profiles: list[ProfileFields] = field(default_factory=list)
    ciphers: list[Setting] = field(default_factory=list)
    # Inline WAF configuration (`webApplicationFirewallConfiguration`): the block, its switch and mode.
    inline_waf: Value = field(default_factory=Value.absent)
    inline_enabled: Setting | None = None
    inline_mode: Setting | None = None
    # References to WAF policies: the gateway's and its listeners'.
    policy_refs: list[Value] = field(default_factory=list)
    # Backend pool addresses (host names, IP addresses, or references).
    targets: list[Value] = field(default_factory=list)
    # Frontend IP configurations: the collection as written, and each one's name and public IP
    # address reference.
    frontends: Setting = field(default_factory=lambda: Setting.absent(""))
    public_ips: list[tuple[str, Setting]] = field(default_factory=list)
    # SKU tier and name (`WAF_v2`, `Standard_v2`...).
    sku: list[Setting] = field(default_factory=list)


def exposure(g: GatewayFields) -> Decision:
    """Internet-facing: a frontend IP configuration with a public IP address. A reference to a declared
    public IP resource is one even though its id is known only after apply; a value that may be null
    (a variable without a default) cannot be told."""
    coll = g.frontends
    if coll.value.is_unknown:
        return Decision.unknown(coll, f"{coll.attribute} is {coll.value.describe()}")
    if not g.public_ips:
        return Decision.unknown(coll, "it declares no frontend IP configuration")
    for name, ip in g.public_ips:
        v = ip.value
        # (A parameter's pseudo-reference, `parameters('pip')`, names no declared resource.)
        declared = [r for r in v.refs if not r.startswith("parameters(")]
        if not v.is_null and (v.is_known or declared):
            return Decision.yes(ip, f"frontend IP configuration {name!r} has a public IP address")
    for name, ip in g.public_ips:
        if ip.value.is_unknown:
            why = ip.value.reason or f"{ip.attribute} cannot be known"
            return Decision.unknown(
                ip,
                f"whether frontend IP configuration {name!r} has a public IP address cannot be known: {why}",
            )
    return Decision.no(coll, "it has only private frontend IP addresses")


def waf_capable(sku: list[Setting]) -> Decision | None:
    """Whether the SKU runs a WAF: the WAF and WAF_v2 tiers do; the Basic, Standard and Standard_v2 tiers
    run none, and a WAF policy linked to them protects nothing. None: no SKU says."""
    for s in sku:
        text = s.value.as_str()
        if text:
            if text.lower().startswith("waf"):
                return Decision.yes(s)
            return Decision.no(
                s, f"its SKU {text} ({s.attribute}) runs no WAF; a WAF policy needs the WAF_v2 tier"
            )
    return None


def gateway(g: GatewayFields) -> AppGateway:
    r = g.resource
    by_name = {li.name: li for li in g.listeners}
    http: list[PlainHttp] = []
    for li in g.listeners:
        if (li.protocol.as_str() or "").lower() == "https":
            continue
        ref, redirect_name = g.rule_redirects.get(li.name, (None, None))
        redirect = g.redirects.get(redirect_name or "") if ref is not None else None
        http.append(listener_http(li, ref, redirect, by_name))
    endpoint = TlsEndpoint(r, KIND, floor(g.ssl_policy, g.default_policy, g.default_reason), tuple(http))
    profile_endpoints: list[TlsEndpoint] = []
    profiles: list[SslProfile] = []
    for prof in g.profiles:
        if not prof.ssl_policy.block.is_null:
            pf = floor(prof.ssl_policy, None, "")
            profile_endpoints.append(TlsEndpoint(r, f"{KIND} SSL profile {prof.name}", pf))
        profiles.append(SslProfile(prof.value, prof.name, prof.trusted_certs, prof.client_auth))
    front = Front(
        r,
        KIND,
        inline_enabled=g.inline_enabled if not g.inline_waf.is_null else None,
        inline_mode=g.inline_mode if not g.inline_waf.is_null else None,
        policy_refs=[ref for ref in g.policy_refs if not ref.is_null],
        targets=list(g.targets),
        name=g.name,
        public=exposure(g),
        waf_capable=waf_capable(g.sku),
        how="it has neither a WAF policy nor an enabled WAF configuration; use the WAF_v2 SKU with a "
        "WAF policy",
    )
    ciphers = [Cipher(c.value.as_str() or "", c) for c in g.ciphers]
    return AppGateway(r, endpoint, profile_endpoints, front, profiles, ciphers)
