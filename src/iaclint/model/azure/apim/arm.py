"""API Management fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure import common
from iaclint.model.azure.apim import build
from iaclint.model.azure.apim.entities import (
    ApimBackend,
    ApimHostname,
    ApimOperation,
    ApimProduct,
    ProductApiLink,
)
from iaclint.model.azure.armfields import get, name, parent_name, props
from iaclint.model.azure.common import Cipher
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

PREFIX = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
# `customProperties` keys after PREFIX (lower case) → protocol.
_FRONTEND = {"protocols.ssl30": "ssl3", "protocols.tls10": "1.0", "protocols.tls11": "1.1"}
_BACKEND = {
    "backend.protocols.ssl30": "ssl3",
    "backend.protocols.tls10": "1.0",
    "backend.protocols.tls11": "1.1",
}
_CUSTOM = "properties.customProperties"


@reads("arm", "Microsoft.ApiManagement/service")
def _service(r: Resource, az: AzureModel) -> None:
    p = props(r)
    cp = get(p, "customProperties")
    frontend: dict[str, Setting] = {}
    backend: dict[str, Setting] = {}
    ciphers: list[Cipher] = []
    for key, v in cp.items():
        if not key.lower().startswith(PREFIX.lower()):
            continue
        rest = key[len(PREFIX) :]
        s = Setting(v, f"{_CUSTOM}['{key}']")
        low = rest.lower()
        if low in _FRONTEND:
            frontend[_FRONTEND[low]] = s
        elif low in _BACKEND:
            backend[_BACKEND[low]] = s
        elif low.startswith("ciphers."):
            ciphers.append(Cipher(rest[len("ciphers.") :], s))
    hostnames = [
        ApimHostname(
            h,
            get(h, "hostName"),
            Setting(
                get(h, "negotiateClientCertificate"),
                f"properties.hostnameConfigurations[{i}].negotiateClientCertificate",
            ),
        )
        for i, h in enumerate(get(p, "hostnameConfigurations").elements())
    ]
    az.services.append(
        build.service(
            r,
            name(r),
            Setting(cp, _CUSTOM),
            frontend,
            backend,
            ciphers,
            client_cert=Setting(get(p, "enableClientCertificate"), "properties.enableClientCertificate"),
            hostnames=hostnames,
            ca_certificates=Setting(get(p, "certificates"), "properties.certificates"),
            vnet_type=Setting(get(p, "virtualNetworkType"), "properties.virtualNetworkType"),
            sku=Setting(get(r.body, "sku", "name"), "sku.name"),
        )
    )


@reads("arm", "Microsoft.ApiManagement/service/apis")
def _api(r: Resource, az: AzureModel) -> None:
    p = props(r)
    az.apis.append(
        build.api(
            r,
            name(r),
            parent_name(r),
            name(r),
            Setting(get(p, "protocols"), "properties.protocols"),
            Setting(get(p, "subscriptionRequired"), "properties.subscriptionRequired"),
            Setting(get(p, "serviceUrl"), "properties.serviceUrl"),
        )
    )


@reads("arm", "Microsoft.ApiManagement/service/apis/operations")
def _operation(r: Resource, az: AzureModel) -> None:
    az.operations.append(ApimOperation(r, name(r), parent_name(r), name(r), get(props(r), "method")))


@reads("arm", "Microsoft.ApiManagement/service/products")
def _product(r: Resource, az: AzureModel) -> None:
    sub = Setting(get(props(r), "subscriptionRequired"), "properties.subscriptionRequired")
    az.products.append(ApimProduct(r, name(r), parent_name(r), name(r), sub))


@reads("arm", "Microsoft.ApiManagement/service/products/apis")
def _product_api(r: Resource, az: AzureModel) -> None:
    # Named `svc/product/api`: the API is `svc/api`.
    n = name(r)
    text = n.as_str()
    api_name = (
        Value.known("/".join(text.split("/")[:1] + text.split("/")[2:]), n.span)
        if text and text.count("/") == 2
        else Value.unknown("the API name cannot be known", n.span, n.refs)
    )
    az.product_apis.append(ProductApiLink(r, parent_name(r), n, api_name, n))


@reads("arm", "Microsoft.ApiManagement/service/products/apiLinks")
def _product_api_link(r: Resource, az: AzureModel) -> None:
    api_id = get(props(r), "apiId")
    last = common.last_segment(api_id)
    svc = parent_name(r, 2).as_str()
    api_name = Value.known(f"{svc}/{last}", api_id.span) if svc and last else api_id
    az.product_apis.append(ProductApiLink(r, parent_name(r), name(r), api_name, api_id))


@reads("arm", "Microsoft.ApiManagement/service/backends")
def _backend(r: Resource, az: AzureModel) -> None:
    p = props(r)
    az.backends.append(
        ApimBackend(
            r,
            parent_name(r),
            name(r),
            Setting(get(p, "url"), "properties.url"),
            Setting(get(p, "tls", "validateCertificateChain"), "properties.tls.validateCertificateChain"),
            Setting(get(p, "tls", "validateCertificateName"), "properties.tls.validateCertificateName"),
        )
    )


def _policy(r: Resource, az: AzureModel, scope: str) -> None:
    p = props(r)
    az.policies.append(
        build.policy(r, scope, get(p, "value"), get(p, "format"), parent_name(r), name(r), default_fmt="xml")
    )


@reads("arm", "Microsoft.ApiManagement/service/policyFragments")
def _fragment(r: Resource, az: AzureModel) -> None:
    p, n = props(r), name(r)
    ref = build.policy(r, "fragment", get(p, "value"), get(p, "format"), parent_name(r), n, default_fmt="xml")
    tail = n.as_str() if n.is_known else n.known_suffix()
    last = tail.rsplit("/", 1)[-1] if tail and "/" in tail else None
    why = "the fragment id cannot be known"
    ref.fragment_id = Value.known(last, n.span) if last else Value.unknown(why, n.span)
    az.policies.append(ref)


@reads("arm", "Microsoft.ApiManagement/service/policies")
def _global_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "global")


@reads("arm", "Microsoft.ApiManagement/service/products/policies")
def _product_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "product")


@reads("arm", "Microsoft.ApiManagement/service/apis/policies")
def _api_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "api")


@reads("arm", "Microsoft.ApiManagement/service/apis/operations/policies")
def _operation_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "operation")
