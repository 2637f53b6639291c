"""`effective_policy`: the policy that runs for one (product, API, operation) path.

API Management evaluates scopes from the outside in: global → product → API → operation. In each
section, a scope's `<base/>` stands for everything the outer scopes contribute; a section without
`<base/>` replaces the outer content. The facts the rules need (JWT validation, rate limits, IP
filters, client certificate validation) are then read from the effective inbound section.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from iaclint.policy.elements import (
    SECTIONS,
    ClientCertValidation,
    EffectivePolicy,
    IpFilter,
    JwtValidation,
    PolicyDocument,
    PolicyElement,
    RateLimit,
)

_RATE_KINDS = ("rate-limit", "rate-limit-by-key", "quota", "quota-by-key")
_JWT_KINDS = ("validate-jwt", "validate-azure-ad-token")
# Elements whose children are policies that run only for some requests.
_CONDITIONAL = ("choose", "when", "otherwise")
# Elements whose children are policies that run (at least once) whenever the element runs.
_CONTAINERS = ("retry", "wait")


def effective_policy(
    scopes: Sequence[PolicyDocument | None], fragments: Mapping[str, PolicyDocument] | None = None
) -> EffectivePolicy:
    """Resolve `<base/>` across `scopes`, outermost first ([global, product, api, operation]).

    `fragments` are the service's policy fragments by lower-case id (`read_fragment`), when the
    scan declares them: an `<include-fragment>` runs the fragment's elements in its place. A fragment
    not among them (or None: fragments not looked up) makes the facts unknown.

    None is a scope without a policy: it inherits every section unchanged. A section a readable
    document does not have is treated the same way. An unknown or unreadable scope leaves the outer
    content in place and adds its reason to `unknown`, so callers treat missing facts as unknown;
    an inner scope whose inbound section leaves out `<base/>` makes the outer scopes (and what was
    unknown about them) irrelevant, so the answer is definite again.
    """
    merged: dict[str, tuple[PolicyElement, ...]] = {name: () for name in SECTIONS}
    # Why a section's outer content cannot be known, per section: a scope whose section leaves out
    # `<base/>` discards the outer content, and with it what made that content unknown.
    unknown: dict[str, list[str]] = {name: [] for name in SECTIONS}
    errors: list[str] = []
    # The documents whose inbound section is part of the result (see EffectivePolicy.documents).
    documents: list[PolicyDocument] = []
    for doc in scopes:
        if doc is None:
            continue
        if doc.unknown is not None:
            for name in SECTIONS:
                unknown[name].append(doc.unknown)
            continue
        if doc.error is not None:
            where = f" ({doc.span})" if doc.span is not None else ""
            errors.append(doc.error)
            for name in SECTIONS:
                unknown[name].append(f"policy could not be read{where}: {doc.error}")
            documents.append(doc)  # what it says is not known, but it is part of the path
            continue
        if "inbound" not in doc.sections and merged["inbound"]:
            # Whether the service treats a missing section as inheriting or as empty is not
            # documented; inheriting is assumed, and said so.
            where = f" at {doc.span}" if doc.span is not None else ""
            unknown["inbound"].append(
                f"policy{where} has no <inbound> section; assumed to inherit the outer scopes"
            )
        for name, section in doc.sections.items():
            out: list[PolicyElement] = []
            inherited = False
            for el in section.elements:
                if el.name != "base":
                    out.append(el)
                elif not inherited:
                    # The service allows one <base/> per section; expanding repeats would let a
                    # document of n bases grow the result to n^scopes elements.
                    out.extend(merged[name])
                    inherited = True
            merged[name] = tuple(out)
            if not inherited:
                unknown[name] = []
                if name == "inbound":
                    documents.clear()
        documents.append(doc)
    inbound = merged["inbound"]
    jwt: list[JwtValidation] = []
    rates: list[RateLimit] = []
    ips: list[IpFilter] = []
    certs: list[ClientCertValidation] = []
    for el, conditional in _walk(inbound, False, fragments, unknown["inbound"], documents):
        name = el.name
        if name in _JWT_KINDS:
            jwt.append(_jwt(el, conditional))
        elif name in _RATE_KINDS:
            rates.append(RateLimit(el, name, conditional))
        elif name == "ip-filter":
            ips.append(IpFilter(el, el.attrs.get("action", "").strip().lower(), conditional))
        elif name == "validate-client-certificate":
            certs.append(ClientCertValidation(el, conditional))
    return EffectivePolicy(
        inbound=inbound,
        unknown=tuple(dict.fromkeys(unknown["inbound"])),
        jwt=tuple(jwt),
        rate_limits=tuple(rates),
        ip_filters=tuple(ips),
        client_cert=tuple(certs),
        backend=merged["backend"],
        outbound=merged["outbound"],
        on_error=merged["on-error"],
        errors=tuple(errors),
        documents=tuple({id(d): d for d in documents}.values()),
    )


def _walk(
    elements: tuple[PolicyElement, ...],
    conditional: bool,
    fragments: Mapping[str, PolicyDocument] | None,
    unknown: list[str],
    included: list[PolicyDocument],
) -> Iterator[tuple[PolicyElement, bool]]:
    """Elements in document order, descending into `<choose>` (conditional), `<retry>`/`<wait>` and
    included fragments (each expanded once per conditional state: a fragment cannot include
    another, and a second inclusion adds no fact); each fragment expanded joins `included`."""
    stack: list[tuple[tuple[PolicyElement, ...], int, bool, bool]] = [(elements, 0, conditional, False)]
    expanded: set[tuple[str, bool]] = set()
    while stack:
        items, idx, cond, inside = stack.pop()
        if idx >= len(items):
            continue
        el = items[idx]
        stack.append((items, idx + 1, cond, inside))
        if el.name in _CONDITIONAL:
            stack.append((el.children, 0, True, inside))
        elif el.name in _CONTAINERS:
            stack.append((el.children, 0, cond, inside))
        elif el.name == "include-fragment":
            frag = el.attrs.get("fragment-id", "").strip()
            found = _fragment(frag, fragments, inside, unknown)
            if found is not None and (frag.lower(), cond) not in expanded:
                expanded.add((frag.lower(), cond))
                included.append(found)
                stack.append((found.root.children if found.root else (), 0, cond, True))
        else:
            yield el, cond


def _fragment(
    frag: str, fragments: Mapping[str, PolicyDocument] | None, inside: bool, unknown: list[str]
) -> PolicyDocument | None:
    """An included fragment (readable), or None with the reason added to `unknown`."""
    shown = frag or "?"
    if inside:
        unknown.append(f"fragment includes fragment '{shown}', which API Management does not allow")
        return None
    doc = (fragments or {}).get(frag.lower()) if frag else None
    if fragments is None:
        unknown.append(f"inbound policy includes fragment '{shown}', which is not read")
    elif doc is None:
        unknown.append(f"inbound policy includes fragment '{shown}', which the scanned files do not declare")
    elif doc.unknown is not None or doc.error is not None or doc.root is None:
        unknown.append(f"fragment '{shown}' cannot be read: {doc.unknown or doc.error}")
    else:
        return doc
    return None


def _jwt(el: PolicyElement, conditional: bool) -> JwtValidation:
    if el.name == "validate-azure-ad-token":
        # Entra ID keys come from the tenant's OpenID configuration; the tenant pins the issuer.
        audiences = _has_any(el, "audiences", "audience") or _has_any(
            el, "client-application-ids", "application-id"
        )
        return JwtValidation(
            element=el,
            kind=el.name,
            openid_config=True,
            symmetric_keys=False,
            audiences=audiences,
            issuers=bool(el.attrs.get("tenant-id", "").strip()),
            require_signed_tokens=None,
            conditional=conditional,
        )
    keys = el.child("issuer-signing-keys")
    symmetric = keys is not None and any(_is_symmetric(k) for k in keys.all("key"))
    return JwtValidation(
        element=el,
        kind=el.name,
        openid_config=any(bool(c.attrs.get("url", "").strip()) for c in el.all("openid-config")),
        symmetric_keys=symmetric,
        audiences=_has_any(el, "audiences", "audience"),
        issuers=_has_any(el, "issuers", "issuer"),
        require_signed_tokens=_bool_attr(el.attrs.get("require-signed-tokens")),
        conditional=conditional,
    )


def _is_symmetric(key: PolicyElement) -> bool:
    """A `<key>` whose body is the secret itself (base64), not a certificate or RSA modulus/exponent."""
    if any(a in key.attrs for a in ("certificate-id", "n", "e")):
        return False
    return bool(key.text)


def _has_any(el: PolicyElement, group: str, item: str) -> bool:
    return any(c.text or c.children for g in el.all(group) for c in g.all(item))


def _bool_attr(raw: str | None) -> bool | None:
    if raw is None:
        return None
    v = raw.strip().lower()
    if v in ("true", "false"):
        return v == "true"
    return None
