"""A resource's own members are read without case, as Azure reads them (`"Type"`, `"Properties"`)."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang import arm

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def test_capitalised_resource_members_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    doc = {
        "$schema": SCHEMA,
        "resources": [
            {"Type": "Microsoft.Web/sites", "ApiVersion": "2023-01-01", "Name": "app",
             "Properties": {"httpsOnly": True},
             "Resources": [{"TYPE": "config", "NAME": "web", "properties": {"minTlsVersion": "1.2"}}]},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = arm.load([Unit("arm", path, (path,))], None)
    got = {r.type: (r.body.get("name").as_str(), r.body.get("properties").py()) for r in result.resources}
    assert got == {
        "Microsoft.Web/sites": ("app", {"httpsOnly": True}),
        "Microsoft.Web/sites/config": ("app/web", {"minTlsVersion": "1.2"}),
    }
