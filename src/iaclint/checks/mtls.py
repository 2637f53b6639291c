"""S2.1-S2.3: mutual TLS complete where configured, required where the organisation says so, and
not bypassed through a default endpoint. A stage's client certificate (the gateway's certificate
towards its backend) is never client mTLS: the model does not even read it."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import Model


@check("IAC401")
def mtls_truststore(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for ep in model.endpoints:
        m = ep.mtls
        if m is None:
            continue
        uri = m.truststore
        if uri.is_unknown:
            yield ctx.finding(
                ep.resource,
                uri,
                m.truststore_attribute,
                unknown=True,
                message=f"{ep.label}: cannot tell whether mutual TLS has a truststore: "
                f"{m.truststore_attribute} is {uri.describe()}",
            )
            continue
        text = uri.as_str()
        if text and text.startswith("s3://") and len(text) > len("s3://"):
            continue
        problem = "is not set" if not text else f"is {uri.describe()}, not an s3:// URI of a truststore"
        yield ctx.finding(
            ep.resource,
            uri,
            m.truststore_attribute,
            label=ep.label,
            attr=m.truststore_attribute,
            problem=problem,
        )


@check("IAC402")
def mtls_truststore_version(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for ep in model.endpoints:
        m = ep.mtls
        if m is None or not m.version.is_null:
            continue
        if not (m.truststore.as_str() or "").startswith("s3://"):
            continue  # IAC401 reports a missing or unknown truststore
        yield ctx.finding(
            ep.resource, m.version, m.version_attribute, label=ep.label, attr=m.version_attribute
        )


@check("IAC403")
def mtls_required(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for ep in model.endpoints:
        if ep.custom_domain and ep.mtls is None:
            yield ctx.finding(
                ep.resource,
                ep.resource.body.get("mutual_tls_authentication"),
                "mutual_tls_authentication",
                label=ep.label,
            )


@check("IAC501")
def default_endpoint_with_mtls(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for api in model.apis:
        mtls_domains = [d for d in api.domains if d.mtls is not None]
        if not mtls_domains:
            continue
        disabled = api.default_endpoint_disabled
        if disabled.as_bool() is True:
            continue
        names = ", ".join(d.address for d in mtls_domains)
        yield ctx.finding(
            api.resource,
            disabled,
            api.default_endpoint_attribute,
            unknown=disabled.is_unknown,
            label=api.label,
            domains=names,
            attr=api.default_endpoint_attribute,
            setting=disabled.describe(),
        )
