"""API Management fields of Terraform azurerm resources. Child resources name their owner by name
attributes (`api_management_name`, `api_name`), which are references to the owner when written as
`azurerm_api_management.x.name`; `apim/links.py` tries both."""

from __future__ import annotations

from iaclint.model.azure.apim import build
from iaclint.model.azure.apim.entities import (
    ApimBackend,
    ApimCustomDomain,
    ApimHostname,
    ApimOperation,
    ApimProduct,
    ApimWorkspace,
    ProductApiLink,
)
from iaclint.model.azure.common import Cipher
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

# `security` block switches, current and deprecated names.
_FRONTEND = {
    "frontend_ssl30_enabled": "ssl3", "enable_frontend_ssl30": "ssl3",
    "frontend_tls10_enabled": "1.0", "enable_frontend_tls10": "1.0",
    "frontend_tls11_enabled": "1.1", "enable_frontend_tls11": "1.1",
}  # fmt: skip
_BACKEND = {
    "backend_ssl30_enabled": "ssl3", "enable_backend_ssl30": "ssl3",
    "backend_tls10_enabled": "1.0", "enable_backend_tls10": "1.0",
    "backend_tls11_enabled": "1.1", "enable_backend_tls11": "1.1",
}  # fmt: skip
# `hostname_configuration` blocks; an `azurerm_api_management_custom_domain` calls the gateway one
# `gateway` instead of `proxy`.
_HOST_KINDS = ("proxy", "management", "portal", "developer_portal", "scm")
_DOMAIN_KINDS = ("gateway", "management", "portal", "developer_portal", "scm")


def _join(*parts: Value) -> Value:
    """`svc/api` from name attributes when all are known; else the last part (its refs link)."""
    texts = [p.as_str() for p in parts]
    if all(texts):
        refs = tuple(r for p in parts for r in p.refs)
        return Value.known("/".join(t for t in texts if t), parts[-1].span, refs)
    return parts[-1]


def _hostnames(block: Value, prefix: str, kinds: tuple[str, ...]) -> list[ApimHostname]:
    out: list[ApimHostname] = []
    for kind in kinds:
        for i, h in enumerate(block.get(kind).elements()):
            attr = f"{prefix}{kind}[{i}].negotiate_client_certificate"
            out.append(
                ApimHostname(h, h.get("host_name"), Setting(h.get("negotiate_client_certificate"), attr))
            )
    return out


def _xml(r: Resource, az: AzureModel, scope: str, body: Value, owner_name: Value, owner_ref: Value) -> None:
    link = body.get("xml_link")
    if not link.is_null:
        fmt, text = Value.known("xml-link"), link
    else:
        # xml_content is raw XML (heredoc or file()), the same as ARM's rawxml.
        fmt, text = Value.known("rawxml"), body.get("xml_content")
    az.policies.append(build.policy(r, scope, text, fmt, owner_name, owner_ref, default_fmt="rawxml"))


@reads("azurerm", "azurerm_api_management")
def _service(r: Resource, az: AzureModel) -> None:
    b = r.body
    sec = b.first("security")
    frontend: dict[str, Setting] = {}
    backend: dict[str, Setting] = {}
    ciphers: list[Cipher] = []
    for key, v in sec.items():
        s = Setting(v, f"security.{key}")
        if key in _FRONTEND:
            if not (v.is_null and _FRONTEND[key] in frontend):
                frontend[_FRONTEND[key]] = s
        elif key in _BACKEND:
            backend[_BACKEND[key]] = s
        elif key.endswith("_ciphers_enabled") or key == "enable_triple_des_ciphers":
            ciphers.append(Cipher(key.removesuffix("_ciphers_enabled").removeprefix("enable_"), s))
    az.services.append(
        build.service(
            r,
            b.get("name"),
            Setting(sec, "security"),
            frontend,
            backend,
            ciphers,
            client_cert=Setting(b.get("client_certificate_enabled"), "client_certificate_enabled"),
            hostnames=_hostnames(b.first("hostname_configuration"), "hostname_configuration.", _HOST_KINDS),
            ca_certificates=Setting(b.get("certificate"), "certificate"),
            vnet_type=Setting(b.get("virtual_network_type"), "virtual_network_type"),
            sku=Setting(b.get("sku_name"), "sku_name"),
        )
    )
    pol = b.first("policy")
    if not pol.is_null:
        _xml(r, az, "global", pol, Value.absent(), Value.known("", r.span, (r.address,)))


@reads("azurerm", "azurerm_api_management_custom_domain")
def _custom_domain(r: Resource, az: AzureModel) -> None:
    hostnames = _hostnames(r.body, "", _DOMAIN_KINDS)
    az.custom_domains.append(ApimCustomDomain(r, r.body.get("api_management_id"), hostnames))


@reads("azurerm", "azurerm_api_management_api")
def _api(r: Resource, az: AzureModel) -> None:
    b = r.body
    svc = b.get("api_management_name")
    az.apis.append(
        build.api(
            r,
            _join(svc, b.get("name")),
            svc,
            svc,
            Setting(b.get("protocols"), "protocols"),
            Setting(b.get("subscription_required"), "subscription_required"),
            Setting(b.get("service_url"), "service_url"),
        )
    )


@reads("azurerm", "azurerm_api_management_api_operation")
def _operation(r: Resource, az: AzureModel) -> None:
    b = r.body
    svc, api = b.get("api_management_name"), b.get("api_name")
    az.operations.append(
        ApimOperation(r, _join(svc, api, b.get("operation_id")), _join(svc, api), api, b.get("method"))
    )


@reads("azurerm", "azurerm_api_management_product")
def _product(r: Resource, az: AzureModel) -> None:
    b = r.body
    svc = b.get("api_management_name")
    sub = Setting(b.get("subscription_required"), "subscription_required")
    az.products.append(ApimProduct(r, _join(svc, b.get("product_id")), svc, svc, sub))


@reads("azurerm", "azurerm_api_management_product_api")
def _product_api(r: Resource, az: AzureModel) -> None:
    b = r.body
    svc, product, api = b.get("api_management_name"), b.get("product_id"), b.get("api_name")
    az.product_apis.append(ProductApiLink(r, _join(svc, product), product, _join(svc, api), api))


@reads("azurerm", "azurerm_api_management_backend")
def _backend(r: Resource, az: AzureModel) -> None:
    b = r.body
    t = b.first("tls")
    svc = b.get("api_management_name")
    az.backends.append(
        ApimBackend(
            r, svc, svc,
            Setting(b.get("url"), "url"),
            Setting(t.get("validate_certificate_chain"), "tls.validate_certificate_chain"),
            Setting(t.get("validate_certificate_name"), "tls.validate_certificate_name"),
        )
    )  # fmt: skip


@reads("azurerm", "azurerm_api_management_policy")
def _global_policy(r: Resource, az: AzureModel) -> None:
    owner = r.body.get("api_management_id")
    _xml(r, az, "global", r.body, owner, owner)


@reads("azurerm", "azurerm_api_management_policy_fragment")
def _fragment(r: Resource, az: AzureModel) -> None:
    b = r.body
    owner = b.get("api_management_id")
    # `format` is xml (the default) or rawxml, as in ARM.
    ref = build.policy(r, "fragment", b.get("value"), b.get("format"), owner, owner, default_fmt="xml")
    ref.fragment_id = b.get("name")
    az.policies.append(ref)


@reads("azurerm", "azurerm_api_management_workspace")
def _workspace(r: Resource, az: AzureModel) -> None:
    svc = r.body.get("api_management_id")
    az.workspaces.append(ApimWorkspace(r, r.body.get("name"), svc, svc))


@reads("azurerm", "azurerm_api_management_workspace_policy")
def _workspace_policy(r: Resource, az: AzureModel) -> None:
    owner = r.body.get("api_management_workspace_id")
    _xml(r, az, "workspace", r.body, owner, owner)


@reads("azurerm", "azurerm_api_management_workspace_policy_fragment")
def _workspace_fragment(r: Resource, az: AzureModel) -> None:
    b = r.body
    owner = b.get("api_management_workspace_id")
    # `xml_format` is xml (the default) or rawxml, as in ARM.
    ref = build.policy(
        r, "workspace-fragment", b.get("xml_content"), b.get("xml_format"), owner, owner, default_fmt="xml"
    )
    ref.fragment_id = b.get("name")
    az.policies.append(ref)


@reads("azurerm", "azurerm_api_management_product_policy")
def _product_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    product = b.get("product_id")
    _xml(r, az, "product", b, _join(b.get("api_management_name"), product), product)


@reads("azurerm", "azurerm_api_management_api_policy")
def _api_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    api = b.get("api_name")
    _xml(r, az, "api", b, _join(b.get("api_management_name"), api), api)


@reads("azurerm", "azurerm_api_management_api_operation_policy")
def _operation_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    owner = _join(b.get("api_management_name"), b.get("api_name"), b.get("operation_id"))
    _xml(r, az, "operation", b, owner, Value.absent())


@reads("azurerm", "azurerm_api_management_gateway_host_name_configuration")
def _gateway_hostname(r: Resource, az: AzureModel) -> None:
    b = r.body
    tls10 = Setting(b.get("tls10_enabled"), "tls10_enabled")
    tls11 = Setting(b.get("tls11_enabled"), "tls11_enabled")
    az.endpoints.append(build.gateway_hostname(r, tls10, tls11))
