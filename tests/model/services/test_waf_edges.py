"""Internet-facing edges (S5.1): every Application Gateway and Front Door is a WAF target of its own,
whatever the scan shows it fronts. A minimal resource in each language family gives the same
target facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.model.facts import Facts, WafTarget
from model.services.azure_facts import arm, facts_of

GW = "Microsoft.Network/applicationGateways"
PIP = "[resourceId('Microsoft.Network/publicIPAddresses', 'pip')]"


def edges(facts: Facts) -> dict[str, WafTarget]:
    return {t.origin.address.rsplit("#", 1)[-1]: t for t in facts.waf_targets if t.edge}


def _gw(name: str, **props: object) -> dict:
    return {
        "type": GW,
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "westeurope",
        "properties": props,
    }


def test_arm_gateway_exposure_and_sku(tmp_path: Path) -> None:
    public = [{"name": "pub", "properties": {"publicIPAddress": {"id": PIP}}}]
    private = [{"name": "priv", "properties": {"privateIPAddress": "10.0.0.4"}}]
    template = arm(
        _gw("open", frontendIPConfigurations=public),
        _gw("internal", frontendIPConfigurations=private),
        _gw(
            "unknown",
            frontendIPConfigurations=[
                {"name": "p", "properties": {"publicIPAddress": {"id": "[parameters('pip')]"}}}
            ],
        ),
        _gw("bare"),
        _gw(
            "standard",
            sku={"name": "Standard_v2", "tier": "Standard_v2"},
            firewallPolicy={"id": "[resourceId('x/y', 'waf')]"},
            frontendIPConfigurations=public,
        ),
        _gw(
            "waf",
            sku={"tier": "WAF_v2"},
            firewallPolicy={"id": "[resourceId('x/y', 'waf')]"},
            frontendIPConfigurations=public,
        ),
        parameters={"pip": {"type": "string"}},
    )
    got = edges(facts_of(tmp_path, {"t.json": template}))
    assert {k: t.public.state for k, t in got.items()} == {
        "open": True, "internal": False, "unknown": None, "bare": None, "standard": True, "waf": True,
    }  # fmt: skip
    assert got["open"].attachments == [] and "neither a WAF policy" in got["open"].how
    assert got["standard"].attachments == [] and "Standard_v2" in got["standard"].how
    assert len(got["waf"].attachments) == 1
    assert all(t.fronts_api is None for t in got.values())


AZURERM = """
variable "pip" {}

resource "azurerm_public_ip" "p" {
  name = "p"
}

resource "azurerm_application_gateway" "open" {
  name = "open"
  frontend_ip_configuration {
    name                 = "pub"
    public_ip_address_id = azurerm_public_ip.p.id
  }
}

resource "azurerm_application_gateway" "unknown" {
  name = "unknown"
  frontend_ip_configuration {
    name                 = "pub"
    public_ip_address_id = var.pip
  }
}

resource "azurerm_application_gateway" "inline" {
  name = "inline"
  frontend_ip_configuration {
    name                 = "pub"
    public_ip_address_id = azurerm_public_ip.p.id
  }
  waf_configuration {
    enabled       = true
    firewall_mode = "Prevention"
  }
}
"""


def test_azurerm_gateway_exposure_and_inline_waf(tmp_path: Path) -> None:
    got = edges(facts_of(tmp_path, {"main.tf": AZURERM}))
    by = {k.rsplit(".", 1)[-1]: t for k, t in got.items()}
    assert {k: t.public.state for k, t in by.items()} == {"open": True, "unknown": None, "inline": True}
    assert by["open"].public.setting.attribute == "frontend_ip_configuration[0].public_ip_address_id"
    assert by["open"].attachments == []
    (inline,) = by["inline"].attachments
    assert inline.waf is not None and inline.waf.rate_limit.state is False


BICEP_CLASSIC = """
var wafId = resourceId('Microsoft.Network/FrontDoorWebApplicationFirewallPolicies', 'w')

resource fd 'Microsoft.Network/frontDoors@2021-06-01' = {
  name: 'fd'
  location: 'Global'
  properties: {
    frontendEndpoints: [
      {
        name: 'a'
        properties: {
          hostName: 'a.azurefd.net'
          webApplicationFirewallPolicyLink: { id: wafId }
        }
      }
      { name: 'b', properties: { hostName: 'b.example.com' } }
    ]
  }
}
"""

AZURERM_CLASSIC = """
locals {
  waf = "/subscriptions/x/providers/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/w"
}

resource "azurerm_frontdoor" "fd" {
  name = "fd"
  frontend_endpoint {
    name                                    = "a"
    host_name                               = "a.azurefd.net"
    web_application_firewall_policy_link_id = local.waf
  }
  frontend_endpoint {
    name      = "b"
    host_name = "b.example.com"
  }
}
"""


@pytest.mark.parametrize(
    "files", [{"main.bicep": BICEP_CLASSIC}, {"main.tf": AZURERM_CLASSIC}], ids=["bicep", "azurerm"]
)
def test_classic_front_door_needs_a_waf_link_on_every_frontend_endpoint(
    tmp_path: Path, files: dict[str, str]
) -> None:
    (t,) = edges(facts_of(tmp_path, files)).values()
    assert t.public.state is True and t.attachments == []
    assert t.how == "frontend endpoint 'b' has no WAF policy link"


BICEP_PROFILE = """
param profileName string

resource profile 'Microsoft.Cdn/profiles@2023-05-01' = {
  name: 'fd'
  location: 'Global'
  sku: { name: 'Standard_AzureFrontDoor' }
}

resource elsewhere 'Microsoft.Cdn/profiles/securityPolicies@2023-05-01' = {
  name: '${profileName}/waf'
  properties: {
    parameters: {
      type: 'WebApplicationFirewall'
      wafPolicy: { id: resourceId('Microsoft.Network/FrontDoorWebApplicationFirewallPolicies', 'w') }
    }
  }
}
"""


def test_profile_with_a_security_policy_that_cannot_be_placed_is_unknown(tmp_path: Path) -> None:
    (t,) = edges(facts_of(tmp_path, {"main.bicep": BICEP_PROFILE})).values()
    assert t.attachments == []
    assert t.possible and "cannot be resolved" in t.possible[0]


def test_profile_whose_sku_cannot_be_known_may_be_a_classic_cdn(tmp_path: Path) -> None:
    profile = {
        "type": "Microsoft.Cdn/profiles",
        "apiVersion": "2023-05-01",
        "name": "p",
        "location": "Global",
        "sku": {"name": "[parameters('sku')]"},
    }
    facts = facts_of(tmp_path, {"t.json": arm(profile, parameters={"sku": {"type": "string"}})})
    (t,) = edges(facts).values()
    assert t.public.state is None and t.public.setting.attribute == "sku.name"


SAME_ARM = arm(
    _gw(
        "gw",
        sku={"name": "Standard_v2", "tier": "Standard_v2"},
        frontendIPConfigurations=[{"name": "pub", "properties": {"publicIPAddress": {"id": PIP}}}],
    )
)

SAME_BICEP = """
var pipId = resourceId('Microsoft.Network/publicIPAddresses', 'pip')

resource gw 'Microsoft.Network/applicationGateways@2023-04-01' = {
  name: 'gw'
  location: 'westeurope'
  properties: {
    sku: { name: 'Standard_v2', tier: 'Standard_v2' }
    frontendIPConfigurations: [
      { name: 'pub', properties: { publicIPAddress: { id: pipId } } }
    ]
  }
}
"""

SAME_AZURERM = """
resource "azurerm_public_ip" "pip" {
  name = "pip"
}

resource "azurerm_application_gateway" "gw" {
  name = "gw"
  sku {
    name = "Standard_v2"
    tier = "Standard_v2"
  }
  frontend_ip_configuration {
    name                 = "pub"
    public_ip_address_id = azurerm_public_ip.pip.id
  }
}
"""

SAME_AZAPI = """
resource "azapi_resource" "gw" {
  type      = "Microsoft.Network/applicationGateways@2024-05-01"
  name      = "gw"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    properties = {
      sku = { name = "Standard_v2", tier = "Standard_v2" }
      frontendIPConfigurations = [
        { name = "pub", properties = { publicIPAddress = { id = "/subscriptions/0/publicIPAddresses/pip" } } }
      ]
    }
  }
}
"""


@pytest.mark.parametrize(
    "files",
    [{"t.json": SAME_ARM}, {"main.bicep": SAME_BICEP}, {"main.tf": SAME_AZURERM}, {"main.tf": SAME_AZAPI}],
    ids=["arm", "bicep", "azurerm", "azapi"],
)
def test_same_gateway_same_edge_facts_in_every_language(tmp_path: Path, files: dict[str, str]) -> None:
    (t,) = edges(facts_of(tmp_path, files)).values()
    assert (t.public.state, t.public.why, t.attachments, t.possible, t.fronts_api) == (
        True,
        "frontend IP configuration 'pub' has a public IP address",
        [],
        [],
        None,
    )
    assert t.how.startswith("its SKU Standard_v2 (") and t.how.endswith(
        "runs no WAF; a WAF policy needs the WAF_v2 tier"
    )
