"""API Management as the platform has it: the service with its APIs, operations, products,
backends and policies (at every scope), linked by `apim/links.py`."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Any

from iaclint.model.azure.common import Cipher, TlsEndpoint
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

if TYPE_CHECKING:
    from iaclint.model.azure.waf.entities import Front


@record(frozen=True)
class ApimHostname:
    """A custom host name of an API Management service, with its TLS negotiation setting."""

    value: Value
    host: Value
    negotiate: Setting


@record(eq=False)
class PolicyRef:
    """An APIM policy document at one scope, before and after reading."""

    resource: Resource
    scope: str  # global | workspace | product | api | operation | fragment
    text: Value
    fmt: str  # xml | rawxml | xml-link | rawxml-link; "" when the format cannot be known
    # Raw reference to the owner (service, product, API or operation), by ARM name or refs.
    owner_name: Value = field(default_factory=Value.absent)
    owner_ref: Value = field(default_factory=Value.absent)
    document: Any = None  # policy.PolicyDocument once read (effective.py reads it lazily)
    # Another reference to the same text at the same place (a `for_each` of policies sharing one
    # document): read once, through that one.
    same_as: PolicyRef | None = None
    # A fragment's id (what `<include-fragment fragment-id>` names).
    fragment_id: Value = field(default_factory=Value.absent)


@record(eq=False)
class ApimService:
    """An API Management service: protocols and ciphers, client certificates, host names, network."""

    resource: Resource
    name: Value
    endpoint: TlsEndpoint
    # "1.0", "1.1", "ssl3" → the setting that enables it (absent: off, the post-2018 default).
    frontend: dict[str, Setting]
    backend: dict[str, Setting]
    ciphers: list[Cipher]
    client_cert: Setting
    hostnames: list[ApimHostname]
    # CA certificates given to the service (the truststore for client certificates).
    ca_certificates: Setting
    vnet_type: Setting
    # The pricing tier (`Consumption`, `Developer`...; azurerm `Consumption_0`).
    sku: Setting = field(default_factory=lambda: Setting.absent("sku"))
    # Linked.
    apis: list[ApimApi] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    backends: list[ApimBackend] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    # Policy fragments (scope "fragment") the scan declares for it.
    fragments: list[PolicyRef] = field(default_factory=list)
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

    def consumption(self) -> bool | None:
        """On the Consumption tier (which holds no CA certificates)."""
        v = self.sku.value
        if v.is_unknown:
            return None
        return (v.as_str() or "").split("_", 1)[0].lower() == "consumption"


@record(eq=False)
class ApimWorkspace:
    """A workspace of a service (`service/workspaces`, `azurerm_api_management_workspace`): its APIs,
    products and backends are the service's, and its policy is a scope between the service's
    global policy and the products' (global → workspace → product → API → operation)."""

    resource: Resource
    name: Value  # the full ARM name, `svc/ws`
    service_name: Value
    service_ref: Value
    service: ApimService | None = None
    policies: list[PolicyRef] = field(default_factory=list)
    fragments: list[PolicyRef] = field(default_factory=list)


@record(eq=False)
class ApimApi:
    """An API Management API: protocols, subscription, backend URL, and its links once made."""

    resource: Resource
    name: Value
    service_name: Value
    service_ref: Value
    protocols: Setting
    subscription_required: Setting
    service_url: Setting
    endpoint: TlsEndpoint
    # In a workspace: the workspace's name and reference (absent for a service-level API).
    workspace_name: Value = field(default_factory=Value.absent)
    workspace_ref: Value = field(default_factory=Value.absent)
    # Linked.
    service: ApimService | None = None
    workspace: ApimWorkspace | None = None
    operations: list[ApimOperation] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    # When its service is not declared here (a Bicep `existing` service, a data source, a name
    # given by a parameter): the global policy of that service, if the scan declares one.
    undeclared_global: list[PolicyRef] = field(default_factory=list)
    undeclared_fragments: list[PolicyRef] = field(default_factory=list)
    # Its effective policies (effective.PolicyPath), worked out once when the scope is linked.
    policy_paths: list[Any] | None = None

    @property
    def label(self) -> str:
        return f"Azure API Management API {self.resource.address}"


@record(eq=False)
class ApimOperation:
    """An API Management operation of an API, with its policies."""

    resource: Resource
    name: Value
    api_name: Value
    api_ref: Value
    method: Value
    api: ApimApi | None = None
    policies: list[PolicyRef] = field(default_factory=list)


@record(eq=False)
class ApimProduct:
    """An API Management product, with its policies and workspace."""

    resource: Resource
    name: Value
    service_name: Value
    service_ref: Value
    subscription_required: Setting
    service: ApimService | None = None
    policies: list[PolicyRef] = field(default_factory=list)
    # In a workspace (its products are its own): the workspace's name, then the workspace.
    workspace_name: Value = field(default_factory=Value.absent)
    workspace: ApimWorkspace | None = None


@record(eq=False)
class ProductApiLink:
    """An API in a product (`service/products/apis`, `azurerm_api_management_product_api`)."""

    resource: Resource
    product_name: Value
    product_ref: Value
    api_name: Value
    api_ref: Value


@record(eq=False)
class ApimBackend:
    """An API Management backend: its URL and certificate chain and name validation."""

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


@record(eq=False)
class ApimCustomDomain:
    """Host names declared apart from their service (`azurerm_api_management_custom_domain`); linked
    into the service's `hostnames`, as if written in its `hostname_configuration`."""

    resource: Resource
    service_ref: Value
    hostnames: list[ApimHostname]
