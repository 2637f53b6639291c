"""S4.1: the gateway reaches its backends over TLS with certificate verification on."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import Integration, Model

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
