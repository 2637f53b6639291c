"""The Azure part of a scope's model: every entity the service packages read, before and after
they are linked. The entity types live with their service (`apim/entities.py`,
`appgateway/entities.py`, `frontdoor/entities.py`, `cdn/entities.py`, `waf/entities.py`)."""

from __future__ import annotations

from dataclasses import field, fields

from iaclint.model.azure.apim.entities import (
    ApimApi,
    ApimBackend,
    ApimCustomDomain,
    ApimOperation,
    ApimProduct,
    ApimService,
    ApimWorkspace,
    PolicyRef,
    ProductApiLink,
)
from iaclint.model.azure.appgateway.entities import AppGateway
from iaclint.model.azure.common import TlsEndpoint
from iaclint.model.azure.frontdoor.entities import FrontDoor, FrontDoorPart
from iaclint.model.azure.waf.entities import Front, WafPolicy
from iaclint.records import record


@record
class AzureModel:
    """The Azure entities of a scope, by service, linked by each service's `links.py`."""

    services: list[ApimService] = field(default_factory=list)
    apis: list[ApimApi] = field(default_factory=list)
    operations: list[ApimOperation] = field(default_factory=list)
    products: list[ApimProduct] = field(default_factory=list)
    product_apis: list[ProductApiLink] = field(default_factory=list)
    backends: list[ApimBackend] = field(default_factory=list)
    policies: list[PolicyRef] = field(default_factory=list)
    custom_domains: list[ApimCustomDomain] = field(default_factory=list)
    workspaces: list[ApimWorkspace] = field(default_factory=list)
    waf_policies: list[WafPolicy] = field(default_factory=list)
    # Everything that can carry a WAF in front of something (Application Gateways, Front Doors).
    fronts: list[Front] = field(default_factory=list)
    app_gateways: list[AppGateway] = field(default_factory=list)
    front_doors: list[FrontDoor] = field(default_factory=list)
    # Front Door Standard/Premium children linked to their profile's Front.
    fd_parts: list[FrontDoorPart] = field(default_factory=list)
    # Endpoints Front Door children serve (custom domains, routes, classic HTTPS configurations).
    frontdoor_endpoints: list[TlsEndpoint] = field(default_factory=list)
    # Endpoints that need no linking (classic CDN endpoints and custom domains, self-hosted gateway
    # host names): `model/azure/facts.py` carries them into the facts as they are, so a reader that
    # only serves an endpoint needs no fact builder of its own.
    endpoints: list[TlsEndpoint] = field(default_factory=list)

    def extend(self, other: AzureModel) -> None:
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))
