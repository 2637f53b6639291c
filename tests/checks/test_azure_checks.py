"""Azure checks on models built from real Bicep/ARM/azurerm sources: rule ids, levels, lines,
columns and the effective-policy semantics (global → product → API → operation, <base/>)."""

from __future__ import annotations

from pathlib import Path

from iaclint.checks import CheckContext, registry
from iaclint.findings import Finding
from iaclint.model.derive import derive
from iaclint.model.scope_model import Model
from iaclint.rules import load_rules
from model.test_azure_model import model_of


def run(rule_id: str, model: Model, **params: object) -> list[Finding]:
    reg = registry()[rule_id]
    ctx = CheckContext(load_rules()[rule_id], dict(params), reg.fields)
    return list(reg.fn(derive(model), ctx))


def where(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.rule_id, f.span.line, f.span.column, f.level.value) for f in findings]


GLOBAL = """<policies><inbound>
<validate-jwt header-name="Authorization">
<openid-config url="https://idp.example.com/.well-known/openid-configuration" />
<audiences><audience>api</audience></audiences></validate-jwt>
<rate-limit calls="10" renewal-period="60" />
<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>
</inbound></policies>"""

HEAD = """param vnet string = 'None'
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'svc'
  properties: {
    virtualNetworkType: vnet
  }
}
resource glob 'Microsoft.ApiManagement/service/policies@2023-05-01-preview' = {
  parent: svc
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: loadTextContent('global.xml')
  }
}
resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: svc
  name: 'a'
  properties: {
    path: 'a'
    subscriptionRequired: false
  }
}
"""  # 23 lines; cases append from line 24


def bicep(tmp_path: Path, tail: str, glob: str = GLOBAL) -> Model:
    return model_of(tmp_path, {"main.bicep": HEAD + tail, "global.xml": glob})


def test_global_policy_covers_api_and_operation_with_base(tmp_path: Path) -> None:
    tail = """resource op 'Microsoft.ApiManagement/service/apis/operations@2023-05-01-preview' = {
  parent: api
  name: 'get'
  properties: { method: 'GET' }
}
resource opPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2023-05-01-preview' = {
  parent: op
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><base /><set-header name="x"><value>@(1 < 2 && "a" == "a")</value></set-header></inbound></policies>'
  }
}
"""  # noqa: E501
    m = bicep(tmp_path, tail)
    for rule in ("IAC601", "IAC602", "IAC603", "IAC811", "IAC831"):
        assert run(rule, m) == [], rule


def test_operation_policy_without_base_drops_global_jwt(tmp_path: Path) -> None:
    tail = """resource op 'Microsoft.ApiManagement/service/apis/operations@2023-05-01-preview' = {
  parent: api
  name: 'get'
  properties: { method: 'GET' }
}
resource opPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2023-05-01-preview' = {
  parent: op
  name: 'policy'
  properties: {
    format: 'xml'
    value: '<policies><inbound><set-header name="x"><value>1</value></set-header></inbound></policies>'
  }
}
"""
    m = bicep(tmp_path, tail)
    found = run("IAC601", m)
    assert where(found) == [("IAC601", 34, 5, "error")]
    assert "operation" in found[0].message and found[0].address.endswith("#op")
    # The API-level path keeps the global limits; the operation drops them.
    assert run("IAC811", m) == []


def test_api_policy_without_base_drops_rate_limit_and_ip_filter(tmp_path: Path) -> None:
    tail = """resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><validate-jwt><openid-config url="https://idp/x" /><audiences><audience>a</audience></audiences></validate-jwt><ip-filter action="forbid"><address>1.2.3.4</address></ip-filter></inbound></policies>'
  }
}
"""  # noqa: E501
    m = bicep(tmp_path, tail)
    assert run("IAC601", m) == []
    assert where(run("IAC811", m)) == [("IAC811", 29, 5, "warning")]
    ip = run("IAC831", m)
    assert where(ip) == [("IAC831", 29, 5, "warning")]
    assert "deny-list" in ip[0].message
    assert where(run("IAC831", m, level="note")) == [("IAC831", 29, 5, "note")]


def test_xml_link_and_conditional_jwt_are_notes(tmp_path: Path) -> None:
    tail = """resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml-link'
    value: 'https://example.com/policy.xml'
  }
}
"""
    # With nothing above it, the link decides: notes, not violations.
    m = bicep(tmp_path, tail, glob="<policies><inbound /></policies>")
    assert where(run("IAC601", m)) == [("IAC601", 29, 5, "note")]
    assert where(run("IAC811", m)) == [("IAC811", 29, 5, "note")]
    conditional = """<policies><inbound><choose><when condition="@(true)">
<validate-jwt><openid-config url="https://idp/x" />
<audiences><audience>a</audience></audiences></validate-jwt>
</when></choose></inbound></policies>"""
    (tmp_path / "main.bicep").unlink()
    m = bicep(tmp_path, "", glob=conditional)
    found = run("IAC601", m)
    assert where(found) == [("IAC601", 16, 1, "note")]
    assert "<choose>" in found[0].message


def test_weak_jwt_is_reported_at_its_element(tmp_path: Path) -> None:
    weak = """<policies><inbound>
<validate-jwt header-name="Authorization" require-signed-tokens="false">
<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>
</validate-jwt></inbound></policies>"""
    m = bicep(tmp_path, "", glob=weak)
    found = run("IAC602", m)
    assert [f.rule_id for f in found] == ["IAC602"]
    assert "symmetric signing key" in found[0].message and "no audiences" in found[0].message
    assert 'require-signed-tokens="false"' in found[0].message
    # No audiences and no issuers: an API key would not matter, the API is authenticated (weakly).
    assert run("IAC601", m) == []


def test_internal_vnet_is_exempt_from_waf_and_ip_rules(tmp_path: Path) -> None:
    (tmp_path / "main.bicepparam").write_text(
        "using './main.bicep'\nparam vnet = 'Internal'\n", encoding="utf-8"
    )
    m = bicep(tmp_path, "", glob="<policies><inbound /></policies>")
    assert run("IAC801", m) == []
    assert run("IAC831", m) == []
    assert [f.rule_id for f in run("IAC601", m)] == ["IAC601"]


def test_public_service_without_front_and_unknown_vnet(tmp_path: Path) -> None:
    m = bicep(tmp_path, "")
    assert where(run("IAC801", m)) == [("IAC801", 2, 1, "error")]
    unknown = HEAD.replace("param vnet string = 'None'", "param vnet string")
    (tmp_path / "main.bicep").write_text(unknown, encoding="utf-8")
    m = model_of(tmp_path, {})
    assert where(run("IAC801", m)) == [("IAC801", 5, 5, "note")]


def test_client_certificates_need_ca_and_validation(tmp_path: Path) -> None:
    tf = """resource "azurerm_api_management" "s" {
  name                       = "svc"
  client_certificate_enabled = true
}
resource "azurerm_api_management_api" "a" {
  name                = "a"
  api_management_name = azurerm_api_management.s.name
}
"""
    m = model_of(tmp_path, {"main.tf": tf})
    assert where(run("IAC401", m)) == [("IAC401", 3, 3, "error"), ("IAC401", 5, 1, "error")]
    tf_ok = tf.replace(
        "  client_certificate_enabled = true\n",
        '  client_certificate_enabled = true\n  certificate {\n    store_name = "Root"\n  }\n'
        '  policy {\n    xml_content = "<policies><inbound><validate-client-certificate /></inbound>'
        '</policies>"\n  }\n',
    )
    m = model_of(tmp_path, {"main.tf": tf_ok})
    assert run("IAC401", m) == []


def test_waf_rate_rule_in_front_satisfies_rate_limit(tmp_path: Path) -> None:
    tail = """resource waf 'Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies@2023-04-01' = {
  name: 'w'
  properties: {
    customRules: [
      { name: 'rl', priority: 1, ruleType: 'RateLimitRule', action: 'Block', matchConditions: [] }
    ]
  }
}
resource gw 'Microsoft.Network/applicationGateways@2023-04-01' = {
  name: 'gw'
  properties: {
    firewallPolicy: { id: waf.id }
    backendAddressPools: [
      { name: 'p', properties: { backendAddresses: [ { fqdn: 'svc.azure-api.net' } ] } }
    ]
  }
}
"""
    m = bicep(tmp_path, tail, glob="<policies><inbound><base /></inbound></policies>")
    assert run("IAC811", m) == []
    assert run("IAC801", m) == []
    assert run("IAC802", m) == []


def test_unknown_tls_switch_is_a_note_and_true_strings_are_errors(tmp_path: Path) -> None:
    bicep_src = """param tls10 string
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'svc'
  properties: {
    customProperties: {
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': tls10
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'True'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA': 'true'
    }
  }
}
"""
    m = model_of(tmp_path, {"main.bicep": bicep_src})
    assert where(run("IAC101", m)) == [("IAC101", 6, 7, "note")]
    assert where(run("IAC703", m)) == [("IAC703", 7, 7, "error")]
    assert where(run("IAC301", m)) == [("IAC301", 8, 7, "error")]


def test_set_backend_service_plain_http_in_any_section(tmp_path: Path) -> None:
    glob = GLOBAL.replace(
        "</inbound></policies>",
        '</inbound><backend><set-backend-service base-url="http://b.example.com" /><forward-request />'
        "</backend><on-error><set-backend-service base-url=\"{{fallback}}\" /></on-error></policies>",
    )
    tail = """resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><base /><set-backend-service base-url="HTTP://x.example.com" />\
<set-backend-service backend-id="b1" /></inbound></policies>'
  }
}
"""  # the backslash joins the two lines of the policy
    findings = run("IAC701", bicep(tmp_path, tail, glob))
    # The API's own element at its start tag; the global file's elements at the loadTextContent value.
    assert where(findings) == [
        ("IAC701", 29, 40, "error"),
        ("IAC701", 13, 5, "error"),
        ("IAC701", 13, 5, "note"),
    ]
    # The API holds its own element; the service holds the global policy's.
    assert [f.resource_type for f in findings] == [
        "Microsoft.ApiManagement/service/apis",
        "Microsoft.ApiManagement/service",
        "Microsoft.ApiManagement/service",
    ]
    # An API policy whose <backend> has no <base/> drops the global plain-HTTP backend.
    tail_ok = tail.replace(
        '<set-backend-service backend-id="b1" /></inbound>',
        '<set-backend-service backend-id="b1" /></inbound><backend><forward-request /></backend>',
    ).replace("HTTP://x", "https://x")
    assert where(run("IAC701", bicep(tmp_path, tail_ok, glob))) == [("IAC701", 13, 5, "note")]


def test_custom_domain_client_certificates_and_api_management_certificate(tmp_path: Path) -> None:
    tf = """resource "azurerm_api_management" "s" {
  name = "svc"
}
resource "azurerm_api_management_custom_domain" "d" {
  api_management_id = azurerm_api_management.s.id
  gateway {
    host_name                    = "api.example.com"
    negotiate_client_certificate = true
  }
}
resource "azurerm_api_management_certificate" "c" {
  name                = "backend-client"
  api_management_name = azurerm_api_management.s.name
  data                = "MIIBexample"
}
"""
    # A certificate resource is what the gateway presents, not a CA store: still no CA certificate.
    findings = run("IAC401", model_of(tmp_path, {"main.tf": tf}))
    assert where(findings) == [("IAC401", 8, 5, "error")]
    assert findings[0].address == "azurerm_api_management.s"
    assert findings[0].attribute == "gateway[0].negotiate_client_certificate"
    tf_ok = tf.replace(
        '  name = "svc"\n', '  name = "svc"\n  certificate {\n    store_name = "CertificateAuthority"\n  }\n'
    )
    assert run("IAC401", model_of(tmp_path, {"main.tf": tf_ok})) == []
