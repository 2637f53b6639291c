"""Azure entities: API Management (service, APIs, operations, products, backends, policies),
Application Gateways, Front Door (classic and Standard/Premium) and WAF policies.

Adapters (`from_arm.py` for ARM and Bicep, `from_azurerm.py` for Terraform azurerm) fill these
with the same meaning whatever the language; `links.py` connects them. Client-facing TLS endpoints
also go into the cloud-neutral `Model.endpoints`, so the TLS and HTTPS checks serve both clouds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from iaclint.model.entities import Endpoint, WafRule
from iaclint.resources import Resource
from iaclint.values import Value


@dataclass(frozen=True, slots=True)
class Setting:
    """A value with the attribute path it came from, in the source language's terms."""

    value: Value
    attribute: str

    def flag(self) -> bool | None:
        """A boolean setting: booleans and the strings "True"/"False" (ARM customProperties)."""
        return self.value.as_bool()


def absent(attribute: str) -> Setting:
    return Setting(Value.absent(), attribute)


@dataclass(frozen=True, slots=True)
class ApimHostname:
    value: Value
    host: Value
    negotiate: Setting


@dataclass(frozen=True, slots=True)
class Cipher:
    """A cipher suite setting the platform lets you turn off, and the suite it names."""

    suite: str
    setting: Setting


@dataclass(eq=False, slots=True)
class PolicyRef:
    """An APIM policy document at one scope, before and after reading."""

    resource: Resource
    scope: str  # global | product | api | operation
    text: Value
    fmt: str  # xml | rawxml | xml-link | rawxml-link; "" when the format cannot be known
    # Raw reference to the owner (service, product, API or operation), by ARM name or refs.
    owner_name: Value = field(default_factory=Value.absent)
    owner_ref: Value = field(default_factory=Value.absent)
    document: Any = None  # policy.PolicyDocument once read (links.py reads it lazily)
    # Another reference to the same text at the same place (a `for_each` of policies sharing one
    # document): read once, through that one.
    same_as: PolicyRef | None = None


@dataclass(eq=False, slots=True)
class ApimService:
    resource: Resource
    name: Value
    endpoint: Endpoint
    # "1.0", "1.1", "ssl3" → the setting that enables it (absent: off, the post-2018 default).
    frontend: dict[str, Setting]
    backend: dict[str, Setting]
    ciphers: list[Cipher]
    client_cert: Setting
    hostnames: list[ApimHostname]
    # CA certificates given to the service (the truststore for client certificates).
    ca_certificates: Setting
    vnet_type: Setting
    # Linked.
    apis: list[ApimApi] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    backends: list[ApimBackend] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    fronts: list[Front] = field(default_factory=list)
    # Fronts whose backend target cannot be known but may be this service.
    possible_fronts: list[Front] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"Azure API Management service {self.resource.address}"

    def internal(self) -> bool | None:
        """Reachable only inside its virtual network (S5.1 / S5.4 exemption)."""
        v = self.vnet_type.value
        if v.is_unknown:
            return None
        return (v.as_str() or "None").lower() == "internal"


@dataclass(eq=False, slots=True)
class ApimApi:
    resource: Resource
    name: Value
    service_name: Value
    service_ref: Value
    protocols: Setting
    subscription_required: Setting
    service_url: Setting
    # Linked.
    service: ApimService | None = None
    operations: list[ApimOperation] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    # Its effective policies (effective.PolicyPath), worked out once when the scope is linked.
    policy_paths: list[Any] | None = None

    @property
    def label(self) -> str:
        return f"Azure API Management API {self.resource.address}"


@dataclass(eq=False, slots=True)
class ApimOperation:
    resource: Resource
    name: Value
    api_name: Value
    api_ref: Value
    method: Value
    api: ApimApi | None = None
    policies: list[PolicyRef] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class ApimProduct:
    resource: Resource
    name: Value
    service_name: Value
    service_ref: Value
    subscription_required: Setting
    service: ApimService | None = None
    policies: list[PolicyRef] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class ProductApiLink:
    """An API in a product (`service/products/apis`, `azurerm_api_management_product_api`)."""

    resource: Resource
    product_name: Value
    product_ref: Value
    api_name: Value
    api_ref: Value


@dataclass(eq=False, slots=True)
class ApimBackend:
    resource: Resource
    service_name: Value
    service_ref: Value
    url: Setting
    validate_chain: Setting
    validate_name: Setting
    service: ApimService | None = None

    @property
    def label(self) -> str:
        return f"Azure API Management backend {self.resource.address}"


@dataclass(eq=False, slots=True)
class WafPolicy:
    resource: Resource
    kind: str  # "Application Gateway" | "Front Door"
    mode: Setting
    # Absent or unknown reads as the platform default below.
    default_mode: str
    enabled: Setting
    rules: list[WafRule]
    rules_unknown: Value | None = None

    @property
    def label(self) -> str:
        return f"Azure {self.kind} WAF policy {self.resource.address}"

    def detection_only(self) -> bool | None:
        v = self.mode.value
        if v.is_unknown:
            return None
        text = v.as_str() if not v.is_null else self.default_mode
        return (text or "").lower() == "detection"


@dataclass(eq=False, slots=True)
class Front:
    """Something in front of APIM that can carry a WAF: an Application Gateway or a Front Door
    (classic, or a Standard/Premium profile)."""

    resource: Resource
    kind: str  # "Application Gateway" | "Front Door" | "Front Door (classic)"
    # Inline WAF (App Gateway `webApplicationFirewallConfiguration`): enabled and mode.
    inline_enabled: Setting | None = None
    inline_mode: Setting | None = None
    # References to WAF policies (App Gateway `firewallPolicy`, Front Door security policies).
    policy_refs: list[Value] = field(default_factory=list)
    # Backend / origin host names or references (the APIM gateway behind it).
    targets: list[Value] = field(default_factory=list)
    # Linked.
    waf_policies: list[WafPolicy] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"Azure {self.kind} {self.resource.address}"


@dataclass(frozen=True, slots=True)
class SslProfile:
    """An Application Gateway SSL profile; mTLS when it has client authentication configured."""

    value: Value
    name: str
    trusted_certs: Setting
    client_auth: Setting


@dataclass(eq=False, slots=True)
class AppGateway:
    resource: Resource
    endpoint: Endpoint
    front: Front
    profiles: list[SslProfile]
    # Custom cipher suites configured in the SSL policy (S1.4).
    ciphers: list[Cipher]


@dataclass(eq=False, slots=True)
class FrontDoorPart:
    """A Front Door Standard/Premium child that adds to its profile's `Front`: a security policy's
    WAF policy reference (role "waf") or an origin's host name (role "target")."""

    resource: Resource
    profile_name: Value
    profile_ref: Value
    role: str
    value: Value


@dataclass(eq=False, slots=True)
class ApimCustomDomain:
    """Host names declared apart from their service (`azurerm_api_management_custom_domain`); linked
    into the service's `hostnames`, as if written in its `hostname_configuration`."""

    resource: Resource
    service_ref: Value
    hostnames: list[ApimHostname]


@dataclass(slots=True)
class AzureModel:
    services: list[ApimService] = field(default_factory=list)
    apis: list[ApimApi] = field(default_factory=list)
    operations: list[ApimOperation] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    product_apis: list[ProductApiLink] = field(default_factory=list)
    backends: list[ApimBackend] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    waf_policies: list[WafPolicy] = field(default_factory=list)
    fronts: list[Front] = field(default_factory=list)
    app_gateways: list[AppGateway] = field(default_factory=list)
    # Front Door Standard/Premium children linked to their profile's Front.
    fd_parts: list[FrontDoorPart] = field(default_factory=list)
    custom_domains: list[ApimCustomDomain] = field(default_factory=list)

    def extend(self, other: AzureModel) -> None:
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))
