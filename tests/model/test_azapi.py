"""azapi_resource read as the ARM resource it deploys (found on the Azure Verified Modules for
Application Gateway, Azure/terraform-azurerm-avm-res-network-applicationgateway, which produced no
finding at all before)."""

from __future__ import annotations

from pathlib import Path

from iaclint.engine import ScanOptions, scan

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "azure" / "azapi"


def test_azapi_resources_get_the_arm_findings() -> None:
    result = scan(ScanOptions(paths=[str(FIXTURE)]))
    got = sorted(
        (f.rule_id, f.level.value, f.span.line, f.span.column, f.attribute, f.address)
        for f in result.findings
    )
    assert got == [
        ("IAC101", "error", 18, 9, "properties.sslPolicy.policyName", "azapi_resource.gw"),
        ("IAC201", "error", 23, 26, "properties.httpListeners[0].properties.protocol", "azapi_resource.gw"),
        ("IAC201", "error", 47, 21, "properties.protocols", "azapi_resource.api"),
        ("IAC603", "error", 40, 1, "properties.subscriptionRequired", "azapi_resource.api"),
        ("IAC701", "error", 48, 7, "properties.serviceUrl", "azapi_resource.api"),
        # The gateway is an edge of its own: without a frontend IP configuration, whether it is
        # internet-facing cannot be told.
        ("IAC801", "note", 9, 1, "properties.frontendIPConfigurations", "azapi_resource.gw"),
        ("IAC811", "warning", 40, 1, "policy", "azapi_resource.api"),
    ]


def test_child_name_is_composed_from_the_parent() -> None:
    from iaclint.discover import Unit
    from iaclint.lang.terraform import load
    from iaclint.model.azure.azapi import arm_resources

    result = load([Unit("terraform", FIXTURE, (FIXTURE / "main.tf",))], None)
    arm = {r.address: r for r in arm_resources(result.resources)}
    assert arm["azapi_resource.api"].type == "Microsoft.ApiManagement/service/apis"
    assert arm["azapi_resource.api"].body.get("name").as_str() == "apim1/echo"
    assert arm["azapi_resource.api"].body.get("apiVersion").as_str() == "2024-05-01"
    # The jsonencode()d body is decoded.
    props = arm["azapi_resource.apim"].body.get("properties")
    assert props.get("virtualNetworkType").as_str() == "Internal"
