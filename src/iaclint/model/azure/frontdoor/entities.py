"""Front Door as the platform has it: a Standard/Premium profile with its children, or a classic
Front Door with everything inline."""

from __future__ import annotations

from dataclasses import field

from iaclint.model.azure.common import TlsEndpoint
from iaclint.model.azure.waf.entities import Front
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


@record(eq=False)
class FrontDoor:
    """A Front Door Standard/Premium profile or a classic Front Door, as the front that carries a WAF,
    with the endpoints it serves itself (a classic Front Door's frontend endpoints and routing rules)."""

    resource: Resource
    front: Front
    classic: bool
    endpoints: list[TlsEndpoint] = field(default_factory=list)
    # A classic Front Door's backend certificate name check (`enforceCertificateNameCheck`).
    name_check: Setting | None = None


@record(eq=False)
class FrontDoorPart:
    """A Front Door Standard/Premium child that adds to its profile's `Front`: a security policy's
    WAF policy reference (role "waf"), an origin's host name (role "target"), or an origin group that
    origins name instead of the profile (role "group")."""

    resource: Resource
    profile_name: Value
    profile_ref: Value
    role: str
    value: Value
    # Joined to a profile by `links.py`.
    placed: bool = False
