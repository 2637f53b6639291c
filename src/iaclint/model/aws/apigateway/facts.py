"""What AWS API Gateway entities mean for the standard, whatever language declared them: how each
operation authenticates, what a JWT authorizer checks, how integrations reach their backends, what
fronts and throttles each stage, what restricts each API by network, and the mutual TLS of custom
domains."""

from __future__ import annotations

from iaclint.model.aws.apigateway.entities import (
    Api,
    Authorizer,
    Integration,
    Operation,
    ResourcePolicy,
    Stage,
    Throttle,
)
from iaclint.model.aws.cloudfront.entities import Distribution
from iaclint.model.aws.model import AwsModel
from iaclint.model.aws.wafv2.entities import WafAssociation, WebAcl
from iaclint.model.aws.wafv2.facts import classic_attachments, web_acl
from iaclint.model.derive import Derivation, builder
from iaclint.model.entities import Endpoint
from iaclint.model.facts import (
    Attachment,
    Auth,
    Backend,
    ClientAuth,
    Decision,
    DefaultEndpoint,
    OperationAuth,
    Origin,
    RateTarget,
    Requirement,
    Setting,
    TokenValidator,
    WafTarget,
)
from iaclint.values import Value

# Integration types whose URI is an HTTP(S) URL the gateway calls.
_HTTP_TYPES = ("HTTP", "HTTP_PROXY")


class Fronts:
    """What fronts each stage and API: web ACL associations that target a stage (or may), and
    CloudFront distributions whose origin is an API. The fronting entities point at what they front;
    this looks them up the other way."""

    def __init__(self, m: AwsModel) -> None:
        self._assoc: dict[int, list[WafAssociation]] = {}
        self._possible: dict[int, list[WafAssociation]] = {}
        self._dists: dict[int, list[Distribution]] = {}
        for a in m.waf_associations:
            for t in a.targets:
                self._assoc.setdefault(id(t), []).append(a)
            for t in a.possible:
                self._possible.setdefault(id(t), []).append(a)
        for dist in m.distributions:
            for api in dist.apis:
                self._dists.setdefault(id(api), []).append(dist)

    def associations(self, target: object) -> list[WafAssociation]:
        return self._assoc.get(id(target), [])

    def possible(self, target: object) -> list[WafAssociation]:
        return self._possible.get(id(target), [])

    def distributions(self, api: Api | None) -> list[Distribution]:
        return self._dists.get(id(api), []) if api is not None else []


@builder
def apigateway(d: Derivation) -> None:
    m, f = d.model.aws, d.facts
    for ep in d.model.endpoints:
        if ep.mtls is not None:
            d.endpoint(ep).client_auths.append(_client_auth(ep))
    f.operations.extend(_operation(op) for op in m.operations)
    for az in m.authorizers:
        tv = _token_validator(az)
        if tv is not None:
            f.token_validators.append(tv)
    f.backends.extend(_integration(i) for i in m.integrations)
    fronts = Fronts(m)
    for st in m.stages:
        _stage(d, st, fronts)
    for api in m.apis:
        _api(d, api, fronts)


# -- custom domains --------------------------------------------------------------------------------


def _client_auth(ep: Endpoint) -> ClientAuth:
    m = ep.mtls
    assert m is not None
    uri, attr = m.truststore, m.truststore_attribute
    store = Setting(uri, attr)
    text = uri.as_str()
    if uri.is_unknown:
        truststore = Decision.unknown(store, f"{attr} is {uri.describe()}")
    elif text and text.startswith("s3://") and len(text) > len("s3://"):
        truststore = Decision.yes(store)
    elif not text:
        truststore = Decision.no(store, f"{attr} is not set")
    else:
        truststore = Decision.no(store, f"{attr} is {uri.describe()}, not an s3:// URI of a truststore")
    version = Setting(m.version, m.version_attribute)
    pinned = Decision(not m.version.is_null, version, f"{m.version_attribute} is not set")
    return ClientAuth(Setting(m.block, ep.mtls_attribute), truststore, pinned)


# -- operations and authorizers --------------------------------------------------------------------


def _subject(op: Operation) -> str:
    api = op.api.label if op.api else "AWS API Gateway API"
    if op.api is not None and op.resource.address == op.api.resource.address:
        return f"{api} {op.label}"  # declared by the API itself (quick create): named once
    return f"{api} {op.label} ({op.resource.address})"


def _operation(op: Operation) -> OperationAuth:
    origin = Origin.of(op.resource, _subject(op))
    auth, attr = op.auth, op.auth_attribute
    setting = Setting(auth, attr)
    if not op.authorizable or (op.verb.as_str() or "").upper() == "OPTIONS":
        return OperationAuth(origin, Auth.EXEMPT, setting)
    if auth.is_unknown:
        return OperationAuth(origin, Auth.UNKNOWN, setting, f"{attr} is {auth.describe()}")
    text = op.auth_default if auth.is_null else auth.as_str()
    if (text or "").upper() != "NONE":
        return OperationAuth(origin, Auth.TOKEN, setting)
    shown = auth.describe() if not auth.is_null else f'not set (defaults to "{op.auth_default}")'
    if op.api_key_required.as_bool() is True:
        return OperationAuth(
            origin, Auth.API_KEY, setting, f"{attr} is {shown} with {op.api_key_attribute} = true"
        )
    return OperationAuth(origin, Auth.NONE, setting, f"{attr} is {shown}")


def _empty(v: Value) -> bool:
    if v.is_null:
        return True
    if v.is_known and isinstance(v.data, (list, str)):
        return len(v.data) == 0 or (isinstance(v.data, str) and not v.data.strip())
    return False


def _token_validator(az: Authorizer) -> TokenValidator | None:
    kind = az.kind.as_str()
    if kind is None or kind.upper() != "JWT":
        return None
    origin = Origin.of(az.resource, f"AWS API Gateway JWT authorizer {az.resource.address}")
    pairs = ((az.audience, az.audience_attribute), (az.issuer, az.issuer_attribute))
    missing = [(v, attr) for v, attr in pairs if _empty(v)]
    if missing:
        # Report on the empty value when it is written; on the resource when it is absent.
        written = [(v, attr) for v, attr in missing if not v.is_null]
        v, attr = written[0] if written else (Value.absent(), missing[0][1])
        return TokenValidator(origin, Setting(v, attr), tuple(f"no {a}" for _, a in missing))
    unknown = [(v, attr) for v, attr in pairs if v.is_unknown]
    if unknown:
        v, attr = unknown[0]
        return TokenValidator(origin, Setting(v, attr), unknown=f"{attr} is {v.describe()}")
    return TokenValidator(origin, Setting(az.audience, az.audience_attribute))


# -- integrations ------------------------------------------------------------------------------------


def _integration(integ: Integration) -> Backend:
    origin = Origin.of(integ.resource, f"AWS API Gateway integration {integ.resource.address}")
    kind = integ.type.as_str()
    http_type = kind is not None and kind.upper() in _HTTP_TYPES
    uri, attr = integ.uri, integ.uri_attribute
    # The scheme is known even when the host is not (`http://${Alb.DNSName}/x`).
    prefix = uri.known_prefix().lower()
    plain = prefix.startswith("http://")
    if http_type and plain:
        shown = uri.describe() if uri.is_known else f'"{uri.known_prefix()}..."'
        tls = Decision.no(Setting(uri, attr), f"{attr} is {shown}")
    elif (http_type and uri.is_unknown and not prefix.startswith("https://")) or (
        plain and integ.type.is_unknown
    ):
        decider, dattr = (uri, attr) if uri.is_unknown else (integ.type, "type")
        tls = Decision.unknown(Setting(decider, dattr), f"{dattr} is {decider.describe()}")
    else:
        tls = Decision.yes(Setting(uri, attr))
    skip = integ.skip_verification
    verification = ()
    if not skip.is_null and skip.as_bool() is not False:
        flag = skip.as_bool()
        verification = (
            Decision(None if flag is None else False, Setting(skip, integ.skip_attribute),
                     f"{integ.skip_attribute} is {skip.describe()}"),
        )  # fmt: skip
    return Backend(origin, tls, verification)


# -- stages: WAF, rate limits, throttling ----------------------------------------------------------


def _stage_label(st: Stage) -> str:
    api = st.api.label if st.api else "AWS API Gateway API"
    if st.by_deployment:
        return f"{api} stage {st.name.describe()} (created by {st.resource.address})"
    return f"{api} stage {st.resource.address}"


def _attachments(d: Derivation, st: Stage, label: str, fronts: Fronts) -> list[Attachment]:
    """The web ACLs in front of a stage: associated with it, or on a CloudFront distribution in front
    of its API; a reference that cannot be resolved is an attachment whose WAF is unknown."""
    out: list[Attachment] = []

    def add(acls: list[WebAcl], ref: Value, attr: str) -> None:
        for acl in acls:
            out.append(d.attach(d.waf(acl, web_acl), label))
        if not acls and not ref.is_null:
            out.append(Attachment(None, Setting(ref, attr)))

    for a in fronts.associations(st):
        add(a.acls, a.acl_ref, "web_acl")
    for dist in fronts.distributions(st.api):
        add(dist.acls, dist.acl_ref, "web_acl_id")
    # A WAF Classic association is named as such (it protects nothing since AWS retired it).
    for c in d.model.aws.classic_associations:
        if any(t is st for t in c.targets):
            out.extend(classic_attachments(d, c, label))
    return out


def _stage(d: Derivation, st: Stage, fronts: Fronts) -> None:
    label = _stage_label(st)
    origin = Origin.of(st.resource, label)
    api = st.api
    private = api.private if api is not None else None
    public = Decision(
        None if private is None else not private,
        Setting.absent("waf"),
        "whether the API is private cannot be known",
    )
    http_api = api is not None and api.protocol == "HTTP"
    attachments = _attachments(d, st, label, fronts)
    how = (
        "HTTP APIs cannot take a web ACL directly: put a CloudFront distribution with a web ACL in front"
        if http_api
        else "associate a WAFv2 web ACL with the stage or front it with CloudFront and a web ACL"
    )
    possible = [
        f"web ACL association {a.resource.address} targets a resource that cannot be known"
        for a in fronts.possible(st)
    ]
    capable = not (api is not None and api.protocol == "WebSocket")
    d.facts.waf_targets.append(WafTarget(origin, public, attachments, possible, capable=capable, how=how))
    if capable:
        missing = "no web ACL fronts it, so nothing limits the rate of its calls"
        d.facts.rate_targets.append(
            RateTarget(origin, Setting.absent("rate_limit"), missing, attachments, unknown=possible)
        )
    d.facts.throttling.append(Requirement(origin, _throttled(st)))


def _keyless(st: Stage) -> tuple[list[Operation], list[str]]:
    """The operations of a stage's API that callers reach without an API key (a usage plan does
    not throttle them), and why others cannot be told. CORS preflight is left out."""
    keyless: list[Operation] = []
    unknown: list[str] = []
    for op in st.api.operations if st.api is not None else ():
        if not op.authorizable or (op.verb.as_str() or "").upper() == "OPTIONS":
            continue
        if op.verb.is_absent:
            unknown.append(op.label)  # operations defined outside the template
            continue
        key = op.api_key_required
        if key.as_bool() is True:
            continue
        if key.is_unknown:
            unknown.append(f"whether {op.label} ({op.resource.address}) requires one ({key.describe()})")
        else:
            keyless.append(op)
    return keyless, unknown


def _no_limit(t: Throttle) -> str:
    if t.source == "usage plan":
        return f"usage plan {t.resource.address} covers it but sets no throttle"
    return f"the {t.source} of {t.resource.address} set no limit"


def _throttled(st: Stage) -> Decision:
    """Throttled by its own settings, or by a usage plan, which throttles only calls that carry an
    API key: with a method that requires none, the plan leaves that method unthrottled."""
    where = Setting.absent("throttling")
    own = [t for t in st.throttles if t.source != "usage plan"]
    plans = [t for t in st.throttles if t.source == "usage plan" and t.limited]
    if any(t.limited for t in own):
        return Decision.yes(where)
    keyless, unknown_keys = _keyless(st) if plans else ([], [])
    if plans and not keyless and not unknown_keys:
        return Decision.yes(where)
    undecided = [t for t in st.throttles if t.limited is None]
    if undecided:
        t = undecided[0]
        return Decision.unknown(
            where, f"the {t.source} of {t.resource.address} set limits that cannot be known"
        )
    if plans:
        plan = plans[0].resource.address
        head = f"its only throttling is usage plan {plan}, which throttles only calls that carry an API key"
        if not keyless:
            return Decision.unknown(where, f"{head}; cannot tell {unknown_keys[0]}")
        shown = ", ".join(f"{op.label} ({op.resource.address})" for op in keyless[:3])
        more = f" and {len(keyless) - 3} more" if len(keyless) > 3 else ""
        verb = "does" if len(keyless) == 1 else "do"
        return Decision.no(where, f"{head}, and {shown}{more} {verb} not require one")
    if st.throttles:
        return Decision.no(where, "; ".join(_no_limit(t) for t in st.throttles))
    if st.api is not None and st.api.protocol != "REST":
        return Decision.no(where, "no default route settings or route settings set limits for it")
    return Decision.no(where, "no method settings or usage plan apply to it")


# -- APIs: network restriction, default endpoint ---------------------------------------------------


def _api(d: Derivation, api: Api, fronts: Fronts) -> None:
    origin = Origin.of(api.resource, api.label)
    if api.protocol == "REST" and api.private is not True:
        d.facts.network.append(Requirement(origin, _restricted(api, fronts)))
    elif api.protocol == "HTTP":
        d.facts.network.append(Requirement(origin, _http_restricted(api, fronts)))
    mtls_domains = tuple(dom.address for dom in api.domains if dom.endpoint.mtls is not None)
    if mtls_domains:
        v, attr = api.default_endpoint_disabled, api.default_endpoint_attribute
        disabled = Decision(
            True if v.as_bool() is True else (None if v.is_unknown else False),
            Setting(v, attr),
            f"{attr} is {v.describe()}",
        )
        d.facts.default_endpoints.append(DefaultEndpoint(origin, mtls_domains, disabled))


def _private_integrations(api: Api) -> bool | None:
    """Whether every integration of the API reaches a private backend through a VPC link; None
    when a connection type cannot be known, or the API's definition cannot be read, and the
    integrations known are private."""
    unknown = api.unread_definition is not None
    if not api.integrations and not unknown:
        return False
    for integ in api.integrations:
        kind = integ.connection_type
        if kind.is_unknown:
            unknown = True
        elif (kind.as_str() or "").upper() != "VPC_LINK":
            return False
    return None if unknown else True


def _http_restricted(api: Api, fronts: Fronts) -> Decision:
    """HTTP APIs take no resource policy: only a web ACL with an IP-set allow rule on a CloudFront
    distribution in front, or private integrations, restrict them. A web ACL that blocks listed
    addresses (a deny-list) is not an allow-list."""
    where = Setting.absent("policy")
    dists = fronts.distributions(api)
    acls = [acl for dist in dists for acl in dist.acls]
    if any(acl.restricts_network() for acl in acls):
        return Decision.yes(where)
    private = _private_integrations(api)
    if private is True:
        return Decision.yes(where)
    unknown = [dist for dist in dists if not dist.acls and not dist.acl_ref.is_null]
    if unknown:
        return Decision.unknown(
            where, f"the web ACL of {unknown[0].resource.address} in front cannot be known"
        )
    if private is None and api.unread_definition is not None:
        why = f"its integrations may be private (VPC link) but cannot be read: {api.unread_definition[2]}"
        return Decision.unknown(where, why)
    if private is None:
        return Decision.unknown(where, "whether its integrations are private (VPC link) cannot be known")
    denied = _deny_list([], acls)
    if denied:
        return Decision.no(where, f"{denied}, and a deny-list is not an allow-list")
    found = (
        "the web ACL of the CloudFront distribution in front has no IP-set allow rule"
        if acls
        else "no CloudFront distribution with a web ACL fronts it"
    )
    integrations = (
        "its integrations are not all private" if api.integrations else "it has no private integration"
    )
    return Decision.no(where, f"HTTP APIs take no resource policy; {found}, and {integrations}")


def _restricted(api: Api, fronts: Fronts) -> Decision:
    """Restricted by a resource policy on the caller's address or VPC endpoint, or by a WAF IP-set
    allow rule in front."""
    acls: list[WebAcl] = []
    acl_unknown = False
    for st in api.stages:
        for a in fronts.associations(st):
            acls += a.acls
            acl_unknown |= not a.acls
    for dist in fronts.distributions(api):
        acls += dist.acls
        acl_unknown |= not dist.acls and not dist.acl_ref.is_null
    where = Setting(api.inline_policy.document if api.inline_policy else Value.absent(), "policy")
    if any(p.restricts_network() for p in api.policies) or any(a.restricts_network() for a in acls):
        return Decision.yes(where)
    undecided = [p for p in api.policies if p.statements is None]
    if undecided:
        p = undecided[0]
        return Decision.unknown(
            Setting(p.document, "policy"), f"the policy of {p.resource.address} cannot be known ({p.reason})"
        )
    if acl_unknown:
        return Decision.unknown(where, "a web ACL in front cannot be known")
    if api.private is None:
        return Decision.unknown(
            where, f"whether the API is private cannot be known ({api.private_value.describe()})"
        )
    found = (
        "its resource policy does not condition access on aws:SourceIp or aws:SourceVpce"
        if api.policies
        else "it has no resource policy and no WAF IP-set allow rule"
    )
    denied = _deny_list(api.policies, acls)
    if denied:
        found = f"{denied}, and a deny-list is not an allow-list"
    return Decision.no(where, found)


def _deny_list(policies: list[ResourcePolicy], acls: list[WebAcl]) -> str:
    """What denies only listed addresses (a resource policy `Deny` on `aws:SourceIp`, a web ACL rule
    that blocks an IP set), for the words of a finding; empty when nothing does."""
    for p in policies:
        for st in p.statements or ():
            for key, op in st.conditions:
                negated = op.lower().startswith(("not", "stringnot", "arnnot"))
                if st.effect == "Deny" and not negated and key in ("aws:sourceip", "aws:sourcevpce"):
                    return f"the resource policy of {p.resource.address} only denies listed callers"
    for acl in acls:
        if any(r.ip_set and not r.ip_allow for r in acl.rules):
            return f"web ACL {acl.resource.address} in front only blocks listed addresses"
    return ""
