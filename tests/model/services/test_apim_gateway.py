"""Self-hosted gateway host names (`Microsoft.ApiManagement/service/gateways/hostnameConfigurations`,
`azurerm_api_management_gateway_host_name_configuration`): the same TLS endpoint facts in every
language family."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iaclint.model.facts import Facts

from .azure_facts import arm, facts_of

TYPE = "Microsoft.ApiManagement/service/gateways/hostnameConfigurations"


def _arm(tmp_path: Path) -> Facts:
    def hc(name: str, **props: object) -> dict:
        return {"type": TYPE, "apiVersion": "2023-05-01", "name": f"apim/gw/{name}", "properties": props}

    return facts_of(
        tmp_path, {"t.json": arm(hc("old", tls10Enabled=True), hc("mid", tls11Enabled="True"), hc("new"))}
    )


def _bicep(tmp_path: Path) -> Facts:
    def hc(name: str, body: str) -> str:
        head = f"resource {name} '{TYPE}@2023-05-01' = {{\n  name: 'apim/gw/{name}'\n"
        return f"{head}  properties: {{{body}}}\n}}\n"

    text = hc("old", "\n    tls10Enabled: true\n  ") + hc("mid", "\n    tls11Enabled: true\n  ")
    text += hc("new", "")
    return facts_of(tmp_path, {"main.bicep": text})


def _azurerm(tmp_path: Path) -> Facts:
    def hc(name: str, body: str) -> str:
        return (
            f'resource "azurerm_api_management_gateway_host_name_configuration" "{name}" {{\n'
            f'  name = "{name}"\n  host_name = "{name}.example.com"\n{body}}}\n'
        )

    text = hc("old", "  tls10_enabled = true\n") + hc("mid", "  tls11_enabled = true\n") + hc("new", "")
    return facts_of(tmp_path, {"main.tf": text})


@pytest.mark.parametrize("adapt", [_arm, _bicep, _azurerm])
def test_the_lowest_version_a_host_name_accepts(tmp_path: Path, adapt: object) -> None:
    facts = adapt(tmp_path)  # type: ignore[operator]
    # Named by the last segment of the address (`t.json#apim/gw/old`, `main.bicep#old`, `x.old`).
    got = {re.split(r"[#./]", e.origin.address)[-1]: e.tls.minimum for e in facts.endpoints if e.tls}
    assert got == {"old": "1.0", "mid": "1.1", "new": "1.2"}
