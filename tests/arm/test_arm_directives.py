"""Suppression directives in ARM resource metadata: found by the loader, applied by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.lang import arm
from iaclint.resources import Directive

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "arm" / "azure"

TEMPLATE = """\
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service",
      "apiVersion": "2023-05-01-preview",
      "name": "apim1",
      "metadata": {
        "iaclint": {
          "ignore": [
            { "id": "IAC101", "reason": "legacy clients until Q3" },
            { "id": ["iac102", "IAC103"] }
          ]
        }
      }
    },
    {
      "type": "Microsoft.Web/sites",
      "apiVersion": "2022-03-01",
      "name": "[concat('site', '1')]",
      "copy": { "name": "c", "count": 2 },
      "metadata": { "IACLINT": { "ignore": { "id": "IAC201", "reason": "internal" } } }
    },
    {
      "type": "Microsoft.Web/sites",
      "apiVersion": "2022-03-01",
      "name": "plain",
      "metadata": { "description": "no directive here" }
    }
  ]
}
"""


def test_metadata_directives_with_lines_and_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "azuredeploy.json"
    p.write_text(TEMPLATE, encoding="utf-8")
    result = arm.load([Unit("arm", p, (p,))], None)
    assert result.diagnostics == []
    f = "azuredeploy.json"
    assert result.directives == [
        Directive(f, 12, ("IAC101",), "legacy clients until Q3", address=f"{f}#apim1"),
        Directive(f, 13, ("IAC102", "IAC103"), "", address=f"{f}#apim1"),
        Directive(f, 23, ("IAC201",), "internal", address=f"{f}#site1[0]"),
        Directive(f, 23, ("IAC201",), "internal", address=f"{f}#site1[1]"),
    ]


def test_scan_suppresses_the_resource_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = json.loads((FIXTURES / "violating" / "azuredeploy.json").read_text(encoding="utf-8"))
    service = doc["resources"][0]
    assert service["type"] == "Microsoft.ApiManagement/service"
    service["metadata"] = {"iaclint": {"ignore": [{"id": "IAC101", "reason": "legacy clients until Q3"}]}}
    (tmp_path / "azuredeploy.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = scan(ScanOptions(paths=[str(FIXTURES / "violating")]))
    after = scan(ScanOptions(paths=["."]))
    old = sorted((f.address.split("#")[1], f.rule_id) for f in before.findings if f.rule_id == "IAC101")
    new = [f for f in after.findings if f.rule_id == "IAC101"]
    assert sorted((f.address.split("#")[1], f.rule_id) for f in new) == old
    assert [(f.address, f.suppression.justification if f.suppression else None) for f in new
            if f.address.endswith("#apim-bad")] == [("azuredeploy.json#apim-bad", "legacy clients until Q3")]
    # Findings of other resources and of other rules stay active.
    assert all(f.suppression is None for f in new if not f.address.endswith("#apim-bad"))
    assert all(f.suppression is None for f in after.findings if f.rule_id != "IAC101")
