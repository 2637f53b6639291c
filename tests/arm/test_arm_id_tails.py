"""ARM child ids built on an unknown parent id with concat()/format() (the ARM form of
`'${gwId}/httpListeners/x'`): App Gateway rules still find their listener and redirect by name, so
an HTTP listener redirecting to HTTPS is not reported, and one without a redirect still is."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.engine import ScanOptions, scan
from iaclint.lang.arm.functions import call
from iaclint.values import Value

GW_ID = "[resourceId('Microsoft.Network/applicationGateways', parameters('name'))]"
REDIRECT_ID = "[format('{0}/redirectConfigurations/{1}', variables('gwId'), 'toHttps')]"


def _template() -> dict:
    listener = "[concat(variables('gwId'), '/httpListeners/{}')]"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}},
        "variables": {"gwId": GW_ID},
        "resources": [
            {
                "type": "Microsoft.Network/applicationGateways",
                "apiVersion": "2023-09-01",
                "name": "[parameters('name')]",
                "location": "westeurope",
                "properties": {
                    "sslPolicy": {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"},
                    "httpListeners": [
                        {"name": "public443", "properties": {"protocol": "Https"}},
                        {"name": "httpRedirect80", "properties": {"protocol": "Http"}},
                        {"name": "plain8080", "properties": {"protocol": "Http"}},
                    ],
                    "redirectConfigurations": [
                        {
                            "name": "toHttps",
                            "properties": {
                                "redirectType": "Permanent",
                                "targetListener": {"id": listener.format("public443")},
                            },
                        }
                    ],
                    "requestRoutingRules": [
                        {
                            "name": "redirect",
                            "properties": {
                                "ruleType": "Basic",
                                "httpListener": {"id": listener.format("httpRedirect80")},
                                "redirectConfiguration": {"id": REDIRECT_ID},
                            },
                        },
                        {
                            "name": "plain",
                            "properties": {
                                "ruleType": "Basic",
                                "httpListener": {"id": listener.format("plain8080")},
                            },
                        },
                    ],
                },
            }
        ],
    }


def test_redirecting_listener_found_through_concat_and_format(tmp_path: Path) -> None:
    (tmp_path / "gw.json").write_text(json.dumps(_template(), indent=2), encoding="utf-8")
    result = scan(ScanOptions(paths=[str(tmp_path)], select=["IAC201"]))
    got = [(f.rule_id, f.level.value, f.attribute) for f in result.findings]
    assert got == [("IAC201", "error", "properties.httpListeners[2].properties.protocol")]
    # Reported on the listener's protocol: plain8080, line 39 of the indented JSON.
    assert (result.findings[0].span.line, result.findings[0].span.column) == (39, 15)


def test_tail_refs_of_concat_and_format() -> None:
    parent = Value.unknown("resource id", None, ("Microsoft.Network/applicationGateways:gw",))
    s = Value.known
    got = call("concat", [parent, s("/httpListeners/"), s("l1")], None)
    assert got is not None and got.refs == ("httpListeners:l1", "Microsoft.Network/applicationGateways:gw")
    got = call("format", [s("{0}/redirectConfigurations/{1}"), parent, s("r1")], None)
    assert got is not None and got.refs[0] == "redirectConfigurations:r1"
    # Unknown last: no known tail.
    got = call("concat", [s("/httpListeners/"), parent], None)
    assert got is not None and got.refs == ("Microsoft.Network/applicationGateways:gw",)
