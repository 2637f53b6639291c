"""S4.1: the gateway reaches its backends over TLS with certificate verification on."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.azure import effective as azure_effective
from iaclint.model.azure.entities import PolicyRef
from iaclint.model.entities import Integration, Model, tls_label
from iaclint.policy import EffectivePolicy, PolicyElement
from iaclint.resources import Resource
from iaclint.values import Value

# Integration types whose URI is an HTTP(S) URL the gateway calls.
_HTTP_TYPES = ("HTTP", "HTTP_PROXY")


def _label(integ: Integration) -> str:
    return f"AWS API Gateway integration {integ.resource.address}"


def _https(uri: Value) -> bool:
    """The URL is https:// even if its host is unknown (`https://${Alb.DNSName}/x`)."""
    return uri.known_prefix().lower().startswith("https://")


@check("IAC701")
def backend_plain_http(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for integ in model.integrations:
        kind = integ.type.as_str()
        http_type = kind is not None and kind.upper() in _HTTP_TYPES
        uri = integ.uri
        # The scheme is known even when the host is not (`http://${Alb.DNSName}/x`).
        plain = uri.known_prefix().lower().startswith("http://")
        if http_type and plain:
            yield ctx.finding(
                integ.resource,
                uri,
                integ.uri_attribute,
                label=_label(integ),
                attr=integ.uri_attribute,
                uri=uri.describe() if uri.is_known else f'"{uri.known_prefix()}..."',
            )
        elif (http_type and uri.is_unknown and not _https(uri)) or (plain and integ.type.is_unknown):
            decider, attr = (uri, integ.uri_attribute) if uri.is_unknown else (integ.type, "type")
            yield ctx.finding(
                integ.resource,
                decider,
                attr,
                unknown=True,
                message=f"{_label(integ)}: cannot tell whether the backend is reached over TLS: "
                f"{attr} is {decider.describe()}",
            )


@check("IAC702")
def backend_tls_verification_disabled(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for integ in model.integrations:
        skip = integ.skip_verification
        if skip.is_null or skip.as_bool() is False:
            continue
        yield ctx.finding(
            integ.resource,
            skip,
            integ.skip_attribute,
            unknown=skip.as_bool() is None,
            label=_label(integ),
            attr=integ.skip_attribute,
            setting=skip.describe(),
        )


# -- Azure API Management backends and the service's backend protocol switches.


@check("IAC701")
def azure_backend_plain_http(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    targets = [(b.resource, b.label, b.url) for b in model.azure.backends]
    targets += [(a.resource, a.label, a.service_url) for a in model.azure.apis]
    for resource, label, url in targets:
        v = url.value
        if v.is_unknown:
            yield ctx.finding(
                resource,
                v,
                url.attribute,
                unknown=True,
                message=f"{label}: cannot tell whether the backend is called over TLS: "
                f"{url.attribute} is {v.describe()}",
            )
        elif (v.as_str() or "").lower().startswith("http://"):
            yield ctx.finding(
                resource,
                v,
                url.attribute,
                message=f"{label} calls its backend over plain HTTP ({url.attribute} is {v.describe()})",
            )


@check("IAC702")
def azure_backend_verification(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for b in model.azure.backends:
        for s in (b.validate_chain, b.validate_name):
            flag = s.flag()
            if flag is False:
                yield ctx.finding(
                    b.resource,
                    s.value,
                    s.attribute,
                    message=f"{b.label} skips verification of the backend's certificate "
                    f"({s.attribute} is {s.value.describe()})",
                )
            elif s.value.is_unknown:
                yield ctx.finding(
                    b.resource,
                    s.value,
                    s.attribute,
                    unknown=True,
                    message=f"{b.label}: cannot tell whether the backend's certificate is verified: "
                    f"{s.attribute} is {s.value.describe()}",
                )


@check("IAC703")
def azure_backend_legacy_protocols(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for svc in model.azure.services:
        for version in ("ssl3", "1.0", "1.1"):
            s = svc.backend.get(version)
            if s is None:
                continue
            flag = s.flag()
            if flag is True or (flag is None and s.value.is_unknown):
                yield ctx.finding(
                    svc.resource,
                    s.value,
                    s.attribute,
                    unknown=flag is None,
                    message=(
                        f"{svc.label} lets the gateway talk {tls_label(version)} to its backends "
                        f"({s.attribute} is {s.value.describe()})"
                        if flag
                        else f"{svc.label}: cannot tell whether {tls_label(version)} is enabled towards "
                        f"backends: {s.attribute} is {s.value.describe()}"
                    ),
                )


def _policy_elements(elements: tuple[PolicyElement, ...]) -> Iterator[PolicyElement]:
    """Every element, nested ones included (`<choose>`, `<when>`, `<retry>`...): a plain-HTTP backend
    chosen for some requests only still sends them in clear text."""
    stack = list(reversed(elements))
    while stack:
        el = stack.pop()
        yield el
        stack.extend(reversed(el.children))


@check("IAC701")
def azure_policy_backend_plain_http(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    """`<set-backend-service base-url="http://...">` in any section of an effective policy."""
    # Which scope an element came from, so the finding names the service, product, API or operation
    # whose policy holds it (a global policy's element shows up in the effective policy of every
    # API), the same logical resource whether the policy is a block or a resource of its own.
    az = model.azure
    # Element → the document it is in. One document may be held by several scopes (a `for_each` of
    # policies sharing one text is read once), so the owner is decided per path: the scope on that
    # path holding the document.
    doc_of: dict[int, int] = {}
    for ref in az.policies:
        doc = azure_effective.document(ref)
        if ref.same_as is None:
            for section in doc.sections.values():
                for el in _policy_elements(section.elements):
                    doc_of.setdefault(id(el), id(doc))
    seen: set[tuple[int, int]] = set()
    setters: dict[int, list[PolicyElement]] = {}
    for api in az.apis:
        for path in azure_effective.paths(api):
            holders: dict[int, Resource] = {}
            for resource, refs in _path_scopes(path):
                for ref in refs:
                    holders.setdefault(id(azure_effective.document(ref)), resource)
            for el in _backend_setters(path.policy, setters):
                resource = holders.get(doc_of.get(id(el), 0), path.resource)
                if (id(el), id(resource)) in seen:
                    continue
                seen.add((id(el), id(resource)))
                url = el.attrs.get("base-url")
                if url is None:
                    continue  # backend-id: a declared backend, checked on its own
                at = Value.known(url, el.span) if el.span else azure_effective.policy_value(path)
                text = url.strip()
                if text.lower().startswith("http://"):
                    yield ctx.finding(
                        resource, at, "set-backend-service.base-url",
                        message=f"{path.label}: its policy sends requests to a plain-HTTP backend "
                        f'(<set-backend-service base-url="{text}">)',
                    )  # fmt: skip
                elif text.startswith("@") or "{{" in text:
                    # A policy expression or named value: resolved by the service at run time.
                    yield ctx.finding(
                        resource, at, "set-backend-service.base-url", unknown=True,
                        message=f"{path.label}: cannot tell whether the backend set by its policy is "
                        f'reached over TLS: base-url is "{text}", resolved at run time',
                    )  # fmt: skip


def _backend_setters(pol: EffectivePolicy, memo: dict[int, list[PolicyElement]]) -> list[PolicyElement]:
    """The `<set-backend-service>` elements of an effective policy, found once per policy (many APIs
    share one)."""
    found = memo.get(id(pol))
    if found is None:
        every = _policy_elements(pol.inbound + pol.backend + pol.outbound + pol.on_error)
        found = memo[id(pol)] = [el for el in every if el.name == "set-backend-service"]
    return found


def _path_scopes(path: azure_effective.PolicyPath) -> list[tuple[Resource, list[PolicyRef]]]:
    """The scopes on an effective policy path, outermost first, with the policies each holds."""
    api = path.api
    out: list[tuple[Resource, list[PolicyRef]]] = []
    if api.service is not None:
        out.append((api.service.resource, api.service.policies))
    out += [(p.resource, p.policies) for p in api.products if p.resource.address == path.product]
    out.append((api.resource, api.policies))
    if path.operation is not None:
        out.append((path.operation.resource, path.operation.policies))
    return out
