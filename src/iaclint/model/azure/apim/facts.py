"""What Azure API Management means for the standard, whatever language declared it. The effective
policy of every API path (global → product → API → operation, `<base/>` resolved) is reduced here,
once, to how callers authenticate, what validates their tokens, what limits their rate, what
restricts their network and which backends the policy sends them to; the service gives its WAF
fronts, its gateway endpoint with its client certificates and cipher switches, and its backend
protocol switches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from iaclint.model.azure.apim import effective
from iaclint.model.azure.apim.effective import PolicyPath
from iaclint.model.azure.apim.entities import ApimApi, ApimBackend, ApimService, PolicyRef
from iaclint.model.azure.armfields import get
from iaclint.model.azure.common import flag
from iaclint.model.azure.tls import weak_cipher
from iaclint.model.azure.waf.facts import front_wafs
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import (
    Attachment,
    Auth,
    Backend,
    Cipher,
    ClientAuth,
    Decision,
    LegacyProtocol,
    Limiter,
    OperationAuth,
    Origin,
    Places,
    RateTarget,
    Requirement,
    Setting,
    TokenValidator,
    Validation,
    WafTarget,
    tls_label,
)
from iaclint.policy import EffectivePolicy, PolicyDocument, PolicyElement
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import Value


@builder
def apim(d: Derivation) -> None:
    az = d.model.azure
    for svc in az.services:
        _service(d, svc)
    for api in az.apis:
        _api(d, api)
    for b in az.backends:
        d.facts.backends.append(_backend(b))
    _policy_backends(d)


# -- the service -------------------------------------------------------------------------------------


def _public(svc: ApimService | None) -> Decision:
    """Reachable from the internet: not in an internal virtual network."""
    if svc is None:
        # Declared elsewhere (`existing`, a data source): its network mode is not in the code.
        return Decision.unknown(
            Setting.absent("virtualNetworkType"),
            "the API Management service is not declared here, so whether it is in an internal virtual "
            "network cannot be known",
        )
    setting = Setting(svc.vnet_type.value, svc.vnet_type.attribute)
    internal = svc.internal()
    if internal is None:
        return Decision.unknown(setting, f"{svc.vnet_type.attribute} is {svc.vnet_type.value.describe()}")
    return Decision(not internal, setting, "it is in an internal virtual network" if internal else "")


def _fronts(d: Derivation, svc: ApimService, label: str) -> tuple[list[Attachment], list[str]]:
    attachments: list[Attachment] = []
    unknown: list[str] = []
    for front in svc.fronts:
        got, why = front_wafs(d, front, label)
        attachments += got
        unknown += why
    if not svc.fronts:
        unknown += [f"{f.label} points at a backend that cannot be known" for f in svc.possible_fronts]
    return attachments, unknown


def _service(d: Derivation, svc: ApimService) -> None:
    origin = Origin.of(svc.resource, svc.label)
    attachments, possible = _fronts(d, svc, svc.label)
    how = (
        f"{', '.join(f.label for f in svc.fronts)} in front has no WAF"
        if svc.fronts
        else "no Application Gateway or Front Door with a WAF policy fronts it, and it is not in an internal "
        "virtual network"
    )
    public = _public(svc)
    d.facts.waf_targets.append(WafTarget(origin, public, attachments, possible, how=how))
    # Judged at service level only when the unit declares no API that is, or may be, its own.
    unlinked = any(a.service is None for a in d.model.azure.apis)
    if not svc.apis and not unlinked and public.state is not False:
        d.facts.network.append(Requirement(origin, _service_restricted(svc, public)))
    endpoint = svc.endpoint.fact()
    d.facts.endpoints.append(endpoint)
    for c in svc.ciphers:
        switch = flag(c.setting.value)
        on = switch if switch is not None else (None if c.setting.value.is_unknown else False)
        setting = Setting(c.setting.value, c.setting.attribute)
        off = Decision(
            None if on is None else not on, setting, f"{c.setting.attribute} is {c.setting.value.describe()}"
        )
        endpoint.ciphers.append(Cipher(c.suite, off, weak_cipher(c.suite) or ""))
    auth = _client_auth(svc)
    if auth is not None:
        endpoint.client_auths.append(auth)
    for version in ("ssl3", "1.0", "1.1"):
        s = svc.backend.get(version)
        if s is None:
            continue
        switch = flag(s.value)
        off = False if switch is True else (None if switch is None and s.value.is_unknown else True)
        decision = Decision(off, Setting(s.value, s.attribute), f"{s.attribute} is {s.value.describe()}")
        d.facts.legacy_protocols.append(LegacyProtocol(origin, tls_label(version), decision))


def _service_restricted(svc: ApimService, public: Decision) -> Decision:
    """S5.4 for a service none of whose APIs the scan declares: judged by its global policy (an
    `ip-filter action="allow"` that runs for every request) and its network mode."""
    pol = effective.service_policy(svc)
    where = Setting(svc.policies[0].text, "policy") if svc.policies else public.setting
    if pol is None:
        if public.state is None:
            return Decision.unknown(where, public.why)
        return Decision.no(
            where,
            'no API of it is declared here, it has no global policy with ip-filter action="allow" and it is '
            "not in an internal virtual network",
        )
    lacking = _lacking(pol, {id(effective.document(svc.policies[0])): "global"})
    return _allowed(pol, where, public, "its global policy", lacking)


def _ca_store(cert: Value) -> bool | None:
    """Whether a service certificate entry is a CA / root (ARM `storeName`, azurerm `store_name`)."""
    arm_store = get(cert, "storeName")  # compared without case, as Azure reads template keys
    store = arm_store if not arm_store.is_null else cert.get("store_name")
    if store.is_unknown:
        return None
    return (store.as_str() or "").lower() in ("root", "certificateauthority")


def _client_auth(svc: ApimService) -> ClientAuth | None:
    """Client certificates asked for (the Consumption tier's switch or a host name's negotiation):
    CA certificates to validate them against, and `validate-client-certificate` in every API's
    effective policy."""
    enabling = [s for s in [svc.client_cert, *(h.negotiate for h in svc.hostnames)] if flag(s.value) is True]
    if not enabling:
        return None
    on = enabling[0]
    validations: list[Validation] = []
    for api in svc.apis:
        for path in effective.paths(api):
            validations.append(Validation(_path_origin(path), _validated(path, svc)))
    certs, cattr = svc.ca_certificates.value, svc.ca_certificates.attribute
    stores = [_ca_store(c) for c in certs.elements()]
    if certs.is_unknown or (None in stores and True not in stores):
        truststore = Decision.unknown(
            Setting(certs, cattr),
            f"whether it has CA certificates cannot be known: {cattr} is {certs.describe()}",
        )
    elif True not in stores:
        truststore = _without_ca(svc, on, cattr, validations)
    else:
        truststore = Decision.yes(Setting(certs, cattr))
    return ClientAuth(Setting(on.value, on.attribute), truststore, None, tuple(validations))


def _without_ca(svc: ApimService, on: Setting, cattr: str, validations: list[Validation]) -> Decision:
    """No CA certificate: a violation, except on the Consumption tier, which holds none and where
    `validate-client-certificate` in the effective policy is the truststore (each API path's
    validation is judged on its own)."""
    no = Decision.no(
        Setting(on.value, on.attribute),
        f"has no CA certificate (store Root or CertificateAuthority) in {cattr} to validate them against "
        f"({on.attribute} is {on.value.describe()})",
    )
    consumption = svc.consumption()
    if consumption is False:
        return no
    sku = Setting(svc.sku.value, svc.sku.attribute)
    glob = effective.service_policy(svc)
    if validations:
        validated = all(v.validated.state is True for v in validations)
    else:
        validated = glob is not None and any(not c.conditional for c in glob.client_cert)
    if consumption is True:
        if validations or validated:
            return Decision.yes(sku)
        return Decision.unknown(
            sku,
            "on the Consumption tier validate-client-certificate in each API's effective policy is the "
            "truststore, and no API of it is declared here",
        )
    if validated:
        return Decision.unknown(
            sku,
            "whether it is on the Consumption tier (where validate-client-certificate is the truststore) "
            f"cannot be known: {svc.sku.attribute} is {svc.sku.value.describe()}",
        )
    return no


def _validated(path: PolicyPath, svc: ApimService) -> Decision:
    pol = path.policy
    where = Setting(effective.policy_value(path), "policy")
    if any(not c.conditional for c in pol.client_cert):
        return Decision.yes(where)
    if pol.client_cert:
        where = _with(where, (*_elements(c.element for c in pol.client_cert), *_path_lacking(path)))
        return Decision.unknown(where, "validate-client-certificate runs only inside <choose>")
    where = _with(where, _path_lacking(path))
    if pol.unknown:
        return Decision.unknown(where, "; ".join(pol.unknown))
    return Decision.no(
        where,
        f"its effective policy has no validate-client-certificate, so any certificate is accepted (it is "
        f"served by {svc.label}, which asks for them)",
    )


# -- API paths: authentication, tokens, rate limits, network ---------------------------------------


def _path_origin(path: PolicyPath) -> Origin:
    return Origin.of(path.resource, path.label)


def _api(d: Derivation, api: ApimApi) -> None:
    svc = api.service
    public = _public(svc)
    origin = Origin.of(api.resource, api.label)
    d.facts.endpoints.append(api.endpoint.fact())
    v, attr = api.service_url.value, api.service_url.attribute
    if not v.is_null:
        d.facts.backends.append(Backend(origin, _transport(v, attr)))
    attachments: list[Attachment] = []
    possible: list[str] = []
    seen_jwt: set[int] = set()
    for path in effective.paths(api):
        porigin = _path_origin(path)
        where = Setting(effective.policy_value(path), "policy")
        d.facts.operations.append(_authentication(path, porigin, where))
        for jwt in path.policy.jwt:
            if id(jwt.element) not in seen_jwt:
                seen_jwt.add(id(jwt.element))
                d.facts.token_validators.append(_token_validator(path, porigin, jwt))
        if path.operation is not None:
            continue  # an operation policy can only add limits and filters to its API's path
        if not attachments and svc is not None:
            attachments, possible = _fronts(d, svc, path.label)
        pol = path.policy
        limiters = [Limiter(where, r.kind, r.conditional) for r in pol.rate_limits]
        missing = "no rate-limit, rate-limit-by-key or quota in its effective policy and no WAF in front"
        # Reported when no limit runs for every request: where the conditional ones are, and where
        # one could be added.
        limits = (*_elements(r.element for r in pol.rate_limits), *_path_lacking(path))
        d.facts.rate_targets.append(
            RateTarget(
                porigin, _with(where, limits), missing, list(attachments), limiters, [*pol.unknown, *possible]
            )
        )
        if public.state is not False:
            d.facts.network.append(Requirement(porigin, _restricted(path, public)))


def _authentication(path: PolicyPath, origin: Origin, where: Setting) -> OperationAuth:
    pol = path.policy
    if any(not j.conditional for j in pol.jwt):
        return OperationAuth(origin, Auth.TOKEN, where)
    if pol.jwt:
        return OperationAuth(
            origin,
            Auth.UNKNOWN,
            _with(where, (*_elements(j.element for j in pol.jwt), *_path_lacking(path))),
            "its validate-jwt runs only inside <choose> (for some requests)",
        )
    # What follows is decided by a token check the effective policy lacks.
    lacking = _path_lacking(path)
    where = _with(where, lacking)
    if pol.unknown:
        return OperationAuth(origin, Auth.UNKNOWN, where, "; ".join(pol.unknown))
    sub = path.api.subscription_required
    v = sub.value
    if v.is_unknown:
        return OperationAuth(
            origin, Auth.UNKNOWN, Setting(v, sub.attribute, lacking), f"{sub.attribute} is {v.describe()}"
        )
    keyed = True if v.is_null else v.as_bool()  # subscriptionRequired defaults to true
    if keyed:
        shown = "true by default" if v.is_null else v.describe()
        setting = Setting(v if not v.is_null else where.value, sub.attribute, lacking)
        return OperationAuth(
            origin,
            Auth.API_KEY,
            setting,
            f"{sub.attribute} is {shown}, no validate-jwt in its effective policy",
        )
    return OperationAuth(
        origin,
        Auth.NONE,
        where,
        "no validate-jwt or validate-azure-ad-token in its effective policy and no subscription key",
    )


def _token_validator(path: PolicyPath, origin: Origin, jwt: object) -> TokenValidator:
    from iaclint.policy import JwtValidation

    assert isinstance(jwt, JwtValidation)
    problems = []
    if jwt.symmetric_keys:
        problems.append("a symmetric signing key (an HS256 shared secret in issuer-signing-keys)")
    if not jwt.audiences:
        problems.append("no audiences")
    if not jwt.issuers and not jwt.openid_config:
        problems.append("no issuers or openid-config")
    if jwt.require_signed_tokens is False:
        problems.append('require-signed-tokens="false"')
    el = jwt.element
    at = Value.known(jwt.kind, el.span) if el.span else effective.policy_value(path)
    label = f"{origin.label}: <{jwt.kind}>"
    return TokenValidator(
        Origin(origin.address, origin.type, origin.span, label),
        Setting(at, jwt.kind, _elements((el,))),
        tuple(problems),
    )


def _restricted(path: PolicyPath, public: Decision) -> Decision:
    where = Setting(effective.policy_value(path), "policy")
    return _allowed(path.policy, where, public, "its effective policy", _path_lacking(path))


def _allowed(pol: EffectivePolicy, where: Setting, public: Decision, what: str, lacking: Places) -> Decision:
    """An `ip-filter action="allow"` that runs for every request restricts; a deny-list never does.
    `lacking`: where in the policy files an allow-list could be added."""
    if any(f.action == "allow" and not f.conditional for f in pol.ip_filters):
        return Decision.yes(where)
    if any(f.action == "allow" for f in pol.ip_filters):
        where = _with(where, (*_elements(f.element for f in pol.ip_filters if f.action == "allow"), *lacking))
        return Decision.unknown(where, 'its ip-filter action="allow" runs only inside <choose>')
    where = _with(where, (*_elements(f.element for f in pol.ip_filters), *lacking))
    if pol.unknown or public.state is None:
        return Decision.unknown(where, "; ".join(pol.unknown) or public.why)
    found = (
        f'{what} has an ip-filter that only forbids listed addresses (action="forbid" is a deny-list)'
        if pol.ip_filters
        else f'no ip-filter action="allow" in {what} and the service is not in an internal virtual network'
    )
    return Decision.no(where, found)


# -- backends ------------------------------------------------------------------------------------------


def _transport(v: Value, attr: str) -> Decision:
    """TLS when the URL is https:// (even with an unknown host), plain for http://."""
    prefix = v.known_prefix().lower()
    setting = Setting(v, attr)
    if prefix.startswith("https://"):
        return Decision.yes(setting)
    if prefix.startswith("http://"):
        return Decision.no(
            setting, f"{attr} is {v.describe() if v.is_known else repr(v.known_prefix() + '...')}"
        )
    if v.is_unknown:
        return Decision.unknown(setting, f"{attr} is {v.describe()}")
    return Decision.yes(setting)


def _backend(b: ApimBackend) -> Backend:
    origin = Origin.of(b.resource, b.label)
    verification = []
    for s in (b.validate_chain, b.validate_name):
        setting = Setting(s.value, s.attribute)
        if flag(s.value) is False:
            verification.append(Decision.no(setting, f"{s.attribute} is {s.value.describe()}"))
        elif s.value.is_unknown:
            verification.append(Decision.unknown(setting, f"{s.attribute} is {s.value.describe()}"))
    return Backend(origin, _transport(b.url.value, b.url.attribute), tuple(verification))


def _policy_elements(elements: tuple[PolicyElement, ...]) -> Iterator[PolicyElement]:
    """Every element, nested ones included (`<choose>`, `<when>`, `<retry>`...): a plain-HTTP backend
    chosen for some requests only still sends them in clear text."""
    stack = list(reversed(elements))
    while stack:
        el = stack.pop()
        yield el
        stack.extend(reversed(el.children))


def _path_scopes(path: PolicyPath) -> list[tuple[Resource, list[PolicyRef]]]:
    """The scopes on an effective policy path, outermost first, with the policies each holds."""
    api = path.api
    out: list[tuple[Resource, list[PolicyRef]]] = []
    if api.service is not None:
        out.append((api.service.resource, api.service.policies))
    elif api.undeclared_global:
        out.append((api.undeclared_global[0].resource, api.undeclared_global))
    if api.workspace is not None:
        out.append((api.workspace.resource, api.workspace.policies))
    out += [(p.resource, p.policies) for p in api.products if p.resource.address == path.product]
    out.append((api.resource, api.policies))
    if path.operation is not None:
        out.append((path.operation.resource, path.operation.policies))
    return out


def _policy_backends(d: Derivation) -> None:
    """`<set-backend-service base-url=...>` in an effective policy. The finding names the scope whose
    policy holds the element (a global policy's element shows up in every API's effective policy),
    decided per path: one document may be held by several scopes (a `for_each` of policies sharing
    one text is read once)."""
    az = d.model.azure
    doc_of: dict[int, int] = {}
    for ref in az.policies:
        doc = effective.document(ref)
        if ref.same_as is None:
            for section in doc.sections.values():
                for el in _policy_elements(section.elements):
                    doc_of.setdefault(id(el), id(doc))
    seen: set[tuple[int, int]] = set()
    setters: dict[int, list[PolicyElement]] = {}
    for api in az.apis:
        for path in effective.paths(api):
            holders: dict[int, Resource] = {}
            for resource, refs in _path_scopes(path):
                for ref in refs:
                    holders.setdefault(id(effective.document(ref)), resource)
            pol = path.policy
            found = setters.get(id(pol))
            if found is None:
                every = _policy_elements(pol.inbound + pol.backend + pol.outbound + pol.on_error)
                found = setters[id(pol)] = [el for el in every if el.name == "set-backend-service"]
            for el in found:
                resource = holders.get(doc_of.get(id(el), 0), path.resource)
                if (id(el), id(resource)) in seen:
                    continue
                seen.add((id(el), id(resource)))
                url = el.attrs.get("base-url")
                if url is None:
                    continue  # backend-id: a declared backend, checked on its own
                at = Value.known(url, el.span) if el.span else effective.policy_value(path)
                text = url.strip()
                origin = Origin.of(resource, f"{path.label}: its policy")
                attr = "set-backend-service.base-url"
                setting = Setting(at, attr, _elements((el,)))
                if text.lower().startswith("http://"):
                    tls = Decision.no(setting, f'<set-backend-service base-url="{text}">')
                elif text.startswith("@") or "{{" in text:
                    # A policy expression or named value: resolved by the service at run time.
                    tls = Decision.unknown(setting, f'base-url is "{text}", resolved at run time')
                else:
                    tls = Decision.yes(setting)
                d.facts.backends.append(Backend(origin, tls))


# -- where in the policy files a finding comes from ----------------------------------------------------
#
# A policy the template reads from a file (`file()`, `loadTextContent()`) is reported at the template
# (the API, the call that reads the file), with related locations in the file: the element that
# decided (a weak or conditional one), and, for something the effective policy lacks (or runs only
# for some requests), each document of it that is read from a file, the most specific scope first
# (where the element would go). So a change to the file alone brings what it causes (pre-commit,
# `--files`).


def _with(setting: Setting, related: Places) -> Setting:
    return Setting(setting.value, setting.attribute, related) if related else setting


def _elements(elements: Iterable[PolicyElement]) -> Places:
    """Where in their policy files the elements are (those read from a file)."""
    return tuple((el.source, f"<{el.name}> in the policy file") for el in elements if el.source is not None)


def _path_lacking(path: PolicyPath) -> Places:
    """`_lacking` for the effective policy of an API path, each document named by its scope."""
    pol = path.policy
    if not any(d.source is not None for d in pol.documents):
        return ()
    api = path.api
    named: list[tuple[str, list[PolicyRef]]] = [
        ("global", api.service.policies if api.service is not None else api.undeclared_global)
    ]
    if api.workspace is not None:
        named.append(("workspace", api.workspace.policies))
    named += [("product", p.policies) for p in api.products if p.resource.address == path.product]
    named.append(("API", api.policies))
    if path.operation is not None:
        named.append(("operation", path.operation.policies))
    scopes = {id(effective.document(refs[0])): word for word, refs in named if refs}
    return _lacking(pol, scopes)


def _lacking(pol: EffectivePolicy, scopes: dict[int, str]) -> Places:
    """Where what an effective policy lacks could be added, in the documents of it read from files:
    the most specific scope first, then the outer ones, then the fragments it includes. Each points
    at the document's `<inbound>` (its root when it has none, its first line when unreadable).
    `scopes`: the scope word of each document, by id (a document not named is a fragment)."""
    docs = [d for d in pol.documents if id(d) in scopes]
    out: list[tuple[Span, str]] = []
    for i, doc in enumerate(reversed(docs)):
        if doc.source is not None:
            role = "the most specific scope" if i == 0 else "part"
            out.append((_inbound(doc), f"{scopes[id(doc)]} policy, {role} of the effective policy"))
    for doc in pol.documents:
        if id(doc) not in scopes and doc.source is not None:
            out.append((_inbound(doc), "policy fragment included in the effective policy"))
    return tuple(out)


def _inbound(doc: PolicyDocument) -> Span:
    assert doc.source is not None
    inbound = doc.root.child("inbound") if doc.root is not None else None
    return inbound.source if inbound is not None and inbound.source is not None else doc.source
