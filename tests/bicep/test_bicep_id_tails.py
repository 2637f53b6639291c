"""Child resource ids built on an unknown parent id (`'${gwId}/httpListeners/http80'`), as the Azure
Verified Modules' Application Gateway tests write them: the listener and redirect are still found by
name, so an HTTP listener that redirects to HTTPS is not reported (found on
Azure/bicep-registry-modules, avm/res/network/application-gateway/tests/e2e/max)."""

from __future__ import annotations

from pathlib import Path

from iaclint.engine import ScanOptions, scan

GATEWAY = """\
param name string = 'gw'
var gwId = '${resourceGroup().id}/providers/Microsoft.Network/applicationGateways/${name}'

resource gw 'Microsoft.Network/applicationGateways@2023-09-01' = {
  name: name
  location: 'westeurope'
  properties: {
    sslPolicy: { policyType: 'Predefined', policyName: 'AppGwSslPolicy20220101S' }
    httpListeners: [
      {
        name: 'public443'
        properties: { protocol: 'Https' }
      }
      {
        name: 'httpRedirect80'
        properties: { protocol: 'Http' }
      }
      {
        name: 'plain8080'
        properties: { protocol: 'Http' }
      }
    ]
    redirectConfigurations: [
      {
        name: 'toHttps'
        properties: {
          redirectType: 'Permanent'
          targetListener: { id: '${gwId}/httpListeners/public443' }
        }
      }
    ]
    requestRoutingRules: [
      {
        name: 'redirect'
        properties: {
          ruleType: 'Basic'
          httpListener: { id: '${gwId}/httpListeners/httpRedirect80' }
          redirectConfiguration: { id: '${gwId}/redirectConfigurations/toHttps' }
        }
      }
      {
        name: 'plain'
        properties: {
          ruleType: 'Basic'
          httpListener: { id: '${gwId}/httpListeners/plain8080' }
        }
      }
    ]
  }
}
"""


def test_redirecting_listener_found_through_unknown_parent_ids(tmp_path: Path) -> None:
    (tmp_path / "gw.bicep").write_text(GATEWAY, encoding="utf-8")
    result = scan(ScanOptions(paths=[str(tmp_path)], select=["IAC201"]))
    got = [(f.rule_id, f.level.value, f.attribute, f.span.line, f.span.column) for f in result.findings]
    # Only the listener with no redirect: httpListeners[2], its protocol on line 20.
    assert got == [("IAC201", "error", "properties.httpListeners[2].properties.protocol", 20, 23)]


def test_url_paths_are_not_taken_for_ids(tmp_path: Path) -> None:
    from iaclint.lang.arm.functions import id_tail_ref as _id_tail_ref

    assert _id_tail_ref("/httpListeners/public443") == "httpListeners:public443"
    assert _id_tail_ref("/api-v1/items") is None  # `api-v1` is not a collection name
    assert _id_tail_ref("httpListeners/x") is None  # not right after the unknown part
    assert _id_tail_ref("/x") is None
