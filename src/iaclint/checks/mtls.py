"""S2.1-S2.3: mutual TLS complete where configured, required where the organisation says so, and
not bypassed through a default endpoint. A stage's client certificate (the gateway's certificate
towards its backend) is never client mTLS: the model does not even read it."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.azure import effective as azure_effective
from iaclint.model.entities import Model
from iaclint.values import Value


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
            # The attribute in the endpoint's own language (`MutualTlsAuthentication` in
            # CloudFormation, `Domain.MutualTlsAuthentication` in SAM): an empty block is reported
            # where it is written, a missing one at the resource.
            attr = ep.mtls_attribute
            yield ctx.finding(
                ep.resource,
                ep.resource.body.path(*attr.split(".")),
                attr,
                label=ep.label,
                attr=attr,
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


# -- Azure: APIM client certificates need CA certificates and validate-client-certificate; an
# Application Gateway SSL profile that authenticates clients needs trusted client certificates.


def _ca_store(cert: Value) -> bool | None:
    """Whether a service certificate entry is a CA / root (ARM `storeName`, azurerm `store_name`)."""
    store = cert.get("storeName") if not cert.get("storeName").is_null else cert.get("store_name")
    if store.is_unknown:
        return None
    return (store.as_str() or "").lower() in ("root", "certificateauthority")


@check("IAC401")
def azure_mtls_complete(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for svc in model.azure.services:
        enabling = [s for s in [svc.client_cert, *(h.negotiate for h in svc.hostnames)] if s.flag() is True]
        if not enabling:
            continue
        on = enabling[0]
        certs = svc.ca_certificates.value
        stores = [_ca_store(c) for c in certs.elements()]
        if certs.is_unknown or (None in stores and True not in stores):
            yield ctx.finding(
                svc.resource,
                certs,
                svc.ca_certificates.attribute,
                unknown=True,
                message=f"{svc.label} asks for client certificates ({on.attribute}) but whether it has CA "
                f"certificates cannot be known: {svc.ca_certificates.attribute} is {certs.describe()}",
            )
        elif True not in stores:
            yield ctx.finding(
                svc.resource,
                on.value,
                on.attribute,
                message=f"{svc.label} asks for client certificates ({on.attribute} is {on.value.describe()}) "
                f"but has no CA certificate (store Root or CertificateAuthority) in "
                f"{svc.ca_certificates.attribute} to validate them against",
            )
        for api in svc.apis:
            for path in azure_effective.paths(api):
                pol = path.policy
                if any(not c.conditional for c in pol.client_cert):
                    continue
                where = azure_effective.policy_value(path)
                if pol.client_cert or pol.unknown:
                    why = "validate-client-certificate runs only inside <choose>" if pol.client_cert else (
                        "; ".join(pol.unknown)
                    )
                    yield ctx.finding(
                        path.resource,
                        where,
                        "policy",
                        unknown=True,
                        message=f"{path.label}: cannot tell whether client certificates are validated: {why}",
                    )
                    continue
                yield ctx.finding(
                    path.resource,
                    where,
                    "policy",
                    message=f"{path.label} is served by {svc.label}, which asks for client certificates, but "
                    "its effective policy has no validate-client-certificate: any certificate is accepted",
                )
    for gw in model.azure.app_gateways:
        for prof in gw.profiles:
            if prof.client_auth.value.is_null:
                continue
            trusted = prof.trusted_certs.value
            if trusted.is_unknown or trusted.elements():
                continue
            yield ctx.finding(
                gw.resource,
                prof.value,
                prof.trusted_certs.attribute,
                message=f"Azure Application Gateway {gw.resource.address} SSL profile {prof.name!r} "
                f"authenticates clients but has no trusted client certificates "
                f"({prof.trusted_certs.attribute} is {trusted.describe()})",
            )
