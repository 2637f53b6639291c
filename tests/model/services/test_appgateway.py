"""Application Gateway: a minimal gateway in each language family gives the same facts (TLS floor
and the setting that decides it, plain-HTTP listeners), with ARM and Bicep property names and
values compared without case as Azure does."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.services.azure_facts import arm, facts_of, floors

GW = "Microsoft.Network/applicationGateways"


def _arm_gateway(props: dict, api: str = "2023-04-01", **top: object) -> dict:
    return {
        "type": GW,
        "apiVersion": api,
        "name": "agw",
        "location": "westeurope",
        "properties": props,
        **top,
    }


def test_arm_property_names_and_values_without_case(tmp_path: Path) -> None:
    gw = {
        "type": GW,
        "apiVersion": "2023-04-01",
        "name": "agw",
        "location": "westeurope",
        "Properties": {
            "SslPolicy": {"PolicyType": "custom", "MinProtocolVersion": "tlsv1_1"},
            "HttpListeners": [{"Name": "l", "Properties": {"Protocol": "HTTP"}}],
        },
    }
    facts = facts_of(tmp_path, {"t.json": arm(gw)})
    (ep,) = facts.endpoints
    assert ep.tls is not None and ep.tls.minimum == "1.1"
    assert ep.tls.attribute == "properties.sslPolicy.minProtocolVersion"
    assert [h.serves_plain for h in ep.http] == [True]


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("appgwsslpolicy20150501", "1.0"),
        ("APPGWSSLPOLICY20170401", "1.1"),
        ("appgwsslpolicy20170401s", "1.2"),
    ],
)
def test_predefined_policy_names_without_case(tmp_path: Path, name: str, floor: str) -> None:
    gw = _arm_gateway({"sslPolicy": {"policyType": "predefined", "policyName": name}})
    assert floors(facts_of(tmp_path, {"t.json": arm(gw)})) == {"Application Gateway": floor}


def test_https_listener_in_any_case_is_not_plain(tmp_path: Path) -> None:
    gw = _arm_gateway(
        {
            "sslPolicy": {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"},
            "httpListeners": [{"name": "l", "properties": {"protocol": "HTTPS"}}],
        }
    )
    (ep,) = facts_of(tmp_path, {"t.json": arm(gw)}).endpoints
    assert ep.http == []


BICEP_DISABLED = """
resource gw 'Microsoft.Network/applicationGateways@2023-04-01' = {
  name: 'agw'
  location: 'westeurope'
  properties: {
    sslPolicy: {
      policyType: 'Custom'
      disabledSslProtocols: [ 'TLSv1_0' ]
    }
  }
}
"""

AZURERM_DISABLED = """
resource "azurerm_application_gateway" "gw" {
  name                = "agw"
  location            = "westeurope"
  resource_group_name = "rg"
  ssl_policy {
    policy_type        = "Custom"
    disabled_protocols = ["TLSv1_0"]
  }
}
"""


@pytest.mark.parametrize(
    ("files", "attribute"),
    [
        (
            {
                "t.json": arm(
                    _arm_gateway({"sslPolicy": {"policyType": "Custom", "disabledSslProtocols": ["TLSv1_0"]}})
                )
            },
            "properties.sslPolicy.disabledSslProtocols",
        ),
        ({"main.bicep": BICEP_DISABLED}, "properties.sslPolicy.disabledSslProtocols"),
        ({"main.tf": AZURERM_DISABLED}, "ssl_policy.disabled_protocols"),
    ],
    ids=["arm", "bicep", "azurerm"],
)
def test_custom_policy_disabling_only_tls10_leaves_tls11(
    tmp_path: Path, files: dict[str, str], attribute: str
) -> None:
    (ep,) = facts_of(tmp_path, files).endpoints
    assert ep.tls is not None
    assert (ep.tls.minimum, ep.tls.attribute) == ("1.1", attribute)
