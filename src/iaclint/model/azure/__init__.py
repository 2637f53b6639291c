"""The Azure model: one package per service (`apim/`, `appgateway/`, `frontdoor/`, `cdn/`, `waf/`),
each with its entities, the builders that give its fields their meaning, a field reader per
language family (`arm.py` for ARM templates, Bicep and `azapi_resource` bodies, `azurerm.py`), its
links and its fact builder. Readers and links register themselves (`registry.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.model.azure.entities import AzureModel
    from iaclint.resources import Resource


def adapt(resources: list[Resource], az: AzureModel) -> None:
    """Read one scope's Azure resources (any language) into `az` and link them."""
    from iaclint.model.azure import azapi, registry

    # An azapi_resource deploys the ARM resource its body holds: read as that resource.
    for r in azapi.arm_resources([r for r in resources if r.type == "azapi_resource"]):
        read = registry.reader("arm", r.type)
        if read is not None:
            read(r, az)
    for r in resources:
        if r.type == "azapi_resource":
            continue
        read = registry.reader("azurerm" if r.language.startswith("terraform") else "arm", r.type)
        if read is not None:
            read(r, az)
    for link in registry.linkers():
        link(az)
