"""Nested deployments as Bicep compiles AVM modules into ARM (the `main.json` next to every module of
Azure/bicep-registry-modules): `"value": "[tryGet(parameters('api'), 'subscriptionRequired')]"` is
null when the item has no such key, and the nested template's default then applies; a `nullable`
parameter the caller leaves out is null."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang import arm

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"

INNER = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {
        "name": {"type": "string", "defaultValue": "policy"},
        "subscriptionRequired": {"type": "bool", "defaultValue": False},
        "protocols": {"type": "array", "nullable": True},
        "path": {"type": "string"},
    },
    "resources": [
        {
            "type": "Microsoft.ApiManagement/service/apis",
            "apiVersion": "2024-05-01",
            "name": "[format('apim1/{0}', parameters('name'))]",
            "properties": {
                "path": "[parameters('path')]",
                "subscriptionRequired": "[parameters('subscriptionRequired')]",
                "protocols": "[coalesce(parameters('protocols'), createArray('https'))]",
            },
        }
    ],
}

OUTER = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {"api": {"type": "object", "defaultValue": {"path": "echo"}}},
    "resources": [
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "api",
            "properties": {
                "expressionEvaluationOptions": {"scope": "inner"},
                "mode": "Incremental",
                "parameters": {
                    "name": {"value": "[tryGet(parameters('api'), 'name')]"},
                    "subscriptionRequired": {"value": "[tryGet(parameters('api'), 'subscriptionRequired')]"},
                    "path": {"value": "[parameters('api').path]"},
                },
                "template": INNER,
            },
        }
    ],
}


def test_null_takes_the_default_and_a_left_out_nullable_parameter_is_null(tmp_path: Path) -> None:
    p = tmp_path / "main.json"
    p.write_text(json.dumps(OUTER, indent=2), encoding="utf-8")
    result = arm.load([Unit("arm", p, (p,))], None)
    [api] = [r for r in result.resources if r.type == "Microsoft.ApiManagement/service/apis"]
    assert api.body.get("name").as_str() == "apim1/policy"
    props = api.body.get("properties")
    sub = props.get("subscriptionRequired")
    assert sub.is_known and sub.data is False
    assert props.get("protocols").py() == ["https"]
    assert props.get("path").as_str() == "echo"


def test_a_root_template_parameter_stays_unknown(tmp_path: Path) -> None:
    # At the root nothing says the deployer leaves `protocols` out: it stays unknown.
    p = tmp_path / "inner.json"
    p.write_text(json.dumps(INNER, indent=2), encoding="utf-8")
    result = arm.load([Unit("arm", p, (p,))], None)
    [api] = result.resources
    assert api.body.get("properties").get("protocols").is_unknown
