"""What Front Doors mean for the standard: the endpoints they serve (custom domains, routes, classic
frontend endpoints and routing rules)."""

from __future__ import annotations

from iaclint.model.derive import Derivation, builder


@builder
def frontdoor(d: Derivation) -> None:
    az = d.model.azure
    for fd in az.front_doors:
        d.facts.endpoints.extend(ep.fact() for ep in fd.endpoints)
    d.facts.endpoints.extend(ep.fact() for ep in az.frontdoor_endpoints)
