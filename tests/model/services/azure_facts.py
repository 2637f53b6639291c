"""Adapting a minimal Azure resource in each language family (ARM templates, Bicep, Terraform
azurerm and azapi) and reading the facts it gives."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import discover
from iaclint.engine import ScanOptions, _load
from iaclint.model import build
from iaclint.model.facts import Endpoint, Facts

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def facts_of(tmp_path: Path, files: dict[str, str]) -> Facts:
    """The facts of the files written under `tmp_path` (one scope per file or module)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    found = discover([str(tmp_path)], [])
    resources = []
    for unit in found.units:
        result = _load(unit.language, [unit], ScanOptions(paths=[str(tmp_path)]))
        assert not result.diagnostics, result.diagnostics
        resources += result.resources
    return build(resources).facts


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


def kind(ep: Endpoint) -> str:
    """What an Azure endpoint is: its label without the platform and the address."""
    return ep.origin.label.removeprefix("Azure ").removesuffix(f" {ep.origin.address}")


def floors(facts: Facts) -> dict[str, str | None]:
    """Endpoint kind → lowest TLS version accepted, for endpoints with a TLS floor."""
    return {kind(ep): ep.tls.minimum for ep in facts.endpoints if ep.tls is not None}
