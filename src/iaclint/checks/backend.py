"""S4.1: the gateway reaches its backends over TLS with certificate verification on."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import Integration, Model, tls_label

# Integration types whose URI is an HTTP(S) URL the gateway calls.
_HTTP_TYPES = ("HTTP", "HTTP_PROXY")


def _label(integ: Integration) -> str:
    return f"AWS API Gateway integration {integ.resource.address}"


@check("IAC701")
def backend_plain_http(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for integ in model.integrations:
        kind = integ.type.as_str()
        http_type = kind is not None and kind.upper() in _HTTP_TYPES
        uri = integ.uri
        plain = (uri.as_str() or "").lower().startswith("http://")
        if http_type and plain:
            yield ctx.finding(
                integ.resource,
                uri,
                integ.uri_attribute,
                label=_label(integ),
                attr=integ.uri_attribute,
                uri=uri.describe(),
            )
        elif (http_type and uri.is_unknown) or (plain and integ.type.is_unknown):
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
