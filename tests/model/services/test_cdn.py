"""Classic CDN: a minimal endpoint and custom domain in each language family give the same facts
(plain HTTP unless switched off or redirected, the custom domain's minimum TLS version)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.model.facts import Facts
from model.services.azure_facts import arm, facts_of, kind

EP = "Microsoft.Cdn/profiles/endpoints"


def plain(facts: Facts) -> dict[str, bool | None]:
    """Endpoint name → whether it serves plain HTTP."""
    return {
        ep.origin.address.rsplit("/", 1)[-1]: ep.http[0].serves_plain for ep in facts.endpoints if ep.http
    }


def _ep(name: str, **props: object) -> dict:
    return {"type": EP, "apiVersion": "2023-05-01", "name": f"p/{name}", "properties": props}


def test_arm_endpoint_http(tmp_path: Path) -> None:
    redirect = {"name": "UrlRedirect", "parameters": {"destinationProtocol": "Https"}}
    scheme = {"name": "RequestScheme", "parameters": {"operator": "Equal", "matchValues": ["HTTP"]}}
    template = arm(
        _ep("default"),
        _ep("off", IsHttpAllowed=False),
        _ep("global", deliveryPolicy={"rules": [{"order": 0, "actions": [redirect]}]}),
        _ep(
            "scheme", deliveryPolicy={"rules": [{"order": 1, "conditions": [scheme], "actions": [redirect]}]}
        ),
        _ep("unknown", isHttpAllowed="[parameters('h')]"),
        parameters={"h": {"type": "bool"}},
    )
    facts = facts_of(tmp_path, {"t.json": template})
    assert {kind(ep) for ep in facts.endpoints} == {"CDN endpoint"}
    assert plain(facts) == {"default": True, "off": False, "global": False, "scheme": False, "unknown": None}


AZURERM = """
variable "tls" {}

resource "azurerm_cdn_endpoint" "default" {
  name = "default"
}

resource "azurerm_cdn_endpoint_custom_domain" "none" {
  name = "none"
  user_managed_https {
    tls_version = "None"
  }
}

resource "azurerm_cdn_endpoint_custom_domain" "dflt" {
  name = "dflt"
  cdn_managed_https {
    certificate_type = "Dedicated"
  }
}

resource "azurerm_cdn_endpoint_custom_domain" "var" {
  name = "var"
  cdn_managed_https {
    tls_version = var.tls
  }
}

resource "azurerm_cdn_endpoint_custom_domain" "http_only" {
  name = "http_only"
}
"""


def test_azurerm_custom_domain_minimum(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"main.tf": AZURERM})
    floors = {ep.origin.address: ep.tls.minimum for ep in facts.endpoints if ep.tls is not None}
    assert floors == {
        "azurerm_cdn_endpoint_custom_domain.none": "1.0",
        "azurerm_cdn_endpoint_custom_domain.dflt": "1.2",
        "azurerm_cdn_endpoint_custom_domain.var": None,
    }
    (endpoint,) = [ep for ep in facts.endpoints if ep.http]
    assert endpoint.http[0].serves_plain is True


@pytest.mark.parametrize(
    ("value", "floor"), [("TLS10", "1.0"), ("tls12", "1.2"), ("None", "1.0"), ("SSL3", None)]
)
def test_bicep_custom_domain_minimum(tmp_path: Path, value: str, floor: str | None) -> None:
    bicep = f"""
resource domain 'Microsoft.Cdn/profiles/endpoints/customDomains@2023-05-01' = {{
  name: 'p/e/d'
  properties: {{
    hostName: 'www.example.com'
    customHttpsParameters: {{ certificateSource: 'Cdn', minimumTlsVersion: '{value}' }}
  }}
}}
"""
    (ep,) = facts_of(tmp_path, {"main.bicep": bicep}).endpoints
    assert ep.tls is not None and ep.tls.minimum == floor
