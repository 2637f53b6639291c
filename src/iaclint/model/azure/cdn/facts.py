"""What classic CDN endpoints mean for the standard: the endpoints (plain HTTP) and custom domains
(minimum TLS version) they serve."""

from __future__ import annotations

from iaclint.model.derive import Derivation, builder


@builder
def cdn(d: Derivation) -> None:
    d.facts.endpoints.extend(ep.fact() for ep in d.model.azure.cdn_endpoints)
