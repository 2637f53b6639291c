"""The cloud-neutral model that checks read: endpoints, APIs and what protects them.

Adapters in `model/aws/` and `model/azure/` fill these from resources of any language; a check
never sees syntax. Every fact is a `Value`, so it keeps its span and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iaclint.resources import Resource
from iaclint.values import Value

# Protocol versions in order; a floor is the lowest one an endpoint accepts.
TLS_ORDER = {"ssl3": 0, "1.0": 1, "1.1": 2, "1.2": 3, "1.3": 4}


def tls_label(version: str) -> str:
    return "SSL 3.0" if version == "ssl3" else f"TLS {version}"


@dataclass(frozen=True, slots=True)
class TlsFloor:
    """The lowest protocol version an endpoint accepts, and the setting that decides it."""

    setting: Value
    # Lowest accepted version ("ssl3", "1.0".."1.3"); None when it cannot be known.
    minimum: str | None
    # The attribute path of the setting, for messages and fingerprints (`security_policy`).
    attribute: str
    # Why the floor is what it is ("platform default when security_policy is not set"), or why
    # it is unknown.
    reason: str = ""
    # Whether this endpoint type could be given a TLS 1.3 policy (for the S1.2 note).
    tls13_available: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A client-facing TLS endpoint: a custom domain, a default API endpoint, a listener."""

    platform: str
    kind: str
    resource: Resource
    tls: TlsFloor

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def label(self) -> str:
        return f"{self.platform} {self.kind} {self.resource.address}"


@dataclass(slots=True)
class Model:
    endpoints: list[Endpoint] = field(default_factory=list)
