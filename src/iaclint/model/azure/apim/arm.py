"""API Management fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure import common
from iaclint.model.azure.apim import build
from iaclint.model.azure.apim.entities import (
    ApimBackend,
    ApimHostname,
    ApimOperation,
    ApimProduct,
    ApimWorkspace,
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


_SVC = "Microsoft.ApiManagement/service"
_WS = "Microsoft.ApiManagement/service/workspaces"


@reads("arm", _WS)
def _workspace(r: Resource, az: AzureModel) -> None:
    az.workspaces.append(ApimWorkspace(r, name(r), parent_name(r), name(r)))


def _in_workspace(r: Resource) -> bool:
    return r.type.lower().startswith(_WS.lower() + "/")


@reads("arm", f"{_SVC}/apis", f"{_WS}/apis")
def _api(r: Resource, az: AzureModel) -> None:
    p = props(r)
    ws = _in_workspace(r)
    api = build.api(
        r,
        name(r),
        parent_name(r, 2 if ws else 1),
        name(r),
        Setting(get(p, "protocols"), "properties.protocols"),
        Setting(get(p, "subscriptionRequired"), "properties.subscriptionRequired"),
        Setting(get(p, "serviceUrl"), "properties.serviceUrl"),
    )
    if ws:
        api.workspace_name, api.workspace_ref = parent_name(r), name(r)
    az.apis.append(api)


@reads("arm", f"{_SVC}/apis/operations", f"{_WS}/apis/operations")
def _operation(r: Resource, az: AzureModel) -> None:
    az.operations.append(ApimOperation(r, name(r), parent_name(r), name(r), get(props(r), "method")))


@reads("arm", f"{_SVC}/products", f"{_WS}/products")
def _product(r: Resource, az: AzureModel) -> None:
    sub = Setting(get(props(r), "subscriptionRequired"), "properties.subscriptionRequired")
    ws = _in_workspace(r)
    prod = ApimProduct(r, name(r), parent_name(r, 2 if ws else 1), name(r), sub)
    if ws:
        prod.workspace_name = parent_name(r)
    az.products.append(prod)


@reads("arm", f"{_SVC}/products/apis")
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


@reads("arm", f"{_SVC}/products/apiLinks", f"{_WS}/products/apiLinks")
def _product_api_link(r: Resource, az: AzureModel) -> None:
    # `svc/product/link` (or `svc/ws/product/link`): the API is `svc/api` (`svc/ws/api`).
    api_id = get(props(r), "apiId")
    last = common.last_segment(api_id)
    svc = parent_name(r, 2).as_str()
    api_name = Value.known(f"{svc}/{last}", api_id.span) if svc and last else api_id
    az.product_apis.append(ProductApiLink(r, parent_name(r), name(r), api_name, api_id))


@reads("arm", f"{_SVC}/backends", f"{_WS}/backends")
def _backend(r: Resource, az: AzureModel) -> None:
    p = props(r)
    az.backends.append(
        ApimBackend(
            r,
            parent_name(r, 2 if _in_workspace(r) else 1),
            name(r),
            Setting(get(p, "url"), "properties.url"),
            Setting(get(p, "tls", "validateCertificateChain"), "properties.tls.validateCertificateChain"),
            Setting(get(p, "tls", "validateCertificateName"), "properties.tls.validateCertificateName"),
        )
    )


@reads("arm", f"{_SVC}/policyFragments", f"{_WS}/policyFragments")
def _fragment(r: Resource, az: AzureModel) -> None:
    p, n = props(r), name(r)
    scope = "workspace-fragment" if _in_workspace(r) else "fragment"
    ref = build.policy(r, scope, get(p, "value"), get(p, "format"), parent_name(r), n, default_fmt="xml")
    tail = n.as_str() if n.is_known else n.known_suffix()
    last = tail.rsplit("/", 1)[-1] if tail and "/" in tail else None
    why = "the fragment id cannot be known"
    ref.fragment_id = Value.known(last, n.span) if last else Value.unknown(why, n.span)
    az.policies.append(ref)


def _policy(r: Resource, az: AzureModel, scope: str) -> None:
    p = props(r)
    az.policies.append(
        build.policy(r, scope, get(p, "value"), get(p, "format"), parent_name(r), name(r), default_fmt="xml")
    )


@reads("arm", f"{_SVC}/policies")
def _global_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "global")


@reads("arm", f"{_WS}/policies")
def _workspace_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "workspace")


@reads("arm", f"{_SVC}/products/policies", f"{_WS}/products/policies")
def _product_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "product")


@reads("arm", f"{_SVC}/apis/policies", f"{_WS}/apis/policies")
def _api_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "api")


@reads("arm", f"{_SVC}/apis/operations/policies", f"{_WS}/apis/operations/policies")
def _operation_policy(r: Resource, az: AzureModel) -> None:
    _policy(r, az, "operation")


@reads("arm", f"{_SVC}/gateways/hostnameConfigurations")
def _gateway_hostname(r: Resource, az: AzureModel) -> None:
    p = props(r)
    az.endpoints.append(
        build.gateway_hostname(
            r,
            Setting(get(p, "tls10Enabled"), "properties.tls10Enabled"),
            Setting(get(p, "tls11Enabled"), "properties.tls11Enabled"),
        )
    )
