"""What Front Doors mean for the standard: the endpoints they serve (custom domains, routes, classic
frontend endpoints and routing rules), and whether a classic Front Door checks its backends'
certificate names."""

from __future__ import annotations

from iaclint.model.azure.frontdoor.build import name_check
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import Backend, Decision, Origin, Setting


@builder
def frontdoor(d: Derivation) -> None:
    az = d.model.azure
    for fd in az.front_doors:
        d.facts.endpoints.extend(ep.fact() for ep in fd.endpoints)
        if fd.name_check is not None:
            # Only the certificate check is judged here; the forwarding protocol is not (yet).
            origin = Origin.of(fd.resource, f"{fd.front.label} backend pools")
            tls = Decision.yes(Setting.absent(""))
            d.facts.backends.append(Backend(origin, tls, (name_check(fd.name_check),)))
    d.facts.endpoints.extend(ep.fact() for ep in az.frontdoor_endpoints)
