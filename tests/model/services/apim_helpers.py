"""Adapting a few API Management resources of one language family and reading the facts."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import discover
from iaclint.engine import ScanOptions, _load
from iaclint.model import build
from iaclint.model.derive import derive
from iaclint.model.facts import Facts

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
V = "2024-05-01"
TOKEN = (
    '<validate-azure-ad-token tenant-id="contoso.onmicrosoft.com"><client-application-ids>'
    "<application-id>1</application-id></client-application-ids></validate-azure-ad-token>"
)


def facts_of(tmp_path: Path, files: dict[str, str]) -> Facts:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    resources = []
    for unit in discover([str(tmp_path)], []).units:
        result = _load(unit.language, [unit], ScanOptions(paths=[str(tmp_path)]))
        assert not result.diagnostics, result.diagnostics
        resources += result.resources
    return derive(build(resources))


def arm(*resources: dict, parameters: dict | None = None) -> str:
    doc = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "parameters": parameters or {}}
    return json.dumps({**doc, "resources": list(resources)}, indent=2)


def res(type_: str, name: str, **properties: object) -> dict:
    rtype = f"Microsoft.ApiManagement/{type_}"
    return {"type": rtype, "apiVersion": V, "name": name, "properties": properties}


def pol(type_: str, name: str, inbound: str) -> dict:
    """A policy resource in rawxml with that inbound section."""
    return res(type_, name, format="rawxml", value=policy(inbound))


def policy(inbound: str) -> str:
    return f"<policies><inbound>{inbound}</inbound></policies>"


def auth_by_api(facts: Facts) -> dict[str, str]:
    """Each API path's authentication, by the last segment of its address."""
    return {op.origin.address.rsplit("/", 1)[-1].rsplit(".", 1)[-1]: op.auth.value for op in facts.operations}
