"""Azure model from real ARM, Bicep and azurerm sources: TLS floors, defaults, links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.discover import discover
from iaclint.engine import ScanOptions, _load
from iaclint.model import build
from iaclint.model.azure import tls
from iaclint.model.facts import Endpoint
from iaclint.model.scope_model import Model

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SEC = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security"


def model_of(tmp_path: Path, files: dict[str, str]) -> Model:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = discover([str(tmp_path)], [])
    resources = []
    for unit in found.units:
        result = _load(unit.language, [unit], ScanOptions(paths=[str(tmp_path)]))
        assert not result.diagnostics, result.diagnostics
        resources += result.resources
    return build(resources)


def kind(ep: Endpoint) -> str:
    """What an Azure endpoint is: its label without the platform and the address."""
    return ep.origin.label.removeprefix("Azure ").removesuffix(f" {ep.origin.address}")


def arm(*resources: dict, parameters: dict | None = None) -> str:
    return json.dumps(
        {
            "$schema": SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": parameters or {},
            "resources": list(resources),
        },
        indent=2,
    )


def apim(name: str = "svc", **props: object) -> dict:
    return {
        "type": "Microsoft.ApiManagement/service",
        "apiVersion": "2023-05-01-preview",
        "name": name,
        "properties": {"publisherEmail": "a@b.c", "publisherName": "x", **props},
    }


@pytest.mark.parametrize(
    ("custom", "floor"),
    [
        ({}, "1.2"),
        ({f"{SEC}.Protocols.Tls10": "True"}, "1.0"),
        ({f"{SEC}.Protocols.Tls10": "False", f"{SEC}.Protocols.Tls11": "true"}, "1.1"),
        ({f"{SEC}.Protocols.Tls11": True}, "1.1"),
        ({f"{SEC}.Protocols.Ssl30": "True", f"{SEC}.Protocols.Tls10": "True"}, "ssl3"),
        ({f"{SEC}.Protocols.Tls10": False, f"{SEC}.Protocols.Tls11": "False"}, "1.2"),
    ],
)
def test_apim_frontend_floor_reads_strings_and_booleans(tmp_path: Path, custom: dict, floor: str) -> None:
    m = model_of(tmp_path, {"t.json": arm(apim(customProperties=custom))})
    (ep,) = m.facts.endpoints
    assert ep.origin.label.startswith("Azure API Management gateway ")
    assert ep.tls is not None and ep.tls.minimum == floor


def test_apim_floor_unknown_parameter_is_unknown(tmp_path: Path) -> None:
    template = arm(
        apim(customProperties={f"{SEC}.Protocols.Tls10": "[parameters('tls10')]"}),
        parameters={"tls10": {"type": "string"}},
    )
    m = model_of(tmp_path, {"t.json": template})
    tls_floor = m.facts.endpoints[0].tls
    assert tls_floor is not None and tls_floor.minimum is None
    assert tls_floor.setting.is_unknown
    assert tls_floor.attribute == f"properties.customProperties['{SEC}.Protocols.Tls10']"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AppGwSslPolicy20150501", ("1.0", False)),
        ("AppGwSslPolicy20170401", ("1.1", False)),
        ("AppGwSslPolicy20170401S", ("1.2", False)),
        ("AppGwSslPolicy20220101", ("1.2", True)),
        ("AppGwSslPolicy20220101S", ("1.2", True)),
        ("AppGwSslPolicy20250101S", ("1.2", True)),
        ("AppGwSslPolicy2015", None),
        ("ELBSecurityPolicy-2016-08", None),
    ],
)
def test_appgw_predefined_policies_by_structure(name: str, expected: object) -> None:
    assert tls.appgw_predefined(name) == expected


def test_appgw_default_policy_depends_on_api_version() -> None:
    assert tls.appgw_default_policy("2022-09-01") == "AppGwSslPolicy20150501"
    assert tls.appgw_default_policy("2023-02-01") == "AppGwSslPolicy20220101"
    assert tls.appgw_default_policy("2024-01-01") == "AppGwSslPolicy20220101"
    assert tls.appgw_default_policy(None) is None


@pytest.mark.parametrize(
    ("suite", "weak"),
    [
        ("TripleDes168", "3DES"),
        ("triple_des", "3DES"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "3DES"),
        ("TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA key exchange with CBC"),
        ("tls_rsa_with_aes128_cbc_sha", "RSA key exchange with CBC"),
        ("TLS_RSA_WITH_AES_128_GCM_SHA256", None),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", None),
    ],
)
def test_weak_cipher_classification(suite: str, weak: str | None) -> None:
    assert tls.weak_cipher(suite) == weak


def test_appgw_bicep_listener_redirect_and_default_policy(tmp_path: Path) -> None:
    bicep = """resource gw 'Microsoft.Network/applicationGateways@2023-04-01' = {
  name: 'gw'
  properties: {
    httpListeners: [
      { name: 'https', properties: { protocol: 'Https' } }
      { name: 'http', properties: { protocol: 'Http' } }
      { name: 'open', properties: { protocol: 'Http' } }
    ]
    redirectConfigurations: [
      {
        name: 'r'
        properties: {
          targetListener: {
            id: resourceId('Microsoft.Network/applicationGateways/httpListeners', 'gw', 'https')
          }
        }
      }
    ]
    requestRoutingRules: [
      {
        name: 'x'
        properties: {
          httpListener: {
            id: resourceId('Microsoft.Network/applicationGateways/httpListeners', 'gw', 'http')
          }
          redirectConfiguration: {
            id: resourceId('Microsoft.Network/applicationGateways/redirectConfigurations', 'gw', 'r')
          }
        }
      }
    ]
  }
}
"""
    m = model_of(tmp_path, {"main.bicep": bicep})
    (ep,) = m.facts.endpoints
    assert ep.tls is not None and (ep.tls.minimum, ep.tls.offers_tls13) == ("1.2", True)
    assert "AppGwSslPolicy20220101" in ep.tls.reason
    assert [(h.attribute, h.serves_plain) for h in ep.http] == [
        ("properties.httpListeners[1].properties.protocol", False),
        ("properties.httpListeners[2].properties.protocol", True),
    ]
    assert ep.http[1].setting.span is not None and ep.http[1].setting.span.line == 7


def test_arm_links_apis_products_operations_policies_and_fronts(tmp_path: Path) -> None:
    template = arm(
        apim("svc"),
        {
            "type": "Microsoft.ApiManagement/service/apis",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/a",
            "properties": {"path": "a"},
        },
        {
            "type": "Microsoft.ApiManagement/service/apis/operations",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/a/get",
            "properties": {"method": "GET"},
        },
        {
            "type": "Microsoft.ApiManagement/service/apis/operations/policies",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/a/get/policy",
            "properties": {"format": "rawxml", "value": "<policies/>"},
        },
        {
            "type": "Microsoft.ApiManagement/service/products",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/p",
            "properties": {},
        },
        {
            "type": "Microsoft.ApiManagement/service/products/apis",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/p/a",
        },
        {
            "type": "Microsoft.ApiManagement/service/policies",
            "apiVersion": "2023-05-01-preview",
            "name": "svc/policy",
            "properties": {"value": "<policies/>"},
        },
        {
            "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
            "apiVersion": "2023-04-01",
            "name": "w",
            "properties": {"policySettings": {"mode": "Detection"}},
        },
        {
            "type": "Microsoft.Network/applicationGateways",
            "apiVersion": "2023-04-01",
            "name": "gw",
            "properties": {
                "firewallPolicy": {
                    "id": "[resourceId('Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies', "
                    "'w')]"
                },
                "backendAddressPools": [
                    {"name": "p", "properties": {"backendAddresses": [{"fqdn": "svc.azure-api.net"}]}}
                ],
            },
        },
    )
    m = model_of(tmp_path, {"t.json": template})
    (svc,) = m.azure.services
    (api,) = svc.apis
    assert api.service is svc
    assert [o.name.as_str() for o in api.operations] == ["svc/a/get"]
    assert len(api.operations[0].policies) == 1 and api.operations[0].policies[0].scope == "operation"
    assert [p.name.as_str() for p in api.products] == ["svc/p"]
    assert [p.fmt for p in svc.policies] == ["xml"]  # format defaults to xml
    (front,) = svc.fronts
    assert front.kind == "Application Gateway"
    assert [w.resource.body.get("name").as_str() for w in front.waf_policies] == ["w"]
    assert front.waf_policies[0].detection_only() is True


def test_azurerm_links_by_references_and_frontdoor_origin_group(tmp_path: Path) -> None:
    tf = """
resource "azurerm_api_management" "s" {
  name = "svc"
}
resource "azurerm_api_management_api" "a" {
  name                = "a"
  api_management_name = azurerm_api_management.s.name
}
resource "azurerm_api_management_api_policy" "p" {
  api_name            = azurerm_api_management_api.a.name
  api_management_name = azurerm_api_management.s.name
  xml_link            = "https://example.com/p.xml"
}
resource "azurerm_cdn_frontdoor_profile" "fd" {
  name = "fd"
}
resource "azurerm_cdn_frontdoor_origin_group" "g" {
  name                     = "g"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
}
resource "azurerm_cdn_frontdoor_origin" "o" {
  name                          = "o"
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.g.id
  host_name                     = trimprefix(azurerm_api_management.s.gateway_url, "https://")
}
resource "azurerm_cdn_frontdoor_firewall_policy" "w" {
  name = "w"
  mode = "Prevention"
}
resource "azurerm_cdn_frontdoor_security_policy" "sp" {
  name                     = "sp"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
  security_policies {
    firewall {
      cdn_frontdoor_firewall_policy_id = azurerm_cdn_frontdoor_firewall_policy.w.id
    }
  }
}
"""
    m = model_of(tmp_path, {"main.tf": tf})
    (svc,) = m.azure.services
    (api,) = svc.apis
    assert api.name.as_str() == "svc/a"
    (pol,) = api.policies
    assert pol.fmt == "xml-link"
    (front,) = svc.fronts
    assert front.kind == "Front Door"
    assert [w.resource.address for w in front.waf_policies] == ["azurerm_cdn_frontdoor_firewall_policy.w"]
    assert front.waf_policies[0].detection_only() is False


def test_frontdoor_route_redirect_defaults_differ_between_arm_and_azurerm(tmp_path: Path) -> None:
    route = {
        "type": "Microsoft.Cdn/profiles/afdEndpoints/routes",
        "apiVersion": "2023-05-01",
        "name": "fd/e/r",
        "properties": {"supportedProtocols": ["Http", "Https"]},
    }
    m = model_of(tmp_path, {"t.json": arm(route)})
    assert [h.serves_plain for h in m.facts.endpoints[0].http] == [True]  # httpsRedirect defaults to Disabled
    tf = 'resource "azurerm_cdn_frontdoor_route" "r" {\n  supported_protocols = ["Http", "Https"]\n}\n'
    (tmp_path / "t.json").unlink()
    m = model_of(tmp_path, {"main.tf": tf})
    # https_redirect_enabled defaults to true.
    assert [h.serves_plain for h in m.facts.endpoints[0].http] == [False]


def test_waf_policy_mode_default_is_prevention(tmp_path: Path) -> None:
    waf = {
        "type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
        "apiVersion": "2022-05-01",
        "name": "w",
        "properties": {
            "policySettings": {"enabledState": "Enabled"},
            "customRules": {"rules": [{"name": "rl", "ruleType": "RateLimitRule", "action": "Block"}]},
        },
    }
    m = model_of(tmp_path, {"t.json": arm(waf)})
    (w,) = m.azure.waf_policies
    assert w.detection_only() is False
    assert [(r.name, r.rate_based, r.blocks) for r in w.rules] == [("rl", True, True)]


def test_model_extend_keeps_azure_entities(tmp_path: Path) -> None:
    m = model_of(tmp_path, {"t.json": arm(apim("svc"))})
    total = Model()
    total.extend(m)
    total.extend(m)
    assert len(total.azure.services) == 2


AZURERM_CLASSIC = """resource "azurerm_api_management" "s" {
  name                = "svc"
  client_certificate_enabled = false
}
resource "azurerm_api_management_custom_domain" "d" {
  api_management_id = azurerm_api_management.s.id
  gateway {
    host_name                    = "api.example.com"
    negotiate_client_certificate = true
  }
  developer_portal {
    host_name = "portal.example.com"
  }
}
resource "azurerm_frontdoor_firewall_policy" "waf" {
  name = "fdwaf"
  mode = "Prevention"
}
resource "azurerm_frontdoor" "fd" {
  name = "fd"
  frontend_endpoint {
    name                                    = "fe"
    host_name                               = "fd.azurefd.net"
    web_application_firewall_policy_link_id = azurerm_frontdoor_firewall_policy.waf.id
  }
  routing_rule {
    name               = "plain"
    accepted_protocols = ["Http", "Https"]
    frontend_endpoints = ["fe"]
    forwarding_configuration {
      backend_pool_name = "apim"
    }
  }
  routing_rule {
    name               = "redirect"
    accepted_protocols = ["Http"]
    frontend_endpoints = ["fe"]
    redirect_configuration {
      redirect_protocol = "HttpsOnly"
      redirect_type     = "Moved"
    }
  }
  backend_pool {
    name = "apim"
    backend {
      address     = "api.example.com"
      host_header = "api.example.com"
      http_port   = 80
      https_port  = 443
    }
  }
}
resource "azurerm_frontdoor_custom_https_configuration" "fe" {
  frontend_endpoint_id              = azurerm_frontdoor.fd.frontend_endpoints["fe"]
  custom_https_provisioning_enabled = true
  custom_https_configuration {
    certificate_source = "FrontDoor"
  }
}
"""


def test_azurerm_custom_domain_and_classic_frontdoor(tmp_path: Path) -> None:
    m = model_of(tmp_path, {"main.tf": AZURERM_CLASSIC})
    svc = m.azure.services[0]
    # The custom domain's host names join the service's, with their own attribute paths.
    assert [(h.host.as_str(), h.negotiate.attribute, h.negotiate.value.as_bool()) for h in svc.hostnames] == [
        ("api.example.com", "gateway[0].negotiate_client_certificate", True),
        ("portal.example.com", "developer_portal[0].negotiate_client_certificate", None),
    ]
    assert svc.hostnames[0].negotiate.value.span.line == 9
    # The classic Front Door fronts the service through the custom host name, with its WAF policy.
    front = next(f for f in m.azure.fronts if f.kind == "Front Door (classic)")
    assert svc.fronts == [front]
    assert [w.resource.address for w in front.waf_policies] == ["azurerm_frontdoor_firewall_policy.waf"]
    ep = next(e for e in m.facts.endpoints if kind(e) == "Front Door (classic)")
    # Only the forwarding rule serves plain HTTP; the redirect rule sends clients to HTTPS.
    assert [(h.attribute, h.serves_plain, h.setting.span.line) for h in ep.http] == [
        ("routing_rule[0].accepted_protocols", True, 28),
        ("routing_rule[1].accepted_protocols", False, 36),
    ]
    https = next(e for e in m.facts.endpoints if kind(e) == "Front Door (classic) frontend endpoint")
    # minimum_tls_version is computed in the provider: the TLS 1.2 default applies.
    assert https.origin.address == "azurerm_frontdoor_custom_https_configuration.fe"
    assert https.tls is not None and https.tls.minimum == "1.2"


def test_azurerm_custom_https_disabled_and_unknown_redirect(tmp_path: Path) -> None:
    tf = AZURERM_CLASSIC.replace(
        "custom_https_provisioning_enabled = true", "custom_https_provisioning_enabled = false"
    )
    tf = tf.replace('redirect_protocol = "HttpsOnly"', "redirect_protocol = var.proto")
    tf += 'variable "proto" {\n  type = string\n}\n'
    m = model_of(tmp_path, {"main.tf": tf})
    assert not [e for e in m.facts.endpoints if kind(e) == "Front Door (classic) frontend endpoint"]
    ep = next(e for e in m.facts.endpoints if kind(e) == "Front Door (classic)")
    assert [(h.serves_plain, h.setting.span.line) for h in ep.http] == [(True, 28), (None, 39)]
