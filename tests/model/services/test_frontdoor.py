"""Front Door (classic): the backend certificate name check in each language family gives the same
backend fact; on when not given."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.services.azure_facts import arm, facts_of

FD = "Microsoft.Network/frontDoors"


@pytest.mark.parametrize(
    ("settings", "state"),
    [
        (None, True),
        ({"enforceCertificateNameCheck": "Enabled"}, True),
        ({"EnforceCertificateNameCheck": "disabled"}, False),
        ({"enforceCertificateNameCheck": "[parameters('check')]"}, None),
    ],
)
def test_arm_name_check(tmp_path: Path, settings: dict | None, state: bool | None) -> None:
    props = {"backendPoolsSettings": settings} if settings is not None else {}
    fd = {"type": FD, "apiVersion": "2021-06-01", "name": "fd", "properties": props}
    facts = facts_of(tmp_path, {"t.json": arm(fd, parameters={"check": {"type": "string"}})})
    (backend,) = facts.backends
    assert backend.tls.state is True
    assert [d.state for d in backend.verification] == [state]


@pytest.mark.parametrize(
    ("body", "state", "attribute"),
    [
        (
            "backend_pool_settings {\n    enforce_backend_pools_certificate_name_check = false\n  }",
            False,
            "backend_pool_settings.enforce_backend_pools_certificate_name_check",
        ),
        (
            "enforce_backend_pools_certificate_name_check = false",
            False,
            "enforce_backend_pools_certificate_name_check",
        ),
        (
            "backend_pool_settings {\n    enforce_backend_pools_certificate_name_check = true\n  }",
            True,
            "backend_pool_settings.enforce_backend_pools_certificate_name_check",
        ),
    ],
    ids=["provider-3", "provider-2", "on"],
)
def test_azurerm_name_check(tmp_path: Path, body: str, state: bool, attribute: str) -> None:
    tf = f'resource "azurerm_frontdoor" "fd" {{\n  name = "fd"\n  {body}\n}}\n'
    (backend,) = facts_of(tmp_path, {"main.tf": tf}).backends
    (d,) = backend.verification
    assert (d.state, d.setting.attribute) == (state, attribute)
